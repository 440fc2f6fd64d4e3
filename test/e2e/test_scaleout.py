"""test_scaleout.py - two Tern daemons behind one haproxy (PROXY v2,
roundrobin) sharing state in one redis-server: a relay list kept in a Redis
set and used as a host list in the RCPT ACL, and a connection counter
incremented by the connect ACL of whichever instance takes the connection.

The recipe is the one in doc/experimental.md ("Several Tern instances behind
haproxy"). Gated on Experimental_Proxy and Experimental_Redis in tern -bV and
on haproxy and redis-server being installed (scripts/install-deps).
"""
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from smtp_util import Env, free_port
from test_proxy import Haproxy, Sock, need_haproxy, wait_for

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"

CONF = """
hosts_proxy = 127.0.0.1
log_selector = +proxy
redis_servers = 127.0.0.1::%(redis)d//
hostlist relay_from = <\\n ${lookup redis{SMEMBERS relay_from_ips}}
acl_smtp_connect = acl_conn
acl_smtp_rcpt = acl_rcpt
begin acl
acl_conn:
  warn set acl_c_n = ${lookup redis{INCR conn_count}}
       logwrite = CONN n=$acl_c_n a=$sender_host_address
  accept
acl_rcpt:
  accept hosts = +relay_from
  deny   message = relay not permitted
"""


@pytest.fixture(autouse=True)
def gate(requires_module):
    requires_module("Experimental_Proxy")
    requires_module("Experimental_Redis")
    need_haproxy()
    if not os.access(REDIS, os.X_OK):
        pytest.skip("redis-server not installed (scripts/install-deps)")


def redis_cmd(port, *words):
    """One command over RESP; the reply's lines (a short reply only)."""
    req = b"*%d\r\n" % len(words) + b"".join(
        b"$%d\r\n%s\r\n" % (len(w), w.encode()) for w in words)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(req)
        return s.recv(4096).decode().rstrip("\r\n").replace("\r\n", " ")


@pytest.fixture
def redis(tmp_path):
    port = free_port()
    proc = subprocess.Popen([REDIS, "--bind", "127.0.0.1", "--port", str(port), "--dir",
                             str(tmp_path), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_for(lambda: _up(port), 10), "redis-server did not start"
    yield port
    proc.send_signal(signal.SIGTERM)
    proc.wait(10)


def _up(port):
    try:
        return redis_cmd(port, "PING") == "+PONG"
    except OSError:
        return False


def conn_lines(env):
    return [l for l in env.log() if l.startswith("CONN ")]


def one_session(family, addr, port):
    c = Sock(addr, port, family)
    assert c.reply().startswith("220 ")
    assert c.cmd("EHLO client.example").startswith("250")
    assert c.cmd("MAIL FROM:<a@b.example>").startswith("250")
    r = c.cmd("RCPT TO:<x@elsewhere.example>")
    c.cmd("QUIT")
    c.close()
    return r


def test_two_instances_share_redis(redis):
    envs = [Env("", CONF % {"redis": redis}) for _ in range(2)]
    daemons = [e.daemon() for e in envs]
    try:
        with Haproxy(envs[0].dir, [(d.port, "send-proxy-v2") for d in daemons]) as hp:
            # the relay list lives in Redis: ::1 may relay, 127.0.0.1 may not
            assert redis_cmd(redis, "SADD", "relay_from_ips", "::1", "192.0.2.1") == ":2"
            time.sleep(0.5)  # let the readiness probes finish
            redis_cmd(redis, "SET", "conn_count", "0")
            before = [len(conn_lines(e)) for e in envs]
            replies = []
            for i in range(6):
                fam, addr = ((socket.AF_INET6, "::1") if i % 2 else
                             (socket.AF_INET, "127.0.0.1"))
                replies.append((addr, one_session(fam, addr, hp.port)))
            for addr, r in replies:
                if addr == "::1":
                    assert r.startswith("250 "), r
                else:
                    assert r.startswith("550 relay not permitted"), r
            assert wait_for(lambda: sum(len(conn_lines(e)) for e in envs) >= sum(before) + 6)
    finally:
        for d in daemons:
            d.stop()
    new = [conn_lines(e)[b:] for e, b in zip(envs, before)]
    # roundrobin: both instances took connections
    assert all(len(n) >= 2 for n in new), new
    # one counter for the whole farm: 1..6 with no gaps or repeats
    counts = sorted(int(l.split()[1][2:]) for n in new for l in n)
    assert counts == [1, 2, 3, 4, 5, 6], new
    assert redis_cmd(redis, "GET", "conn_count") == "$1 6"
    # the ACLs saw the real clients, not haproxy
    addrs = sorted(l.split()[2][2:] for n in new for l in n)
    assert addrs == ["127.0.0.1"] * 3 + ["::1"] * 3, addrs
