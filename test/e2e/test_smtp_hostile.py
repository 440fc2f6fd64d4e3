"""test_smtp_hostile.py - hostile input to the daemon: long lines, NULs,
8-bit bytes, recipient and header floods, connection floods, garbage
before the banner, clients that vanish mid-DATA. Each gets Exim's reply
and a log line, and the daemon keeps serving."""
import os
import socket
import time

from smtp_util import Env

ACCEPT = "acl_smtp_rcpt = accept\nqueue_only"  # messages stay on the spool for inspection


def still_serving(d):
    c = d.client()
    assert c.cmd("QUIT") == "221 test.example closing connection\r\n"


def start_data(c):
    c.cmd("EHLO x")
    assert c.cmd("MAIL FROM:<a@b.c>") == "250 OK\r\n"
    assert c.cmd("RCPT TO:<x@y.z>") == "250 Accepted\r\n"
    assert c.cmd("DATA").startswith("354 ")


def test_one_megabyte_command_line(tmp_path):
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        c = d.client()
        c.cmd("HELO x")
        try:
            c.send(b"A" * (1024 * 1024) + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        out = c.rest()
        assert out.startswith("500 unrecognized command\r\n" * 3 +
                              "500 Too many unrecognized commands\r\n")
        still_serving(d)
    assert any(l.startswith("SMTP call from (x) [127.0.0.1] dropped: too many unrecognized "
                            "commands (last was \"AAAA") for l in env.log())


def test_nul_and_8bit_in_commands(tmp_path):
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        assert c.cmd("NOOP a\0b") == "501 NUL characters are not allowed in SMTP commands\r\n"
        c.send(b"MAIL FROM:<\xe9t\xe9@b.c>\r\n")
        assert c.reply() == "250 OK\r\n"
        c.send(b"\xff\xfe\r\n")
        assert c.reply() == "500 unrecognized command\r\n"
        assert c.cmd("QUIT").startswith("221 ")


def test_ten_thousand_recipients(tmp_path):
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        c.cmd("MAIL FROM:<a@b.c>")
        n = 10000
        c.send("".join("RCPT TO:<r%d@y.z>\r\n" % i for i in range(n)))
        replies = [c.reply() for _ in range(n)]
        assert replies == ["250 Accepted\r\n"] * n
        assert c.cmd("DATA").startswith("354 ")
        assert c.cmd("Subject: many\r\n\r\nx\r\n.").startswith("250 OK id=")
    (mid,) = env.messages()
    with open(os.path.join(env.spool, "input", mid + "-H")) as f:
        text = f.read()
    assert "\n10000\nr0@y.z\n" in text and "\nr9999@y.z\n" in text


def test_recipients_max(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nrecipients_max = 3")
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        c.cmd("MAIL FROM:<a@b.c>")
        got = [c.cmd("RCPT TO:<r%d@y.z>" % i) for i in range(5)]
        assert got == ["250 Accepted\r\n"] * 3 + ["452 too many recipients\r\n"] * 2
    assert "too many recipients: excess temporarily rejected: sender=<a@b.c> H=(x) " \
        "[127.0.0.1]" in env.log()


def test_recipients_max_reject(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nrecipients_max = 1\nrecipients_max_reject")
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        c.cmd("MAIL FROM:<a@b.c>")
        assert c.cmd("RCPT TO:<a@y.z>") == "250 Accepted\r\n"
        assert c.cmd("RCPT TO:<b@y.z>") == "552 too many recipients\r\n"


def test_header_flood(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nheader_maxsize = 100K")
    with env.daemon() as d:
        c = d.client()
        start_data(c)
        c.send("".join("X-Flood-%d: %s\r\n" % (i, "v" * 40) for i in range(5000)))
        c.send("\r\nbody\r\n.\r\n")
        assert c.reply() == "552 Message header is ridiculously long\r\n"
        assert c.cmd("QUIT").startswith("221 ")
    assert env.messages() == [] and env.input_files() == []
    assert any("ridiculously long message header received from (x) [127.0.0.1] (more than "
               "102400 characters): message abandoned" in l for l in env.log())


def test_header_line_maxsize(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nheader_line_maxsize = 100")
    with env.daemon() as d:
        c = d.client()
        start_data(c)
        c.send("Subject: " + "x" * 200 + "\r\n\r\nbody\r\n.\r\n")
        assert c.reply() == "552 A message header line is too long\r\n"
    assert env.input_files() == []


def test_message_size_limit_daemon(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nmessage_size_limit = 1K")
    with env.daemon() as d:
        c = d.client()
        ehlo = c.cmd("EHLO x")
        assert "250-SIZE 1024\r\n" in ehlo
        assert c.cmd("MAIL FROM:<a@b.c> SIZE=5000") == \
            "552 Message size exceeds maximum permitted\r\n"
        start_data(c)
        c.send("Subject: big\r\n\r\n" + ("y" * 70 + "\r\n") * 100 + ".\r\n")
        assert c.reply() == "552 Message size exceeds maximum permitted\r\n"
    assert env.input_files() == []
    assert "rejected MAIL FROM:<a@b.c> H=(x) [127.0.0.1]: message too big: size=5000 max=1024" \
        in env.log()


def test_connection_flood(tmp_path):
    env = Env(tmp_path, ACCEPT + "\nsmtp_accept_max = 5")
    with env.daemon() as d:
        socks = [socket.create_connection(("127.0.0.1", d.port)) for _ in range(30)]
        banners = []
        for s in socks:
            s.settimeout(5)
            banners.append(s.recv(4096).decode())
        ok = [b for b in banners if b.startswith("220 ")]
        refused = [b for b in banners
                   if b == "421 Too many concurrent SMTP connections; please try again later.\r\n"]
        assert len(ok) == 5 and len(refused) == 25
        for s in socks:
            s.close()
        time.sleep(0.5)
        still_serving(d)
    assert sum("refused: too many connections" in l for l in env.log()) == 25


def test_garbage_before_banner_sync(tmp_path):
    env = Env(tmp_path, ACCEPT + "\npipelining_connect_advertise_hosts = :")
    with env.daemon() as d:
        s = socket.create_connection(("127.0.0.1", d.port))
        s.sendall(b"garbage\r\n")
        s.settimeout(5)
        out = b""
        while True:
            x = s.recv(4096)
            if not x:
                break
            out += x
        assert out == b"554 SMTP synchronization error\r\n"
    assert 'SMTP protocol synchronization error (input sent without waiting for greeting): ' \
        'rejected connection from H=[127.0.0.1] input="garbage\\r\\n"' in env.log()


def test_client_vanishes_mid_data(tmp_path):
    env = Env(tmp_path, ACCEPT)
    with env.daemon() as d:
        c = d.client()
        start_data(c)
        c.send("Subject: gone\r\n\r\npartial body\r\n")
        c.close()
        time.sleep(0.5)
        still_serving(d)
    assert env.input_files() == []
    assert "SMTP connection from (x) [127.0.0.1] lost while reading message data" in env.log()
