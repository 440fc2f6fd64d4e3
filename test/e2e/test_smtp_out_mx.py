"""test_smtp_out_mx.py - remote delivery through the DNS test environment:
the dnslookup router finds MX/A records served by unbound in a private
network namespace (dnsenv.py) and the smtp transport delivers to Python
SMTP peers listening inside it (127.0.0.2:25 and friends).

Messages are spooled by the Exim 4.96 oracle (-odq) and delivered with
`tern -M` run inside the namespace; results are read from the peers'
transcripts and Tern's mainlog.
"""
import os
import pathlib
import subprocess

import pytest

from dnsenv import dns_env  # noqa: F401
from smtp_peer import Peer

REPO = pathlib.Path(__file__).resolve().parents[2]
TERN = os.environ.get("TERN_BIN", str(REPO / "build" / "tern"))
EXIM = "/usr/sbin/exim4"

CONF = """\
spool_directory = {spool}
log_file_path = {spool}/log/%slog
exim_user = root
exim_group = root
primary_hostname = tern.test
qualify_domain = tern.test
begin routers
dl:
  driver = dnslookup
  transport = remote
  {router}
  no_more
begin transports
remote:
  driver = smtp
  helo_data = client.test
  command_timeout = 5s
  connect_timeout = 3s
  data_timeout = 5s
  final_timeout = 5s
  hosts_try_fastopen =
  {transport}
begin retry
* * F,1h,10m
"""


@pytest.fixture
def mx(tmp_path, dns_env):
    if not os.path.exists(EXIM):
        pytest.skip("no Exim oracle to spool messages with")
    peers = []

    class Env:
        spool = tmp_path / "spool"

        def config(self, router="", transport=""):
            (self.spool / "log").mkdir(parents=True, exist_ok=True)
            path = tmp_path / "conf"
            path.write_text(CONF.format(spool=self.spool, router=router, transport=transport))
            os.chmod(path, 0o644)
            self.conf = str(path)
            return self.conf

        def peer(self, host, **kw):
            p = dns_env.call(Peer, host=host, port=25, **kw)
            peers.append(p)
            return p

        def spool_message(self, rcpts, body="Hello\n.dot line\n"):
            before = set((self.spool / "input").glob("*-H")) if (self.spool / "input").exists() else set()
            text = f"From: snd@tern.test\nTo: {', '.join(rcpts)}\nSubject: test\n\n{body}"
            out = subprocess.run([EXIM, "-C", self.conf, "-odq", "-f", "snd@tern.test", *rcpts],
                                 input=text, capture_output=True, text=True, timeout=30)
            assert out.returncode == 0, out.stderr
            new = set((self.spool / "input").glob("*-H")) - before
            assert len(new) == 1
            return new.pop().name[:-2]

        def deliver(self, msgid):
            r = dns_env.run([TERN, "-C", self.conf, "-M", msgid], timeout=60)
            return r

        def mainlog(self):
            p = self.spool / "log" / "mainlog"
            return p.read_text() if p.exists() else ""

        def queued(self, msgid):
            return (self.spool / "input" / (msgid + "-H")).exists()

    yield Env()
    for p in peers:
        p.stop()


def test_mx_first_refused_second_used(mx):
    mx.config()
    peer = mx.peer("127.0.0.3")       # b.lmx (MX 20); a.lmx (MX 10) refuses
    msgid = mx.spool_message(["u@lmx.test.example"])
    mx.deliver(msgid)
    log = mx.mainlog()
    assert " H=a.lmx.test.example" not in log  # refused: no line of its own, as Exim 4.96
    assert "=> u@lmx.test.example R=dl T=remote H=b.lmx.test.example [127.0.0.3]" in log
    assert len(peer.messages) == 1 and b"..dot line" in peer.messages[0]
    assert not mx.queued(msgid)


def test_a_record_only(mx):
    mx.config()
    peer = mx.peer("127.0.0.2")
    msgid = mx.spool_message(["u@nomx.test.example"])
    mx.deliver(msgid)
    assert "H=nomx.test.example [127.0.0.2]" in mx.mainlog()
    assert len(peer.messages) == 1


def test_cname_to_other_zone(mx):
    mx.config()
    peer = mx.peer("127.0.0.9")       # ext.test.example CNAME mail.other.example
    msgid = mx.spool_message(["u@ext.test.example"])
    mx.deliver(msgid)
    assert "[127.0.0.9]" in mx.mainlog()
    assert len(peer.messages) == 1


def test_nxdomain_bounces(mx):
    mx.config()
    msgid = mx.spool_message(["u@www.example.com"])
    mx.deliver(msgid)
    assert "** u@www.example.com" in mx.mainlog()
    assert "Unrouteable address" in mx.mainlog()


def test_servfail_defers(mx):
    mx.config()
    msgid = mx.spool_message(["u@servfail.example"])
    mx.deliver(msgid)
    assert "== u@servfail.example R=dl defer (-1): host lookup did not complete" in mx.mainlog() \
        or "== u@servfail.example" in mx.mainlog()
    assert "host lookup did not complete" in mx.mainlog()
    assert mx.queued(msgid)


def test_self_mx_freezes(mx, dns_env):
    mx.config()
    msgid = mx.spool_message(["u@test.example"])  # MX 10 mail -> 127.0.0.1 (this host)
    mx.deliver(msgid)
    log = mx.mainlog()
    assert "lowest numbered MX record points to local host: test.example (while routing <u@test.example>)" in log
    assert mx.queued(msgid)


def test_self_mx_fail(mx):
    mx.config(router="self = fail")
    msgid = mx.spool_message(["u@test.example"])
    mx.deliver(msgid)
    assert "** u@test.example" in mx.mainlog()


def test_rcpt_4xx_and_5xx_via_mx(mx):
    mx.config()
    peer = mx.peer("127.0.0.2", rcpt={"t@lmx.test.example": "451 try later",
                                       "f@lmx.test.example": "550 no such user"})
    msgid = mx.spool_message(["ok@lmx.test.example", "t@lmx.test.example", "f@lmx.test.example"])
    mx.deliver(msgid)
    log = mx.mainlog()
    assert "=> ok@lmx.test.example R=dl T=remote H=a.lmx.test.example [127.0.0.2]" in log
    assert "== t@lmx.test.example R=dl T=remote defer" in log and "451 try later" in log
    assert "** f@lmx.test.example R=dl T=remote H=a.lmx.test.example [127.0.0.2]" in log \
        or ("** f@lmx.test.example" in log and "550 no such user" in log)
    assert len(peer.messages) == 1
    assert mx.queued(msgid)


def test_fallback_hosts_of_router(mx):
    mx.config(router="fallback_hosts = 127.0.0.4")
    peer = mx.peer("127.0.0.4")       # both MXs of lmx refuse
    msgid = mx.spool_message(["u@lmx.test.example"])
    mx.deliver(msgid)
    log = mx.mainlog()
    assert "Connection refused" not in log  # no per-host lines, as Exim 4.96
    assert "=> u@lmx.test.example R=dl T=remote H=127.0.0.4 [127.0.0.4]" in log
    assert len(peer.messages) == 1


def test_check_secondary_mx_declines(mx):
    mx.config(router="check_secondary_mx")
    mx.peer("127.0.0.2")
    msgid = mx.spool_message(["u@lmx.test.example"])  # this host is not an MX of lmx
    mx.deliver(msgid)
    assert "** u@lmx.test.example" in mx.mainlog()


def test_headers_and_8bitmime(mx):
    mx.config(transport="headers_add = X-Added: yes\n  headers_remove = Subject\n  return_path = bounce@tern.test")
    peer = mx.peer("127.0.0.2")
    msgid = mx.spool_message(["u@nomx.test.example"], body="caf\u00e9\n")
    mx.deliver(msgid)
    assert len(peer.messages) == 1
    data = peer.messages[0]
    assert b"X-Added: yes\r\n" in data and b"Subject:" not in data
    mail = [c for c in peer.commands if c.upper().startswith("MAIL")][0]
    assert mail.startswith("MAIL FROM:<bounce@tern.test>") and "BODY=8BITMIME" in mail


def test_transport_filter(mx, tmp_path):
    mx.config(transport="transport_filter = /usr/bin/sed -e s/Hello/Filtered/")
    peer = mx.peer("127.0.0.2")
    msgid = mx.spool_message(["u@nomx.test.example"])
    mx.deliver(msgid)
    assert len(peer.messages) == 1
    assert b"Filtered\r\n" in peer.messages[0] and b"..dot line\r\n" in peer.messages[0]


@pytest.mark.parametrize("filt,why", [
    ("/nonexistent/filter", "transport filter process failed (127): unable to execute command"),
    ("sed -e s/a/b/", "remote transport: transport_filter must start with an absolute path"),
])
def test_transport_filter_broken(mx, filt, why):
    """A filter that cannot run is not the host's fault: no "." is sent,
    the connection is dropped and the message deferred (shared filter
    code, src/transport_filter.c)."""
    mx.config(transport=f"transport_filter = {filt}")
    peer = mx.peer("127.0.0.2")
    msgid = mx.spool_message(["u@nomx.test.example"])
    mx.deliver(msgid)
    assert peer.messages == []
    assert "== u@nomx.test.example R=dl T=remote defer (-1): " + why + "\n" in mx.mainlog(), mx.mainlog()
    assert mx.queued(msgid)


def test_continued_delivery_one_connection(mx):
    """Three messages deferred for a host (it was down) go down one
    connection after the next successful delivery to it."""
    mx.config()
    ids = [mx.spool_message([f"u{i}@nomx.test.example"]) for i in range(3)]
    for i in ids:                      # host down: each deferred, noted in wait-remote
        mx.deliver(i)
    assert all(mx.queued(i) for i in ids), mx.mainlog()
    assert (mx.spool / "db" / "wait-remote").exists()
    # clear the host's retry record so the next attempt may connect
    (mx.spool / "db" / "retry").unlink()
    peer = mx.peer("127.0.0.2")
    fresh = mx.spool_message(["new@nomx.test.example"])
    mx.deliver(fresh)
    assert peer.connections == 1
    mails = [c for c in peer.commands if c.upper().startswith("MAIL")]
    assert len(mails) == 4, peer.commands
    assert len(peer.messages) == 4
    assert not any(mx.queued(i) for i in ids + [fresh])
