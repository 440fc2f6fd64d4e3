"""smtp_util.py - helpers for the SMTP reception tests.

A test environment is a temp directory with a config, a spool and the logs;
`Env.run()` runs a command-line mode (-bs, -bh, -bm ...) and `Env.daemon()`
starts `tern -bdf` on a free 127.0.0.1 port. `Client` is a raw-socket SMTP
client that sends exact bytes and reads whole replies, so pipelining and
synchronization errors can be provoked. Ids and dates are masked by `mask()`.
"""
import atexit
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TERN = os.environ.get("TERN_BIN") or os.path.join(HERE, "..", "..", "build", "tern")

ID_RE = re.compile(rb"[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}")
DATE_RE = re.compile(rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d? \w{3} \d{4} \d\d:\d\d:\d\d [-+]\d{4}")


def mask(data):
    """Replace message ids and RFC 5322 dates so outputs compare exactly."""
    if isinstance(data, str):
        return mask(data.encode()).decode()
    return DATE_RE.sub(b"DATE", ID_RE.sub(b"ID", data))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Env:
    """A config, spool and log directory for one test."""

    def __init__(self, tmp_path, conf="", hostname="test.example"):
        # The connection child runs as the tern user, so the spool must be
        # reachable by it: not under pytest's tmp_path, whose root pytest
        # resets to mode 0700 whenever any pytest session starts.
        self.dir = tempfile.mkdtemp(prefix="tern-e2e-", dir="/tmp")
        atexit.register(shutil.rmtree, self.dir, True)
        os.chmod(self.dir, 0o755)
        self.spool = os.path.join(self.dir, "spool")
        self.conf = os.path.join(self.dir, "configure")
        with open(self.conf, "w") as f:
            f.write("primary_hostname = %s\nspool_directory = %s\n"
                    "log_file_path = %s/log/%%slog\n%s\n" % (hostname, self.spool, self.spool, conf))
        os.makedirs(os.path.join(self.spool, "log"), exist_ok=True)

    def run(self, args, data=b"", timeout=30):
        """Run tern with args; returns CompletedProcess (bytes)."""
        return subprocess.run([TERN, "-C", self.conf] + list(args), input=data,
                              capture_output=True, timeout=timeout)

    def log(self, name="main"):
        """Log lines without their timestamps."""
        path = os.path.join(self.spool, "log", name + "log")
        if not os.path.exists(path):
            return []
        with open(path, "rb") as f:
            return [l[20:].decode(errors="replace") for l in f.read().splitlines()]

    def input_files(self):
        out = []
        for root, _, files in os.walk(os.path.join(self.spool, "input")):
            out += [os.path.join(root, f) for f in files]
        return sorted(out)

    def messages(self):
        """Ids with both -H and -D present."""
        names = [os.path.basename(p) for p in self.input_files()]
        return sorted(n[:-2] for n in names if n.endswith("-H") and n[:-2] + "-D" in names)

    def daemon(self, extra_args=(), port=None):
        return Daemon(self, extra_args, port)


class Daemon:
    """tern -bdf on a free port; use as a context manager."""

    def __init__(self, env, extra_args=(), port=None):
        self.env = env
        self.port = port or free_port()
        self.pidfile = os.path.join(env.dir, "daemon.pid")
        self.proc = subprocess.Popen(
            [TERN, "-C", env.conf, "-bdf", "-oX", "127.0.0.1.%d" % self.port, "-oP", self.pidfile]
            + list(extra_args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("daemon exited: %r" % (self.proc.stderr.read(),))
                time.sleep(0.05)
        time.sleep(0.1)

    def client(self, **kw):
        return Client(self.port, **kw)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # children still serving open connections hold the pipe: read only
        # what is there now
        os.set_blocking(self.proc.stderr.fileno(), False)
        err = self.proc.stderr.read() or b""
        # a sanitizer report from the daemon or any connection child
        assert b"Sanitizer" not in err and b"runtime error" not in err, err.decode(errors="replace")

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


class Client:
    """Raw SMTP client: send exact bytes, read whole (multi-line) replies."""

    def __init__(self, port, timeout=10, banner=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.banner = self.reply() if banner else None

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self):
        while b"\n" not in self.buf:
            d = self.sock.recv(65536)
            if not d:
                raise EOFError(self.buf)
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        return l + b"\n"

    def reply(self):
        """One reply, all its lines, as text with CRLFs."""
        out = b""
        while True:
            l = self.line()
            out += l
            if len(l) < 4 or l[3:4] != b"-":
                return out.decode(errors="replace")

    def cmd(self, text):
        self.send(text + "\r\n")
        return self.reply()

    def rest(self):
        """Everything until the server closes."""
        out = self.buf
        self.buf = b""
        try:
            while True:
                d = self.sock.recv(65536)
                if not d:
                    break
                out += d
        except (socket.timeout, ConnectionResetError):
            pass
        return out.decode(errors="replace")

    def close(self):
        self.sock.close()


def wait_for(pred, timeout=10):
    """poll pred every 50 ms until it is true (True) or timeout (False)"""
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def maildir_env(tmp_path, domain, main="", hostname="test.example"):
    """An Env whose daemon accepts mail for domain only (others: "relay
    not permitted") and delivers it as the tern user to one Maildir;
    env.newdir is that Maildir's new/."""
    env = Env(tmp_path, "", hostname=hostname)
    mail = os.path.join(env.dir, "mail")
    os.makedirs(mail)
    tern = pwd.getpwnam("tern")
    os.chown(mail, tern.pw_uid, tern.pw_gid)
    with open(env.conf, "a") as f:
        f.write(f"""{main}
domainlist local_domains = {domain}
acl_smtp_rcpt = check_rcpt
begin acl
check_rcpt:
  accept domains = +local_domains
  deny message = relay not permitted
begin routers
local:
  driver = accept
  domains = +local_domains
  transport = maildir
begin transports
maildir:
  driver = appendfile
  directory = {mail}/Maildir
  maildir_format
  create_directory
  user = tern
  group = tern
""")
    env.newdir = os.path.join(mail, "Maildir", "new")
    return env
