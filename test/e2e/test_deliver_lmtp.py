"""test_deliver_lmtp.py - the lmtp transport against test/e2e/lmtp_server.py
over a command's pipes and over a UNIX socket: one transaction for a
batch (batch_max), per-recipient replies after DATA (2xx delivered, 4xx
deferred, 5xx failed), RCPT rejections, and a server that is not there."""
import os
import subprocess
import time

import pytest

from delivery_util import PublicDir, mainlog, run, spool_config, write_message

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lmtp_server.py")


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def config(tmp_path, pub, where, batch_max=10):
    spool = str(tmp_path / "spool")
    body = f"""begin routers
l:
  driver = accept
  domains = test.example
  transport = lmtp
  user = tern
begin transports
lmtp:
  driver = lmtp
  {where}
  batch_max = {batch_max}
  timeout = 5s

begin retry
* * F,1h,10m
"""  # a rule: deferrals stay queued (none: they time out, as in Exim)
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, body, "retry_interval_max = 1m"))
    return str(conf), spool


def test_lmtp_command_per_recipient_replies(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, f"command = {SERVER} {pub}")
    rcpts = ["ok1@test.example", "ok2@test.example", "rcptfail@test.example",
             "datafail@test.example", "datatemp@test.example"]
    mid = write_message(spool, rcpts)
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    log = mainlog(spool)
    assert "=> ok1 <ok1@test.example> R=l T=lmtp" in log
    assert "-> ok2 <ok2@test.example> R=l T=lmtp" in log
    assert "** rcptfail@test.example R=l T=lmtp: LMTP error after RCPT TO:<rcptfail@test.example>: " \
           "550 5.1.1 no such user" in log
    assert "** datafail@test.example R=l T=lmtp: LMTP error after end of data: 552 5.2.2 mailbox full" in log
    assert "== datatemp@test.example R=l T=lmtp defer (-1): LMTP error after end of data: " \
           "452 4.2.2 over quota, later" in log
    # one transaction for the whole batch
    tr = open(os.path.join(pub, "transcript")).read().splitlines()
    assert tr.count("DATA") == 1 and sum(1 for x in tr if x.startswith("RCPT TO:")) == 5
    assert tr[0] == "LHLO test.example" and tr[1] == "MAIL FROM:<sender@x.example>"
    text = open(os.path.join(pub, "ok1@test.example")).read()
    assert "Subject: test\n" in text and "body line\n" in text
    assert os.path.exists(os.path.join(spool, "input", mid + "-H"))  # datatemp is still to do


def test_lmtp_socket_and_batch_max(tern_bin, tmp_path, pub):
    sock = os.path.join(pub, "lmtp.sock")
    srv = subprocess.Popen([SERVER, pub, "--socket", sock])
    try:
        for _ in range(50):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        conf, spool = config(tmp_path, pub, f"socket = {sock}", batch_max=2)
        mid = write_message(spool, ["a1@test.example", "a2@test.example", "a3@test.example"],
                            body=".leading dot\nbody\n")
        rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
        assert rc == 0, err
    finally:
        srv.kill()
        srv.wait()
    log = mainlog(spool)
    assert [x for x in log if x.startswith(("=>", "->"))] == [
        "=> a1 <a1@test.example> R=l T=lmtp", "-> a2 <a2@test.example> R=l T=lmtp", "=> a3 <a3@test.example> R=l T=lmtp"]
    assert log[-1] == "Completed"
    tr = open(os.path.join(pub, "transcript")).read().splitlines()
    assert tr.count("DATA") == 2
    assert ".leading dot\nbody\n" in open(os.path.join(pub, "a3@test.example")).read()


def test_lmtp_socket_missing_defers(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, f"socket = {pub}/nothing.sock")
    mid = write_message(spool, ["x@test.example"])
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    assert any(line.startswith("== x@test.example R=l T=lmtp defer") and "Failed to connect to socket" in line
               for line in mainlog(spool))
