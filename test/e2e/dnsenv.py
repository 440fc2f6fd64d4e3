"""dnsenv.py - the hermetic DNS environment shared by every DNS-using test.

One private network + mount namespace per test session (scripts/netns-run
--hold), with only loopback up, /etc/resolv.conf pointing at unbound on
127.0.0.1:53 serving test/e2e/zones, and a minimal /etc/hosts. Programs
run inside it resolve through the ordinary libc resolver: no test-only
code path in the binary under test.

The pytest process itself stays outside. Use the `dns_env` fixture:

    from dnsenv import dns_env  # noqa: F401  (makes the fixture visible)

    def test_mx(dns_env):
        r = dns_env.run(["dig", "+short", "mx", "mx.test.example"])
        daemon = dns_env.popen([TERN, "-bd", "-oX", "2525", "-C", conf])
        sock = dns_env.connect(2525)            # a socket inside the netns
        srv = dns_env.listen(25, "127.0.0.2")   # listening socket inside

  run(cmd, input=None, timeout=30, **kw)  subprocess.run inside; captures
        output (text) unless told otherwise; returns CompletedProcess
  popen(cmd, **kw)       subprocess.Popen inside (for daemons); the Popen's
        pid is the daemon's own pid, so stop it with .terminate()/.kill()
  socket(family, type)   an unconnected socket created in the netns
  connect(port, host="127.0.0.1", timeout=10, source=None)
  listen(port, host="127.0.0.1", backlog=16)
  call(fn, *args)        run fn in a thread inside the netns; every socket
        fn creates (e.g. smtplib.SMTP("127.0.0.1", port)) lives there. Name
        lookups in this process still use the host's resolv.conf: give
        addresses, or resolve with run().

When pytest itself already runs inside scripts/netns-run (TERN_DNS_ENV=1),
everything runs directly. Without root, or when the kernel refuses new
namespaces, the fixture skips the test and says why.
"""
import ctypes
import os
import select
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NETNS_RUN = str(ROOT / "scripts" / "netns-run")
ZONES = str(Path(__file__).resolve().parent / "zones")
READY_TIMEOUT = 10.0
CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


def unavailable():
    """unavailable - why the environment cannot run here, or None."""
    if os.environ.get("TERN_DNS_ENV"):
        return None
    if os.geteuid() != 0:
        return "hermetic DNS needs root (unshare -m -n, mount --bind)"
    for tool in ("unshare", "nsenter", "ip", "/usr/sbin/unbound"):
        if not shutil.which(tool):
            return "%s is not installed (scripts/install-deps)" % tool
    probe = subprocess.run(["unshare", "--mount", "--net", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return "unshare -m -n fails here: " + probe.stderr.strip()
    return None


class DnsEnv:
    """DnsEnv - a running namespace with the test DNS server in it."""

    def __init__(self, zones=ZONES):
        self.zones = zones
        self.holder = None
        self.pid = None
        self.workdir = os.environ.get("TERN_DNS_WORKDIR")

    def start(self):
        """start - set up the namespace; return self once DNS answers."""
        if os.environ.get("TERN_DNS_ENV"):
            return self
        self.holder = subprocess.Popen([NETNS_RUN, "--zones", self.zones, "--hold"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE)
        ready, _, _ = select.select([self.holder.stdout], [], [], READY_TIMEOUT)
        line = self.holder.stdout.readline().decode() if ready else ""
        if not line.startswith("ready "):
            if self.holder.poll() is None:
                self.holder.kill()      # no answer in time: ours, by pid
            _, err = self.holder.communicate()
            self.holder = None
            raise RuntimeError("netns-run --hold failed: %r %s"
                               % (line, err.decode(errors="replace")))
        self.pid = int(line.split()[1])
        self.workdir = line.split()[2]
        return self

    def stop(self):
        """stop - close the holder's stdin (it cleans up) and reap it."""
        if self.holder is None:
            return
        try:
            self.holder.stdin.close()
            self.holder.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.holder.kill()
            self.holder.wait()
        self.holder.stdout.close()
        self.holder.stderr.close()
        self.pid = None

    def wrap(self, cmd, cwd=None):
        """wrap - cmd prefixed so that it runs inside the namespaces."""
        cmd = [str(c) for c in cmd]
        if self.pid is None:
            return cmd
        wd = str(cwd) if cwd is not None else os.getcwd()
        return ["nsenter", "-t", str(self.pid), "-m", "-n", "--wd=" + wd, "--"] + cmd

    def run(self, cmd, input=None, timeout=30, **kw):
        """run - subprocess.run(cmd) inside; text output captured by default."""
        kw.setdefault("capture_output", not ("stdout" in kw or "stderr" in kw))
        kw.setdefault("text", True)
        return subprocess.run(self.wrap(cmd, kw.get("cwd")), input=input,
                              timeout=timeout, **kw)

    def popen(self, cmd, **kw):
        """popen - subprocess.Popen(cmd) inside (nsenter execs, same pid)."""
        return subprocess.Popen(self.wrap(cmd, kw.get("cwd")), **kw)

    def call(self, fn, *args, **kwargs):
        """call - fn(*args, **kwargs) in a thread inside the netns."""
        if self.pid is None:
            return fn(*args, **kwargs)
        box = {}

        def body():
            try:
                with open("/proc/%d/ns/net" % self.pid) as nsf:
                    if _libc.setns(nsf.fileno(), CLONE_NEWNET) != 0:
                        raise OSError(ctypes.get_errno(), "setns(CLONE_NEWNET)")
                box["value"] = fn(*args, **kwargs)
            except BaseException as e:  # handed to the calling thread
                box["error"] = e
        t = threading.Thread(target=body)
        t.start()
        t.join()
        if "error" in box:
            raise box["error"]
        return box["value"]

    def socket(self, family=socket.AF_INET, type=socket.SOCK_STREAM):
        """socket - a new socket that belongs to the namespace."""
        return self.call(socket.socket, family, type)

    def connect(self, port, host="127.0.0.1", timeout=10, source=None):
        """connect - TCP connection to host:port inside; optional source addr."""
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = self.socket(fam)
        s.settimeout(timeout)
        try:
            if source is not None:
                s.bind((source, 0))
            s.connect((host, port))
        except OSError:
            s.close()
            raise
        return s

    def listen(self, port, host="127.0.0.1", backlog=16):
        """listen - a listening TCP socket on host:port inside."""
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = self.socket(fam)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen(backlog)
        return s


@pytest.fixture(scope="session")
def dns_env():
    """dns_env - the session's DnsEnv; skips the test when unavailable."""
    why = unavailable()
    if why:
        pytest.skip(why)
    env = DnsEnv().start()
    yield env
    env.stop()
