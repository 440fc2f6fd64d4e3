"""benchlib.py - shared pieces of the reception and delivery benchmarks.

An MTA under test is a temp directory (config, spool, logs, Maildir) plus
a daemon listening on a free 127.0.0.1 port.  `Tern`, `Exim` and `Postfix`
know how to write their config, start their daemon, run their queue and
count their queue.  `load()` is the load generator: N client processes,
each opening one SMTP session and sending M messages of a given size
(MAIL/RCPT/DATA, no pipelining), returning messages per second.
Everything started here is stopped by PID (see `Mta.stop`), never by name.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TERN = os.environ.get("TERN_BIN") or os.path.join(ROOT, "build", "tern")
EXIM = os.environ.get("EXIM_BIN") or "/usr/sbin/exim4"
RCPT = "box@bench.example"
SYNCS = ("fsync", "fdatasync", "syncfs", "sync_file_range", "sync")
FORKS = ("fork", "vfork", "clone", "clone3")
TRACED = "trace=" + ",".join(SYNCS + FORKS + ("execve",))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc=None, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError("daemon exited early")
            time.sleep(0.05)
    raise RuntimeError("daemon did not listen on %d" % port)


def kill_pid(pid, sig=signal.SIGTERM):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def children(pid):
    """PIDs whose parent is pid (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        if int(st[st.rindex(")") + 2:].split()[1]) == pid:
            out.append(int(d))
    return out


def mem_kib(pid):
    """(Rss, Pss) in KiB from /proc/PID/smaps_rollup."""
    vals = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            m = re.match(r"(Rss|Pss):\s+(\d+) kB", line)
            if m:
                vals[m.group(1)] = int(m.group(2))
    return vals.get("Rss", 0), vals.get("Pss", 0)


def message(size):
    """A message of about size bytes, lines of 76 characters."""
    head = ("From: bench@client.example\r\nTo: %s\r\nSubject: bench\r\n\r\n" % RCPT).encode()
    line = b"x" * 76 + b"\r\n"
    n = max(1, (size - len(head)) // len(line))
    return head + line * n


class Session:
    """A synchronous SMTP session over a raw socket."""

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.expect(b"220")
        self.cmd(b"EHLO client.example\r\n", b"250")

    def reply(self):
        while True:
            i = self.buf.find(b"\r\n")
            while i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                if len(line) < 4 or line[3:4] != b"-":
                    return line
                i = self.buf.find(b"\r\n")
            d = self.sock.recv(65536)
            if not d:
                raise EOFError("connection closed")
            self.buf += d

    def expect(self, code):
        r = self.reply()
        if not r.startswith(code):
            raise RuntimeError("expected %s, got %r" % (code, r))
        return r

    def cmd(self, data, code):
        self.sock.sendall(data)
        return self.expect(code)

    def send_message(self, body):
        self.cmd(b"MAIL FROM:<bench@client.example>\r\n", b"250")
        self.cmd(b"RCPT TO:<%s>\r\n" % RCPT.encode(), b"250")
        self.cmd(b"DATA\r\n", b"354")
        self.cmd(body + b".\r\n", b"250")

    def quit(self):
        try:
            self.cmd(b"QUIT\r\n", b"221")
        except (OSError, EOFError, RuntimeError):
            pass
        self.sock.close()


def _client(args):
    port, count, size = args
    body = message(size)
    s = Session(port)
    for _ in range(count):
        s.send_message(body)
    s.quit()
    return count


def load(port, clients, per_client, size=4096):
    """Run `clients` parallel sessions (forked processes) of `per_client`
    messages each; returns (messages, seconds).  Plain fork + waitpid:
    a multiprocessing.Pool hung here now and then after many rows."""
    t0 = time.time()
    pids = []
    for _ in range(clients):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                _client((port, per_client, size))
                code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    failed = 0
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        failed += status != 0
    dt = time.time() - t0
    if failed:
        raise RuntimeError("%d of %d clients failed" % (failed, clients))
    return clients * per_client, dt


def strace_summary(path):
    """{syscall: calls} from an `strace -c -o path` summary."""
    calls = {}
    if not os.path.exists(path):
        return calls
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 5 and re.match(r"[\d.]+$", parts[0]) and parts[-1] != "total":
                try:
                    calls[parts[-1]] = int(parts[3])
                except ValueError:
                    pass
    return calls


class Mta:
    """Base: a temp directory with spool/, log/ and md/ (the Maildir)."""
    name = "?"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="bench-%s-" % self.name.lower(), dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.spool = os.path.join(self.dir, "spool")
        self.md = os.path.join(self.dir, "md")
        os.makedirs(os.path.join(self.spool, "log"))
        os.makedirs(self.md)
        os.chmod(self.md, 0o777)
        self.port = free_port()
        self.proc = None
        self.pids = []      # every process started, stopped by PID

    def start(self, strace_out=None, preexec_fn=None):
        argv = self.daemon_argv()
        if strace_out:
            argv = ["strace", "-f", "-c", "-o", strace_out, "-e", TRACED] + argv
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=preexec_fn)
        self.pids.append(self.proc.pid)
        wait_port(self.port, self.proc)
        time.sleep(0.2)

    def daemon_pid(self):
        """The listening daemon (under strace it is strace's child)."""
        if os.path.basename(self.proc.args[0]) == "strace":
            kids = children(self.proc.pid)
            return kids[0] if kids else self.proc.pid
        return self.proc.pid

    def stop(self):
        if self.proc is None:
            return
        dpid = self.daemon_pid()
        kids = children(dpid)
        kill_pid(dpid)
        for k in kids:
            kill_pid(k)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            kill_pid(dpid, signal.SIGKILL)
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def run(self, args, timeout=300):
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.pids.append(p.pid)
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_pid(p.pid, signal.SIGKILL)
            p.wait()
            raise
        return p.returncode, err

    def queue_count(self):
        n = 0
        for root, _, files in os.walk(os.path.join(self.spool, "input")):
            n += sum(1 for f in files if f.endswith("-H"))
        return n

    def delivered(self):
        n = 0
        for root, _, files in os.walk(self.md):
            if os.path.basename(root) == "new":
                n += len(files)
        return n

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, True)


class Tern(Mta):
    name = "Tern"

    def write_config(self, queue_only=True, relay_port=None):
        with open(os.path.join(self.dir, "configure"), "w") as f:
            f.write(config_text(self, queue_only, relay_port, exim=False))
        self.conf = os.path.join(self.dir, "configure")

    def daemon_argv(self):
        return [TERN, "-C", self.conf, "-bdf", "-oX", "127.0.0.1.%d" % self.port,
                "-oP", os.path.join(self.dir, "pid")]

    def queue_argv(self):
        return [TERN, "-C", self.conf, "-q"]


class Exim(Mta):
    name = "Exim"

    def write_config(self, queue_only=True, relay_port=None):
        subprocess.run(["chown", "-R", "Debian-exim:Debian-exim", self.spool], check=True)
        with open(os.path.join(self.dir, "configure"), "w") as f:
            f.write(config_text(self, queue_only, relay_port, exim=True))
        self.conf = os.path.join(self.dir, "configure")

    def daemon_argv(self):
        """Exim re-executes itself to deliver what the daemon received, as
        the exim user with -C, which keeps root only for a config listed in
        TRUSTED_CONFIG_LIST (/etc/exim4/trusted_configs in Debian's build).
        The daemon therefore runs in a private mount namespace where
        /etc/exim4 is a directory of ours listing this config; the system's
        /etc/exim4 is not touched."""
        etc = os.path.join(self.dir, "etc-exim4")
        os.makedirs(etc, exist_ok=True)
        with open(os.path.join(etc, "trusted_configs"), "w") as f:
            f.write(self.conf + "\n")
        argv = [EXIM, "-C", self.conf, "-bdf", "-oX", "127.0.0.1.%d" % self.port,
                "-oP", os.path.join(self.dir, "pid")]
        return ["unshare", "-m", "--propagation", "private", "sh", "-c",
                'mount --bind "$0" /etc/exim4 && exec "$@"', etc] + argv

    def queue_argv(self):
        return [EXIM, "-C", self.conf, "-q"]


def config_text(m, queue_only, relay_port, exim):
    """The same configuration for Tern and Exim: accept any recipient,
    queue only (or not), deliver to one Maildir as the tern user, or relay
    everything to a loopback sink."""
    lines = ["primary_hostname = bench.example",
             "spool_directory = %s" % m.spool,
             "log_file_path = %s/log/%%slog" % m.spool,
             "acl_smtp_rcpt = accept",
             "queue_only = %s" % ("true" if queue_only else "false"),
             "smtp_accept_max = 64",
             "smtp_accept_queue_per_connection = 0",
             "tls_advertise_hosts ="]
    if exim:
        lines += ["exim_user = Debian-exim", "exim_group = Debian-exim",
                  "keep_environment ="]
    lines += ["", "begin routers", ""]
    if relay_port:
        lines += ["sink:", "  driver = manualroute", "  transport = relay",
                  "  route_list = * 127.0.0.1", "  self = send", ""]
    lines += ["box:", "  driver = accept", "  transport = maildir", "",
              "begin transports", "",
              "maildir:", "  driver = appendfile",
              "  directory = %s/box" % m.md, "  maildir_format",
              "  user = tern", "  group = tern", ""]
    if relay_port:
        lines += ["relay:", "  driver = smtp", "  port = %d" % relay_port, ""]
    return "\n".join(lines) + "\n"


class CpuGroup:
    """A cpuacct cgroup (v1) holding one MTA's processes: its usage counts
    every process the MTA ever ran, daemonized or short-lived, and nothing
    of the load generator or the sink.  `usable` is False when the kernel
    offers no cpuacct hierarchy (CPU figures are then left out)."""
    ROOT = "/sys/fs/cgroup/cpuacct"

    def __init__(self, name):
        self.path = os.path.join(self.ROOT, "tern-bench-%d-%s" % (os.getpid(), name))
        try:
            os.mkdir(self.path)
            self.usable = True
        except OSError:
            self.usable = False

    def enter(self):
        """preexec_fn for the MTA's first process."""
        if self.usable:
            with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
                f.write("%d\n" % os.getpid())

    def seconds(self):
        if not self.usable:
            return None
        with open(os.path.join(self.path, "cpuacct.usage")) as f:
            return int(f.read()) / 1e9

    def pids(self):
        if not self.usable:
            return []
        with open(os.path.join(self.path, "cgroup.procs")) as f:
            return [int(x) for x in f.read().split()]

    def remove(self, timeout=15):
        """Wait for the MTA's processes to go (SIGKILL stragglers, by PID), then rmdir."""
        if not self.usable:
            return
        deadline = time.time() + timeout
        while self.pids() and time.time() < deadline:
            time.sleep(0.1)
        for pid in self.pids():
            kill_pid(pid, signal.SIGKILL)
        for _ in range(50):
            try:
                os.rmdir(self.path)
                return
            except OSError:
                time.sleep(0.1)


class Tracer:
    """strace -f -c attached to running processes (every process of an MTA,
    so that start-up is not counted); `stop()` detaches and returns
    {syscall: calls}."""

    def __init__(self, pids, out):
        self.out = out
        argv = ["strace", "-f", "-c", "-o", out, "-e", TRACED]
        for p in pids:
            argv += ["-p", str(p)]
        self.err = open(out + ".err", "w+")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.err)
        # strace says "Process N attached" once per process on stderr
        deadline = time.time() + 10
        while time.time() < deadline and self.proc.poll() is None:
            with open(out + ".err") as f:
                if f.read().count("attached") >= len(pids):
                    break
            time.sleep(0.05)

    def stop(self):
        kill_pid(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            kill_pid(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.err.close()
        return strace_summary(self.out)


def per_message(calls, n):
    """(syncs, forks, execs) per message from a strace summary over n messages."""
    def total(names):
        return sum(calls.get(k, 0) for k in names)
    return total(SYNCS) / n, total(FORKS) / n, calls.get("execve", 0) / n


def mta_classes(only):
    """The MTA classes named in `only` (tern, exim, postfix) that can run here."""
    import sys
    out = []
    for name in only:
        if name == "tern":
            out.append(Tern)
        elif name == "exim" and os.path.exists(EXIM):
            out.append(Exim)
        elif name == "postfix":
            import postfix
            if postfix.available():
                out.append(postfix.Postfix)
            else:
                print("postfix: not available (%s)" % postfix.why(), file=sys.stderr)
    return out
