"""test_smtp_out_options.py - smtp transport options seen from the peer
(test/e2e/smtp_peer.py on loopback): hosts_avoid_pipelining,
hosts_avoid_esmtp, size_addition, hosts_override, hosts_max_try and
hosts_max_try_hardlimit, keepalive. A message written into a spool is
delivered with -M by Tern and, where installed, by the Exim 4.96 oracle
against a peer of its own; the commands each peer saw must be the same.
"""
import os
import re
import subprocess
import threading
import time

from oracle_deliver import EXIM, deliver
from smtp_peer import Peer

MSGBODY = os.environ.get("A6T_BODY", "line one\n")

CONF = """begin routers
mr:
  driver = manualroute
  route_list = * {route}
  self = send
  transport = remote
begin retry
* * F,1d,1h
begin transports
remote:
  driver = smtp
  port = {port}
  helo_data = client.test
  hosts_try_fastopen =
  user = Debian-exim
  allow_localhost
  command_timeout = {timeout}
{opts}
"""


def run(tern_bin, tmp_path, opts="", route="127.0.0.1", peer_kw=None, during=None, timeout="5s"):
    """Deliver to a fresh peer with Tern and the oracle; returns
    {program: (peer, result)}."""
    out = {}
    for prog in [tern_bin] + ([EXIM] if os.path.exists(EXIM) else []):
        peer = Peer(**(peer_kw or {}))
        try:
            body = CONF.format(route=route, port=peer.port, opts=opts, timeout=timeout)
            stop = None
            if during:
                stop = threading.Event()
                threading.Thread(target=during, args=(peer, stop, out, prog), daemon=True).start()
            r = deliver(prog, str(tmp_path / "run"), body, ["u@remote.example"], msgbody=MSGBODY, remote=True)
            if stop:
                stop.set()
            out[prog] = (peer, r)
        finally:
            peer.stop()
    return out


def commands(peer):
    """the peer's transcript, the SIZE value masked (the -H file sizes
    differ by a few bytes between the two spools)"""
    return [re.sub(r"SIZE=\d+", "SIZE=N", c) for c in peer.commands]


def same(out, f):
    vals = [f(p, r) for p, r in out.values()]
    assert all(v == vals[0] for v in vals), vals
    return vals[0]


def test_pipelining_used_and_avoided(tern_bin, tmp_path):
    out = run(tern_bin, tmp_path)
    peer, r = out[tern_bin]
    assert r.log[0].startswith("=> u@remote.example R=mr T=remote H=127.0.0.1 [127.0.0.1]")
    # MAIL, RCPT and DATA go in one write: the peer finds RCPT waiting after MAIL
    assert same(out, lambda p, r: [(c.split()[0], w) for c, w in zip(p.commands, p.waiting)][1:4]) == \
        [("MAIL", True), ("RCPT", True), ("DATA", False)]
    out = run(tern_bin, tmp_path, "  hosts_avoid_pipelining = 127.0.0.1")
    assert same(out, lambda p, r: [(c.split()[0], w) for c, w in zip(p.commands, p.waiting)][1:4]) == \
        [("MAIL", False), ("RCPT", False), ("DATA", False)]


def test_hosts_avoid_esmtp(tern_bin, tmp_path):
    out = run(tern_bin, tmp_path, "  hosts_avoid_esmtp = 127.0.0.1")
    assert same(out, lambda p, r: commands(p)) == [
        "HELO client.test", "MAIL FROM:<sender@x.example>", "RCPT TO:<u@remote.example>", "DATA", "QUIT"]


def test_size_addition(tern_bin, tmp_path):
    def size(p, r):
        return int(re.search(r"SIZE=(\d+)", p.commands[1]).group(1))
    for opts in ("", "  size_addition = 0", "  size_addition = 5000"):
        out = run(tern_bin, tmp_path, opts)
        sizes = {prog: size(p, r) for prog, (p, r) in out.items()}
        base = 45  # $message_size (32 of header, the blank line, 9 of body) + 3 lines
        add = {"": 1024, "  size_addition = 0": 0, "  size_addition = 5000": 5000}[opts]
        assert set(sizes.values()) == {base + add}, sizes
    # negative: Exim 4.96 adds it too (the manual says it turns SIZE off)
    out = run(tern_bin, tmp_path, "  size_addition = -1")
    assert same(out, lambda p, r: p.commands[1]) == "MAIL FROM:<sender@x.example> SIZE=44"


def test_hosts_override(tern_bin, tmp_path):
    # the router names a host nobody listens on; hosts_override uses the transport's
    out = run(tern_bin, tmp_path, "  hosts = 127.0.0.1\n  hosts_override", route="127.0.0.2")
    assert same(out, lambda p, r: commands(p)[1:3]) == ["MAIL FROM:<sender@x.example> SIZE=N",
                                                       "RCPT TO:<u@remote.example>"]
    peer, r = out[tern_bin]
    assert r.log[0].startswith("=> u@remote.example R=mr T=remote H=127.0.0.1 [127.0.0.1]")
    # without hosts_override the router's host wins (and is refused)
    out = run(tern_bin, tmp_path, "  hosts = 127.0.0.1", route="127.0.0.2")
    assert same(out, lambda p, r: p.connections) == 0
    assert out[tern_bin][1].log[-1] == "== u@remote.example R=mr T=remote defer (111): Connection refused"


def test_hosts_max_try_and_hardlimit(tern_bin, tmp_path):
    # two refusing hosts before the peer, in the route's order
    # (the peer is not on 127.0.0.1: a local host in a list ends the list)
    route = '"127.0.0.2 : 127.0.0.3 : 127.0.0.5"'
    peer = {"host": "127.0.0.5"}
    out = run(tern_bin, tmp_path, "  hosts_max_try = 2", route=route, peer_kw=peer)
    assert same(out, lambda p, r: p.connections) == 0
    assert same(out, lambda p, r: r.log) == ["== u@remote.example R=mr T=remote defer (111): Connection refused"]
    out = run(tern_bin, tmp_path, "  hosts_max_try = 3", route=route, peer_kw=peer)
    assert same(out, lambda p, r: p.connections) == 1
    out = run(tern_bin, tmp_path, "  hosts_max_try = 3\n  hosts_max_try_hardlimit = 2", route=route, peer_kw=peer)
    assert same(out, lambda p, r: p.connections) == 0


def test_keepalive(tern_bin, tmp_path):
    """while the peer holds the greeting, the client's socket shows a
    keepalive timer in ss(8) output, unless keepalive is off"""
    def watch(peer, stop, out, prog):
        for _ in range(100):
            s = subprocess.run(["ss", "-tnoH", "state", "established", f"dport = :{peer.port}"],
                               capture_output=True, text=True).stdout
            if s.strip():
                out.setdefault("ss", {})[(prog, stop.is_set())] = "keepalive" in s
                return
            time.sleep(0.05)
    for opts, want in (("", True), ("  no_keepalive", False)):
        out = run(tern_bin, tmp_path, opts, peer_kw={"mode": "stall_greeting"}, during=watch, timeout="1s")
        seen = out.pop("ss")
        assert set(seen.values()) == {want}, seen
        assert len(seen) == len(out)


RCPTS = ["ok@remote.example", "t@remote.example", "p@remote.example"]


def run_three(tern_bin, tmp_path, peer_kw, timeout="5s"):
    """three recipients to one peer, with Tern and the oracle"""
    out = {}
    for prog in [tern_bin] + ([EXIM] if os.path.exists(EXIM) else []):
        peer = Peer(**peer_kw)
        try:
            body = CONF.format(route="127.0.0.1", port=peer.port, opts="", timeout=timeout)
            out[prog] = (peer, deliver(prog, str(tmp_path / "three"), body, RCPTS, msgbody="a\nb\nc\n",
                                       remote=True))
        finally:
            peer.stop()
    return out


def test_per_recipient_4xx_and_5xx_log_lines(tern_bin, tmp_path):
    out = run_three(tern_bin, tmp_path, {"rcpt": {"t@remote.example": "451 4.3.0 try later",
                                                  "p@remote.example": "550 5.1.1 no such user"}})
    log = same(out, lambda p, r: [l for l in r.log if not l.startswith(("<=", "=> sender", "Completed"))])
    assert log == [
        '=> ok@remote.example R=mr T=remote H=127.0.0.1 [127.0.0.1] C="250 OK id=peer-1"',
        "== t@remote.example R=mr T=remote defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote "
        "mail server after RCPT TO:<t@remote.example>: 451 4.3.0 try later",
        "** p@remote.example R=mr T=remote H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server "
        "after RCPT TO:<p@remote.example>: 550 5.1.1 no such user"]


def test_mail_and_data_errors_log_lines(tern_bin, tmp_path):
    for kw, line in (
            ({"mail": "451 4.3.0 mail later"}, "== {a} R=mr T=remote defer (-45) H=127.0.0.1 [127.0.0.1]: SMTP error "
             "from remote mail server after pipelined MAIL FROM:<sender@x.example> SIZE=N: 451 4.3.0 mail later"),
            ({"data": "554 no data"}, "** {a} R=mr T=remote H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail "
             "server after pipelined DATA: 554 no data"),
            ({"final": "451 4.3.0 data later"}, "== {a} R=mr T=remote defer (-46) H=127.0.0.1 [127.0.0.1]: SMTP "
             "error from remote mail server after end of data: 451 4.3.0 data later")):
        out = run(tern_bin, tmp_path / line[3:7], peer_kw=kw)
        log = same(out, lambda p, r: [re.sub(r"SIZE=\d+", "SIZE=N", l) for l in r.log[:1]])
        assert log == [line.format(a="u@remote.example")]


def test_close_mid_data_and_stall_log_lines(tern_bin, tmp_path):
    out = run_three(tern_bin, tmp_path, {"mode": "close_in_data"})
    why = "Remote host closed connection in response to end of data"
    assert same(out, lambda p, r: r.log) == [
        f"== {a} R=mr T=remote defer (-18) H=127.0.0.1 [127.0.0.1]: {why}" for a in RCPTS]
    out = run(tern_bin, tmp_path / "stall", peer_kw={"mode": "stall_greeting"}, timeout="1s")
    assert same(out, lambda p, r: r.log) == [
        "== u@remote.example R=mr T=remote defer (110): Connection timed out H=127.0.0.1 [127.0.0.1]: "
        "SMTP timeout after initial connection"]


def test_ten_megabytes_of_garbage_log_lines(tern_bin, tmp_path):
    out = run_three(tern_bin, tmp_path, {"mode": "garbage"})
    # the errno is Exim's; Exim's text quotes the garbage, Tern's says what it was
    assert same(out, lambda p, r: [l.split(" H=")[0] for l in r.log]) == [
        f"== {a} R=mr T=remote defer (-19)" for a in RCPTS]
    assert out[tern_bin][1].log[0].endswith("[127.0.0.1]: reply line from remote host too long (garbage?)")
