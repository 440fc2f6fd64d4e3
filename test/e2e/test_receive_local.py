"""test_receive_local.py - the sendmail interface (-bm, -t, -i/-oi, -f,
-F, the bare "tern addr" form, scripts/sendmail) and -bs/-oM* rules.
Spool files and log lines are checked as Exim 4.96 writes them."""
import os
import subprocess

from smtp_util import Env, HERE, TERN, mask


def read(path):
    with open(path, "rb") as f:
        return f.read()


def headers_of(env, mid):
    text = read(os.path.join(env.spool, "input", mid + "-H")).decode()
    return text.split("\n\n", 1)[1] if "\n\n" in text else text


def test_bm_recipients_and_dot(tmp_path):
    env = Env(tmp_path)
    p = env.run(["-odq", "-bm", "a@b.c", "y"], b"Subject: hi\n\nbody\n.\nmore\n")
    assert p.returncode == 0, p.stderr
    (mid,) = env.messages()
    assert read(os.path.join(env.spool, "input", mid + "-D")) == mid.encode() + b"-D\nbody\n"
    h = read(os.path.join(env.spool, "input", mid + "-H")).decode()
    assert "\n2\na@b.c\ny@test.example\n" in h
    assert "\n-local\n" in h and "\n-auth_id root\n" in h
    assert mask(env.log()[-1]) == "ID <= root@test.example U=root P=local S=283"


def test_oi_keeps_dot_lines(tmp_path):
    env = Env(tmp_path)
    assert env.run(["-odq", "-oi", "x@y.z"], b"Subject: a\n\nl1\n.\nl2\n").returncode == 0
    (mid,) = env.messages()
    assert read(os.path.join(env.spool, "input", mid + "-D")).endswith(b"-D\nl1\n.\nl2\n")


def test_t_extracts_and_drops_bcc(tmp_path):
    env = Env(tmp_path)
    data = b"To: a@b.c, Name <c@d.e>\nBcc: z@y\nSubject: hi\n\nbody\n"
    assert env.run(["-odq", "-t", "-i"], data).returncode == 0
    (mid,) = env.messages()
    h = read(os.path.join(env.spool, "input", mid + "-H")).decode()
    assert "\n3\na@b.c\nc@d.e\nz@y\n" in h
    assert "* Bcc: z@y\n" in h
    assert mask(env.log()[-1]) == "ID <= root@test.example U=root P=local S=307"


def test_f_and_F_make_from(tmp_path):
    env = Env(tmp_path)
    assert env.run(["-odq", "-f", "sender@x.y", "-F", "Fred", "a@b.c"],
                   b"Subject: hi\n\nbody\n").returncode == 0
    (mid,) = env.messages()
    assert "F From: Fred <sender@x.y>\n" in headers_of(env, mid)
    assert mask(env.log()[-1]) == "ID <= sender@x.y U=root P=local S=280"


def test_no_recipients_is_an_error(tmp_path):
    env = Env(tmp_path)
    p = env.run(["-odq", "-t"], b"Subject: nobody\n\nx\n")
    assert p.returncode != 0 and b"no recipients" in p.stderr
    assert env.input_files() == []


def test_message_size_limit_local(tmp_path):
    env = Env(tmp_path, "message_size_limit = 100")
    p = env.run(["-odq", "a@b.c"], b"Subject: big\n\n" + b"x" * 500 + b"\n")
    assert p.returncode != 0
    assert env.input_files() == []


def test_sendmail_wrapper(tmp_path):
    env = Env(tmp_path)
    wrapper = os.path.join(HERE, "..", "..", "scripts", "sendmail")
    p = subprocess.run([wrapper, "-C", env.conf, "-odq", "-t", "-i"],
                       input=b"To: w@x.y\nSubject: s\n\nb\n", capture_output=True,
                       env=dict(os.environ, TERN=os.path.abspath(TERN)))
    assert p.returncode == 0, p.stderr
    assert len(env.messages()) == 1


def test_bs_with_oM_flags(tmp_path):
    env = Env(tmp_path, "acl_smtp_rcpt = accept")
    p = env.run(["-odq", "-bs", "-oMa", "10.0.0.1", "-oMr", "testproto", "-oMs", "host.name",
                 "-oMt", "idt"],
                b"EHLO foo\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: s\r\n\r\n"
                b"b\r\n.\r\nQUIT\r\n")
    assert b"250-test.example Hello idt at host.name [10.0.0.1]\r\n" in p.stdout
    assert mask(env.log()[-1]) == "ID <= a@b.c H=host.name (foo) [10.0.0.1] U=idt P=esmtp S=203"
    (mid,) = env.messages()
    h = read(os.path.join(env.spool, "input", mid + "-H")).decode()
    assert "\n--host_address [10.0.0.1]:0\n--host_name host.name\n--ident idt\n" in h


def test_oM_flags_ignored_for_untrusted_caller(tmp_path):
    # Exim's rule: outside -bh/-be/-bt/-bv they are ignored unless the caller
    # is trusted (nothing is refused); the session goes on as the caller
    env = Env(tmp_path, "acl_smtp_mail = deny message = m=$sender_host_address/$sender_host_name/"
              "$sender_ident/$received_protocol")
    os.chmod(env.conf, 0o644)
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        TERN, "-C", env.conf, "-bs", "-oMa", "10.0.0.1", "-oMs", "host.name",
                        "-oMt", "idt", "-oMr", "proto"],
                       input=b"EHLO foo\r\nMAIL FROM:<a@b.c>\r\nQUIT\r\n", capture_output=True)
    if b"setpriv" in p.stderr and p.returncode == 127:
        return
    assert b"250-test.example Hello nobody at foo\r\n" in p.stdout
    assert b"550 m=//nobody/local-esmtp\r\n" in p.stdout
