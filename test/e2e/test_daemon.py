"""test_daemon.py - the listening daemon: messages over TCP, privilege
drop, limits on connections, pipelining sync checks, SIGHUP and SIGTERM."""
import os
import pwd
import signal
import smtplib
import time

import pytest

from smtp_util import Env, mask

ACCEPT = "acl_smtp_rcpt = accept\nqueue_only"  # messages stay on the spool for inspection


def wait_for(pred, timeout=5):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_smtplib_message_spooled_and_logged(tmp_path):
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        s = smtplib.SMTP("127.0.0.1", d.port)
        code, text = s.ehlo("client.example")
        assert code == 250
        assert text.decode().split("\n")[1:] == [
            "SIZE 52428800", "8BITMIME", "PIPELINING", "PIPECONNECT", "CHUNKING", "STARTTLS",
            "SMTPUTF8", "HELP"]
        assert s.sendmail("a@b.example", ["x@y.example"], "Subject: t\r\n\r\nhello\r\n") == {}
        s.quit()
    ids = env.messages()
    assert len(ids) == 1
    log = [l for l in env.log() if "<=" in l]
    assert mask(log[0]) == "ID <= a@b.example H=(client.example) [127.0.0.1] P=esmtp S=%s" % \
        log[0].split("S=")[1]
    with open(os.path.join(env.spool, "input", ids[0] + "-D"), "rb") as f:
        assert f.read() == ids[0].encode() + b"-D\nhello\n"


def test_child_runs_as_exim_user(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to test the privilege drop")
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        c = d.client()
        c.cmd("HELO x")
        c.cmd("MAIL FROM:<a@b.c>")
        c.cmd("RCPT TO:<x@y.z>")
        c.cmd("DATA")
        assert c.cmd("Subject: s\r\n\r\nbody\r\n.").startswith("250 OK id=")
        c.cmd("QUIT")
    h = [p for p in env.input_files() if p.endswith("-H")][0]
    tern = pwd.getpwnam("tern")
    assert os.stat(h).st_uid == tern.pw_uid
    with open(h) as f:
        assert f.readline().endswith("-H\n")
        assert f.readline() == "tern %d %d\n" % (tern.pw_uid, tern.pw_gid)


def test_pid_file_and_sigterm(tmp_path):
    env = Env(tmp_path, ACCEPT)
    d = env.daemon()
    with open(d.pidfile) as f:
        assert int(f.read()) == d.proc.pid
    d.stop()
    assert d.proc.returncode == 0
    assert not os.path.exists(d.pidfile)
    assert any("SIGTERM received: daemon terminating" in l for l in env.log())


def test_sighup_reexec_keeps_open_connection(tmp_path):
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        c = d.client()
        assert c.cmd("HELO x").startswith("250 ")
        os.kill(d.proc.pid, signal.SIGHUP)
        assert wait_for(lambda: any("re-exec daemon" in l for l in env.log()))
        time.sleep(0.3)
        # the old connection carries on in its own child
        assert c.cmd("MAIL FROM:<a@b.c>") == "250 OK\r\n"
        c.cmd("QUIT")
        # and the re-executed daemon accepts new ones
        c2 = d.client()
        assert c2.banner.startswith("220 test.example ESMTP Exim 4.96 ")
        c2.cmd("QUIT")
    assert sum("daemon started" in l for l in env.log()) == 2


def test_smtp_accept_max(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nsmtp_accept_max = 2")
    with env.daemon() as d:
        a, b = d.client(), d.client()
        c = d.client(banner=False)
        assert c.rest() == "421 Too many concurrent SMTP connections; please try again later.\r\n"
        a.cmd("QUIT")
        b.cmd("QUIT")
    assert "Connection from [127.0.0.1] refused: too many connections" in env.log()


def test_smtp_accept_max_per_host(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nsmtp_accept_max_per_host = 1")
    with env.daemon() as d:
        a = d.client()
        c = d.client(banner=False)
        assert c.rest() == ("421 Too many concurrent SMTP connections from one IP address; "
                            "please try again later.\r\n")
        a.cmd("QUIT")
    assert "Connection from [127.0.0.1] refused: too many connections from that IP address" \
        in env.log()


def test_smtp_accept_reserve(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nsmtp_accept_max = 3\nsmtp_accept_reserve = 2\n"
              "smtp_reserve_hosts = 10.9.9.9")
    with env.daemon() as d:
        a = d.client()
        c = d.client(banner=False)
        assert c.rest() == ("421 test.example: Too many concurrent SMTP connections; please try "
                            "again later\r\n")
        a.cmd("QUIT")
    assert "Connection from [127.0.0.1] refused: not in reserve list" in env.log()


def test_smtp_load_reserve(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nsmtp_load_reserve = 0")
    with open("/proc/loadavg") as f:
        if float(f.read().split()[0]) == 0:
            pytest.skip("load average is exactly 0")
    with env.daemon() as d:
        c = d.client(banner=False)
        assert c.rest() == "421 Too much load; please try again later.\r\n"


def test_smtp_accept_max_per_connection(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nsmtp_accept_max_per_connection = 1")
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        assert c.cmd("MAIL FROM:<a@b.c>") == "250 OK\r\n"
        c.cmd("RSET")
        assert c.cmd("MAIL FROM:<a@b.c>") == "421 too many messages in this connection\r\n"


def test_sync_error_without_pipelining(tmp_path):
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        c = d.client()
        c.send("HELO x\r\nMAIL FROM:<a@b.c>\r\n")
        assert c.rest() == "554 SMTP synchronization error\r\n"
    assert ('SMTP protocol synchronization error (next input sent too soon: pipelining was not '
            'advertised): rejected "HELO x" H=[127.0.0.1] next input="MAIL FROM:<a@b.c>\\r\\n"') \
        in env.log()


def test_pipelining_accepted_after_ehlo(tmp_path):
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        c.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<x2@y.z>\r\nDATA\r\n")
        assert [c.reply() for _ in range(4)] == [
            "250 OK\r\n", "250 Accepted\r\n", "250 Accepted\r\n",
            '354 Enter message, ending with "." on a line by itself\r\n']
        c.send("Subject: p\r\n\r\nx\r\n.\r\nQUIT\r\n")
        assert c.reply().startswith("250 OK id=")
        assert c.reply() == "221 test.example closing connection\r\n"


def test_data_in_pipeline_is_sync_error(tmp_path):
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        c.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: x\r\n")
        assert c.reply() == "250 OK\r\n"
        assert c.reply() == "250 Accepted\r\n"
        assert c.reply() == "554 SMTP synchronization error\r\n"
    assert env.messages() == []


def test_no_enforce_sync(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nno_smtp_enforce_sync")
    with env.daemon() as d:
        c = d.client()
        c.send("HELO x\r\nMAIL FROM:<a@b.c>\r\n")
        assert c.reply().startswith("250 test.example Hello x")
        assert c.reply() == "250 OK\r\n"


def test_bdat_chunking(tmp_path):
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        c.cmd("MAIL FROM:<a@b.c>")
        c.cmd("RCPT TO:<x@y.z>")
        c.send("BDAT 12\r\nSubject: c\r\n")
        assert c.reply() == "250 12 byte chunk received\r\n"
        c.send("BDAT 8 LAST\r\n\r\nbody\r\n")
        assert c.reply().startswith("250 OK id=")
    (mid,) = env.messages()
    with open(os.path.join(env.spool, "input", mid + "-D"), "rb") as f:
        assert f.read().endswith(b"-D\nbody\n")
    assert any(" P=esmtp K S=" in l for l in env.log())


def test_receive_timeout_command(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nsmtp_receive_timeout = 1s")
    with env.daemon() as d:
        c = d.client()
        c.cmd("HELO x")
        assert c.rest() == "421 test.example: SMTP command timeout - closing connection\r\n"
    assert "SMTP command timeout on connection from (x) [127.0.0.1]" in env.log()


def test_receive_timeout_data(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nsmtp_receive_timeout = 1s")
    with env.daemon() as d:
        c = d.client()
        c.cmd("HELO x")
        c.cmd("MAIL FROM:<a@b.c>")
        c.cmd("RCPT TO:<x@y.z>")
        c.cmd("DATA")
        c.send("Subject: slow\r\n")
        assert c.rest() == ("421 test.example SMTP incoming data timeout - closing "
                            "connection.\r\n")
    assert "SMTP data timeout (message abandoned) on connection from (x) [127.0.0.1] " \
        "F=<a@b.c>" in env.log()
    assert env.input_files() == []


def test_smtp_accept_queue_per_connection(tmp_path):
    # the second message of the connection is only queued, and says why
    env = Env(tmp_path, "acl_smtp_rcpt = accept\nsmtp_accept_queue_per_connection = 1\n"
              "begin routers\nr:\n  driver = redirect\n  data = :blackhole:")
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        for _ in range(2):
            c.cmd("MAIL FROM:<a@b.c>")
            c.cmd("RCPT TO:<x@y.z>")
            c.cmd("DATA")
            assert c.cmd("Subject: s\r\n\r\nbody\r\n.").startswith("250 OK id=")
        c.cmd("QUIT")
    assert wait_for(lambda: any("no immediate delivery" in ln for ln in env.log()))
    lines = [mask(ln) for ln in env.log()]
    arrivals = [i for i, ln in enumerate(lines) if " <= a@b.c " in ln]
    queued = [ln for ln in lines if "no immediate delivery" in ln]
    assert len(arrivals) == 2
    assert queued == ["ID no immediate delivery: more than 1 messages received in one connection"]
