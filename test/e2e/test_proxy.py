"""test_proxy.py - EXPERIMENTAL_PROXY through the daemon: a real haproxy
(send-proxy and send-proxy-v2, IPv4 and IPv6 clients) in front of tern -bdf,
and raw sockets sending malformed headers straight to Tern.

Gated on "Experimental_Proxy" in tern -bV, and on haproxy being installed
(scripts/install-deps). haproxy is started here with a temporary config on
free loopback ports and stopped by its own pid.
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import time

import pytest

from smtp_util import Env, free_port

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
REFUSAL = "503 Command refused, required Proxy negotiation failed"

CONF = """
hosts_proxy = 127.0.0.1
log_selector = +proxy
smtp_max_synprot_errors = 10
acl_smtp_connect = acl_conn
acl_smtp_rcpt = accept
begin acl
acl_conn:
  warn logwrite = PV s=$proxy_session h=$proxy_host_address hp=$proxy_host_port \\
                  t=$proxy_target_address tp=$proxy_target_port \\
                  a=$sender_host_address p=$sender_host_port
  accept
"""


@pytest.fixture(autouse=True)
def gate(requires_module):
    requires_module("Experimental_Proxy")


def wait_for(pred, timeout=5):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


class Haproxy:
    """haproxy -db with one frontend per backend line, each on a free port
    bound on 127.0.0.1 and ::1."""

    def __init__(self, tmpdir, servers, balance="roundrobin"):
        self.port = free_port()
        cfg = os.path.join(tmpdir, "haproxy.cfg")
        lines = ["global", "  maxconn 200", "defaults", "  mode tcp", "  timeout connect 5s",
                 "  timeout client 30s", "  timeout server 30s",
                 "frontend f", "  bind 127.0.0.1:%d" % self.port,
                 "  bind ipv6@::1:%d" % self.port, "  default_backend b",
                 "backend b", "  balance %s" % balance]
        lines += ["  server s%d 127.0.0.1:%d %s" % (i, port, how)
                  for i, (port, how) in enumerate(servers)]
        with open(cfg, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = subprocess.Popen([HAPROXY, "-db", "-f", cfg], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        ok = wait_for(lambda: self._up(), 10)
        if not ok:
            self.stop()
            raise RuntimeError("haproxy did not start: %r" % self.proc.stderr.read())

    def _up(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


def need_haproxy():
    if not os.access(HAPROXY, os.X_OK):
        pytest.skip("haproxy not installed (scripts/install-deps)")


class Sock:
    """A raw client socket that reads whole SMTP replies."""

    def __init__(self, addr, port, family=socket.AF_INET, timeout=10):
        self.s = socket.socket(family, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect((addr, port))
        self.buf = b""

    def send(self, b):
        self.s.sendall(b if isinstance(b, bytes) else b.encode())

    def reply(self):
        out = b""
        while True:
            while b"\n" not in self.buf:
                d = self.s.recv(4096)
                if not d:
                    raise EOFError(out + self.buf)
                self.buf += d
            l, self.buf = self.buf.split(b"\n", 1)
            out += l + b"\n"
            if len(l) < 4 or l[3:4] != b"-":
                return out.decode(errors="replace")

    def cmd(self, t):
        self.send(t + "\r\n")
        return self.reply()

    def close(self):
        self.s.close()


def send_message(c, sender="a@b.example"):
    assert c.reply().startswith("220 ")
    assert c.cmd("EHLO client.example").startswith("250")
    assert c.cmd("MAIL FROM:<%s>" % sender).startswith("250")
    assert c.cmd("RCPT TO:<x@y.example>").startswith("250")
    assert c.cmd("DATA").startswith("354")
    assert c.cmd("Subject: t\r\n\r\nhello\r\n.").startswith("250")
    c.cmd("QUIT")
    c.close()


# ---- through a real haproxy ----

@pytest.mark.parametrize("how", ["send-proxy", "send-proxy-v2"])
@pytest.mark.parametrize("family,addr", [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")])
def test_haproxy_client_address(how, family, addr):
    need_haproxy()
    env = Env("", CONF)
    with env.daemon() as d, Haproxy(env.dir, [(d.port, how)]) as hp:
        c = Sock(addr, hp.port, family)
        cport = c.s.getsockname()[1]
        send_message(c)
        assert wait_for(lambda: any(" <= " in l for l in env.log()))
        # the daemon delivers at once: the bounce of the undeliverable
        # message (<= <>) may be logged already
        arr = [l for l in env.log() if " <= " in l and " <= <> " not in l]
        assert len(arr) == 1, env.log()
        assert " H=(client.example) [%s] " % addr in arr[0], arr[0]
        assert " P=esmtp PRX=127.0.0.1 S=" in arr[0], arr[0]
        # (the readiness probes of the daemon and haproxy make PV lines too)
        pv = [l for l in env.log() if l.startswith("PV ") and l.endswith(" p=%d" % cport)]
        assert len(pv) == 1, env.log()
        f = dict(x.split("=", 1) for x in pv[0].split()[1:])
        assert f["s"] == "yes" and f["h"] == "127.0.0.1" and f["hp"] != "0"
        assert f["a"] == addr and f["p"] == str(cport)
        assert f["t"] == addr and f["tp"] == str(hp.port)


def test_without_proxy_selector_no_prx():
    need_haproxy()
    env = Env("", CONF.replace("log_selector = +proxy", ""))
    with env.daemon() as d, Haproxy(env.dir, [(d.port, "send-proxy-v2")]) as hp:
        send_message(Sock("127.0.0.1", hp.port))
        assert wait_for(lambda: any(" <= " in l for l in env.log()))
    arr = [l for l in env.log() if " <= " in l and " P=local " not in l]
    assert "PRX=" not in arr[0]


# ---- raw sockets straight to Tern (127.0.0.1 is in hosts_proxy) ----

V2SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def v2(cmd=0x21, fam=0x11, body=None, length=None):
    if body is None:
        body = socket.inet_aton("192.0.2.7") + socket.inet_aton("198.51.100.1") + \
            struct.pack("!HH", 4321, 25)
    return V2SIG + bytes([cmd, fam]) + struct.pack("!H", len(body) if length is None else length) \
        + body


@pytest.fixture(scope="module")
def raw_env(support_words):
    if "Experimental_Proxy" not in support_words:
        pytest.skip("Experimental_Proxy not on tern -bV \"Support for:\" line: module not built")
    env = Env("", CONF)
    d = env.daemon()
    yield env, d
    d.stop()


def pv_lines(env):
    return [l for l in env.log() if l.startswith("PV ")]


def check_good(env, d, chunks, delay=0.0, client="192.0.2.7"):
    n = len(pv_lines(env))
    c = Sock("127.0.0.1", d.port)
    for ch in chunks:
        c.send(ch)
        time.sleep(delay)
    assert c.reply().startswith("220 ")
    assert c.cmd("HELO x").startswith("250 ")
    assert c.cmd("QUIT").startswith("221 ")
    c.close()
    assert wait_for(lambda: len(pv_lines(env)) > n)
    assert " a=%s " % client in pv_lines(env)[n]


def drain(c, quiet=0.5):
    """Replies already sent, until the server has been quiet for a while."""
    c.s.settimeout(quiet)
    try:
        while True:
            d = c.s.recv(4096)
            if not d:
                break
            c.buf += d
    except socket.timeout:
        pass
    c.s.settimeout(10)
    out, c.buf = c.buf.decode(errors="replace"), b""
    return [l for l in out.split("\r\n") if l]


def check_failed(env, d, data, timeout=10):
    """A failed negotiation: banner, every command but QUIT refused, and the
    connect ACL saw $proxy_session yes with no $proxy_host_address. Bytes
    left over from the bad header are read as (refused) commands."""
    n = len(pv_lines(env))
    c = Sock("127.0.0.1", d.port, timeout=timeout)
    if data:
        c.send(data)
    t0 = time.time()
    assert c.reply().startswith("220 ")
    waited = time.time() - t0
    c.send(b"\r\n")  # ends any partial line left over from the header
    junk = drain(c)
    assert junk and all(l.startswith("5") for l in junk), junk
    assert c.cmd("HELO x") == REFUSAL + "\r\n"
    assert c.cmd("MAIL FROM:<a@b.c>") == REFUSAL + "\r\n"
    assert c.cmd("PROXY TCP4 1.2.3.4 5.6.7.8 1 2") == REFUSAL + "\r\n"
    assert c.cmd("QUIT").startswith("221 ")
    c.close()
    assert wait_for(lambda: len(pv_lines(env)) > n)
    pv = pv_lines(env)[n]
    assert pv.startswith("PV s=yes h= ") and " a=127.0.0.1 " in pv, pv
    return waited


def test_v1_and_v2_good(raw_env):
    env, d = raw_env
    check_good(env, d, [b"PROXY TCP4 192.0.2.7 198.51.100.1 4321 25\r\n"])
    check_good(env, d, [v2()])
    check_good(env, d, [b"PROXY TCP6 2001:db8::7 2001:db8::1 4321 25\r\n"], client="2001:db8::7")


def test_header_split_across_packets(raw_env):
    env, d = raw_env
    check_good(env, d, [b"PROXY TCP4 192.0.2.7 ", b"198.51.100.1 4321 25\r", b"\n"], delay=0.2)
    h = v2()
    check_good(env, d, [h[:5], h[5:14], h[14:17], h[17:]], delay=0.2)


def test_header_and_smtp_in_one_packet(raw_env):
    env, d = raw_env
    for hdr in (b"PROXY TCP4 192.0.2.7 198.51.100.1 4321 25\r\n", v2()):
        n = len(pv_lines(env))
        c = Sock("127.0.0.1", d.port)
        # the header and a command in one packet: the command must be left
        # in the socket for the SMTP reader (Tern reads not one byte past
        # the header); PIPECONNECT is allowed by default, so it is answered
        c.send(hdr + b"EHLO pipelined\r\n")
        assert c.reply().startswith("220 ")
        assert c.reply().startswith("250-")
        assert c.cmd("QUIT").startswith("221 ")
        c.close()
        assert wait_for(lambda: len(pv_lines(env)) > n)
        assert " a=192.0.2.7 " in pv_lines(env)[n]


def test_bad_signature(raw_env):
    env, d = raw_env
    check_failed(env, d, b"PROXZ TCP4 192.0.2.7 198.51.100.1 4321 25\r\n")
    check_failed(env, d, b"\r\n\r\n\x00\r\nQUIX\n" + bytes(20))
    check_failed(env, d, b"EHLO x\r\n")


def test_wrong_length(raw_env):
    env, d = raw_env
    # v2 length too small for the INET addresses
    check_failed(env, d, v2(body=bytes(8)))
    # v2 length over the limit
    check_failed(env, d, v2(length=2000) + bytes(600))
    # v1 line longer than 107 bytes
    check_failed(env, d, b"PROXY TCP4 " + b"1" * 120 + b"\r\n")


def test_family_mismatch(raw_env):
    env, d = raw_env
    check_failed(env, d, b"PROXY TCP4 2001:db8::7 198.51.100.1 4321 25\r\n")
    check_failed(env, d, b"PROXY TCP6 192.0.2.7 198.51.100.1 4321 25\r\n")
    check_failed(env, d, v2(fam=0x21))  # INET6 with a 12-byte INET body


def test_one_byte_per_second_times_out(raw_env):
    env, d = raw_env
    n = len(pv_lines(env))
    c = Sock("127.0.0.1", d.port, timeout=15)
    t0 = time.time()
    hdr = b"PROXY TCP4 192.0.2.7 198.51.100.1 4321 25\r\n"
    c.s.setblocking(False)
    got = b""
    for b in hdr:
        try:
            c.s.send(bytes([b]))
        except OSError:
            break
        time.sleep(1)
        try:
            got += c.s.recv(4096)
        except BlockingIOError:
            pass
        if got:
            break
    c.s.setblocking(True)
    c.s.settimeout(10)
    c.buf = got
    assert c.reply().startswith("220 ")
    waited = time.time() - t0
    assert 2.5 < waited < 5.5, waited
    assert c.cmd("HELO x") == REFUSAL + "\r\n"
    assert c.cmd("QUIT").startswith("221 ")
    assert wait_for(lambda: len(pv_lines(env)) > n)
    assert pv_lines(env)[n].startswith("PV s=yes h= ")
    assert any("PROXY negotiation failed from [127.0.0.1]: timeout" in l for l in env.log()), env.log()


def test_silent_proxy_times_out():
    env = Env("", CONF)
    with env.daemon() as d:
        waited = check_failed(env, d, b"")
    assert 2.5 < waited < 5


def test_refusals_are_bounded(raw_env):
    env, d = raw_env
    c = Sock("127.0.0.1", d.port)
    c.send(b"PROXY junk\r\n")
    assert c.reply().startswith("220 ")
    last = ""
    for _ in range(20):
        try:
            last = c.cmd("NOOP")
        except (EOFError, ConnectionResetError):
            break
        if not last.startswith("503 Command refused"):
            break
    assert "Too many syntax or protocol errors" in last, last
    c.close()


def test_host_not_listed_is_never_parsed():
    env = Env("", CONF.replace("hosts_proxy = 127.0.0.1", "hosts_proxy = 192.0.2.200"))
    with env.daemon() as d:
        c = Sock("127.0.0.1", d.port)
        assert c.reply().startswith("220 ")
        r = c.cmd("PROXY TCP4 192.0.2.7 198.51.100.1 4321 25")
        assert r.startswith("500 "), r
        assert c.cmd("HELO x").startswith("250 ")
        assert c.cmd("QUIT").startswith("221 ")
        c.close()
        assert wait_for(lambda: pv_lines(env))
    pv = pv_lines(env)[0]
    assert pv.startswith("PV s= h= ") and " a=127.0.0.1 " in pv, pv
