"""test_smtp_out.py - the smtp transport against a scripted peer on loopback.

Messages are spooled by the Exim 4.96 oracle (-odq, so Tern reads real
Exim spool files); the smtp transport is driven through
build/unit/test_smtp_client (deliver CONF ID ADDR...), which calls the
transport's deliver entry and retry_update and prints each address's
result. Once deliver.c is merged these become -M deliveries.
"""
import email
import os
import pathlib
import subprocess
import time

import pytest

from smtp_peer import Peer

REPO = pathlib.Path(__file__).resolve().parents[2]
CLIENT = REPO / "build" / "unit" / "test_smtp_client"
EXIM = "/usr/sbin/exim4"

CONF = """\
spool_directory = {spool}
log_file_path = {spool}/%slog
exim_user = root
primary_hostname = tern.test
qualify_domain = tern.test
begin routers
begin transports
remote:
  driver = smtp
  hosts = {hosts}
  port = {port}
  helo_data = client.test
  command_timeout = {cmd_timeout}
  data_timeout = 3s
  final_timeout = {final_timeout}
  connect_timeout = 3s
  hosts_try_fastopen =
  {extra}
begin retry
{retry}
"""


@pytest.fixture
def env(tmp_path):
    if not CLIENT.exists():
        pytest.skip("build/unit/test_smtp_client not built (make unit)")
    if not os.path.exists(EXIM):
        pytest.skip("no Exim oracle to spool messages with")
    peers = []

    class Env:
        spool = tmp_path / "spool"

        def peer(self, **kw):
            p = Peer(**kw)
            peers.append(p)
            return p

        def config(self, port, hosts="127.0.0.1", extra="", retry="* * F,1h,10m",
                   cmd_timeout="3s", final_timeout="3s"):
            path = tmp_path / "conf"
            path.write_text(CONF.format(spool=self.spool, hosts=hosts, port=port, extra=extra,
                                        retry=retry, cmd_timeout=cmd_timeout,
                                        final_timeout=final_timeout))
            os.chmod(path, 0o644)
            return str(path)

        def spool_message(self, conf, rcpts, body="Hello\n.dot line\n", sender="snd@tern.test"):
            text = f"From: {sender}\nTo: {', '.join(rcpts)}\nSubject: test\n\n{body}"
            out = subprocess.run([EXIM, "-C", conf, "-odq", "-f", sender, *rcpts], input=text,
                                 capture_output=True, text=True, timeout=30)
            assert out.returncode == 0, out.stderr
            ids = sorted(p.name[:-2] for p in (self.spool / "input").glob("*-H"))
            return [i for i in ids if i not in getattr(self, "seen", set())][-1]

        def deliver(self, conf, msgid, rcpts, mode="deliver", ids=None):
            args = [str(CLIENT), mode, conf, *(ids or [msgid]), *rcpts]
            out = subprocess.run(args, capture_output=True, text=True, timeout=60)
            assert out.returncode == 0, out.stderr
            res = {}
            for line in out.stdout.splitlines():
                addr, rc, rest = line.split(" ", 2)
                res.setdefault(addr, []).append((rc, rest))
            return {a: v if mode == "continue" else v[-1] for a, v in res.items()}

    yield Env()
    for p in peers:
        p.stop()


def test_pipelined_delivery_several_recipients(env):
    p = env.peer()
    conf = env.config(p.port)
    mid = env.spool_message(conf, ["a@x.test", "b@x.test"])
    res = env.deliver(conf, mid, ["a@x.test", "b@x.test"])
    assert res["a@x.test"][0] == "OK" and res["b@x.test"][0] == "OK"
    assert "conf=250 OK id=peer-1" in res["a@x.test"][1]
    assert p.commands[0] == "EHLO client.test"
    mail = [c for c in p.commands if c.startswith("MAIL")][0]
    assert mail.startswith("MAIL FROM:<snd@tern.test> SIZE=")
    assert [c for c in p.commands if c.startswith("RCPT")] == ["RCPT TO:<a@x.test>", "RCPT TO:<b@x.test>"]
    assert len(p.messages) == 1
    m = email.message_from_bytes(p.messages[0])
    assert m["Subject"] == "test"
    # dot-stuffing undone by the peer's reader? The raw data keeps it.
    assert b"\r\n..dot line\r\n" in p.messages[0]


def test_per_recipient_4xx_and_5xx(env):
    p = env.peer(rcpt={"t@x.test": "451 4.3.0 try later", "p@x.test": "550 5.1.1 no such user"})
    conf = env.config(p.port)
    mid = env.spool_message(conf, ["ok@x.test", "t@x.test", "p@x.test"])
    res = env.deliver(conf, mid, ["ok@x.test", "t@x.test", "p@x.test"])
    assert res["ok@x.test"][0] == "OK"
    assert res["t@x.test"][0] == "DEFER"
    assert "errno=-44 more=451" in res["t@x.test"][1]
    # Exim 4.96 does not say "pipelined" of a RCPT
    assert "SMTP error from remote mail server after RCPT TO:<t@x.test>: 451 4.3.0 try later" in res["t@x.test"][1]
    assert res["p@x.test"][0] == "FAIL"
    assert "550 5.1.1 no such user" in res["p@x.test"][1]
    assert len(p.messages) == 1


def test_no_pipelining_one_by_one(env):
    p = env.peer(pipelining=False, rcpt={"t@x.test": "452 full"})
    conf = env.config(p.port)
    mid = env.spool_message(conf, ["a@x.test", "t@x.test"])
    res = env.deliver(conf, mid, ["a@x.test", "t@x.test"])
    assert res["a@x.test"][0] == "OK" and res["t@x.test"][0] == "DEFER"
    assert "after RCPT TO:<t@x.test>: 452 full" in res["t@x.test"][1]


def test_mail_and_data_errors(env):
    p = env.peer(mail="452 too busy")
    conf = env.config(p.port)
    mid = env.spool_message(conf, ["a@x.test"])
    res = env.deliver(conf, mid, ["a@x.test"])
    assert res["a@x.test"][0] == "DEFER" and "errno=-45 more=452" in res["a@x.test"][1]  # ERRNO_MAIL4XX, as Exim
    p2 = env.peer(final="554 rejected content")
    conf = env.config(p2.port)
    res = env.deliver(conf, mid, ["a@x.test"])
    assert res["a@x.test"][0] == "FAIL"
    assert "after end of data: 554 rejected content" in res["a@x.test"][1]


def test_max_rcpt_splits_transactions(env):
    p = env.peer()
    conf = env.config(p.port, extra="max_rcpt = 2")
    rcpts = [f"r{i}@x.test" for i in range(5)]
    mid = env.spool_message(conf, rcpts)
    res = env.deliver(conf, mid, rcpts)
    assert all(v[0] == "OK" for v in res.values())
    assert len(p.messages) == 3
    assert p.connections == 1


def test_peer_down_then_back_retry(env):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens: connection refused
    conf = env.config(port)
    mid = env.spool_message(conf, ["a@x.test"])
    res = env.deliver(conf, mid, ["a@x.test"])
    assert res["a@x.test"][0] == "DEFER" and "Connection refused" in res["a@x.test"][1]
    # the host now waits for its retry time
    res = env.deliver(conf, mid, ["a@x.test"])
    assert "retry time not reached for any host" in res["a@x.test"][1]
    assert (env.spool / "db" / "retry").exists()
    # the peer comes back; the hint is removed by hand (as a queue run
    # after the retry time would find it due) and delivery succeeds
    (env.spool / "db" / "retry").unlink()
    p = env.peer()
    conf = env.config(p.port)
    res = env.deliver(conf, mid, ["a@x.test"])
    assert res["a@x.test"][0] == "OK"


def test_refused_without_retry_rules_fails(env):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    conf = env.config(port, retry="")
    mid = env.spool_message(conf, ["a@x.test"])
    res = env.deliver(conf, mid, ["a@x.test"])
    assert res["a@x.test"][0] == "FAIL"
    assert "retry timeout exceeded" in res["a@x.test"][1]


def test_close_mid_data_defers(env):
    p = env.peer(mode="close_in_data")
    conf = env.config(p.port)
    mid = env.spool_message(conf, ["a@x.test"], body="line\n" * 50000)
    res = env.deliver(conf, mid, ["a@x.test"])
    assert res["a@x.test"][0] == "DEFER"
    assert p.messages == []


def test_stall_after_data_times_out(env):
    p = env.peer(mode="stall_after_data")
    conf = env.config(p.port, final_timeout="2s")
    mid = env.spool_message(conf, ["a@x.test"])
    t0 = time.time()
    res = env.deliver(conf, mid, ["a@x.test"])
    assert res["a@x.test"][0] == "DEFER"
    assert "SMTP timeout after end of data" in res["a@x.test"][1]
    assert time.time() - t0 < 15


def test_ten_megabytes_of_garbage(env):
    p = env.peer(mode="garbage")
    conf = env.config(p.port)
    mid = env.spool_message(conf, ["a@x.test"])
    res = env.deliver(conf, mid, ["a@x.test"])
    assert res["a@x.test"][0] == "DEFER"
    assert "too long" in res["a@x.test"][1] and "errno=-19 " in res["a@x.test"][1]
    # no host line of its own (Exim 4.96 writes none); the -M log lines
    # are in test_smtp_out_options.py


def test_fallback_to_second_host(env):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = s.getsockname()[1]
    s.close()
    p = env.peer()
    conf = env.config(p.port, hosts=f"127.0.0.1::{dead} : 127.0.0.1")
    mid = env.spool_message(conf, ["a@x.test"])
    res = env.deliver(conf, mid, ["a@x.test"])
    assert res["a@x.test"][0] == "OK"


def test_two_messages_one_connection(env):
    p = env.peer()
    conf = env.config(p.port)
    m1 = env.spool_message(conf, ["a@x.test"])
    env.seen = {m1}
    m2 = env.spool_message(conf, ["a@x.test"])
    res = env.deliver(conf, None, ["a@x.test"], mode="continue", ids=[m1, m2])
    assert [r[0] for r in res["a@x.test"]] == ["OK", "OK"]
    assert p.connections == 1 and len(p.messages) == 2
    assert "RSET" in p.commands


def test_dsn_parameters_passed_on(env):
    p = env.peer(dsn=True)
    conf = env.config(p.port)
    mid = env.spool_message(conf, ["a@x.test"])
    env.deliver(conf, mid, ["a@x.test"])
    # without DSN data in the spool no parameters are invented
    assert [c for c in p.commands if c.startswith("RCPT")] == ["RCPT TO:<a@x.test>"]
