"""test_deliver_autoreply.py - the autoreply transport: a vacation-style
router (unseen, so the mail is delivered too) answers the sender once,
from <>, with References/In-Reply-To/Auto-Submitted; once (Berkeley DB
and once_file_size plain file), once_repeat, never_mail, log,
return_message, file/file_expand/file_optional, non-printing headers."""
import email
import os

import pytest

from delivery_util import PublicDir, mainlog, run, spool_config, write_message


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


HEADERS = ["From: a@b.example\n", "Subject: hello\n", "Message-ID: <m1@b.example>\n"]


def config(tmp_path, pub, opts):
    spool = str(tmp_path / "spool")
    body = f"""begin routers
vac:
  driver = accept
  local_parts = tern
  transport = vacation
  unseen
  user = tern
out:
  driver = accept
  transport = box
  user = tern
begin transports
vacation:
  driver = autoreply
  from = tern@test.example
  to = $sender_address
  subject = Re: $h_subject:
  log = {pub}/vac.log
{opts}
box:
  driver = appendfile
  file = {pub}/$local_part
"""
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, body))
    return str(conf), spool


def deliver(tern_bin, conf, spool, sender="sender@test.example", headers=HEADERS):
    mid = write_message(spool, ["tern@test.example"], sender=sender, headers=headers)
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    return mid


def replies(pub):
    path = os.path.join(pub, "sender")
    if not os.path.exists(path):
        return []
    text = open(path).read()
    # each mbox entry ends with the blank line of message_suffix
    return [email.message_from_string(p.split("\n", 1)[1][:-1])
            for p in ("\n" + text).split("\nFrom MAILER-DAEMON ")[1:]]


def sub(tmp_path, name):
    d = tmp_path / name
    d.mkdir()
    return d


def test_vacation_reply_once(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, f"  text = I am away.\\n\n  once = {pub}/once.db")
    deliver(tern_bin, conf, spool)
    log = mainlog(spool)
    assert log[0] == "<= <> R=%s U=tern P=local S=%s" % (log[0].split("R=")[1].split()[0], log[0].split("S=")[1])
    assert "=> sender <sender@test.example> R=out T=box" in log
    assert "=> tern <tern@test.example> R=vac T=vacation" in log
    assert "=> tern <tern@test.example> R=out T=box" in log
    (m,) = replies(pub)
    assert m["To"] == "sender@test.example" and m["From"] == "tern@test.example"
    assert m["Subject"] == "Re: hello" and m["Auto-Submitted"] == "auto-replied"
    assert m["In-Reply-To"] == "<m1@b.example>" and m["References"] == "<m1@b.example>"
    assert m.get_payload() == "I am away.\n"
    assert "hello" in open(os.path.join(pub, "tern")).read()
    # once: the second message gets no reply, and the log says why
    deliver(tern_bin, conf, spool)
    assert len(replies(pub)) == 1
    assert open(os.path.join(pub, "tern")).read().count("Subject: hello") == 2
    vlog = open(os.path.join(pub, "vac.log")).read()
    assert "  To: sender@test.example\n  Subject: Re: hello\n" in vlog
    assert "  previously sent to sender@test.example\n" in vlog
    assert os.stat(os.path.join(pub, "once.db")).st_mode & 0o777 == 0o600


def test_once_file_size_and_repeat(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, f"  text = away\n  once = {pub}/once.txt\n  once_file_size = 200\n"
                                        "  once_repeat = 1s")
    deliver(tern_bin, conf, spool)
    assert len(replies(pub)) == 1
    line = open(os.path.join(pub, "once.txt")).read()
    assert line.split()[1] == "sender@test.example"
    import time
    time.sleep(1.2)
    deliver(tern_bin, conf, spool)
    assert len(replies(pub)) == 2
    assert os.path.getsize(os.path.join(pub, "once.txt")) <= 200


def test_never_mail_and_bounce_sender(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, "  text = away\n  never_mail = sender@test.example")
    deliver(tern_bin, conf, spool)
    assert replies(pub) == []
    assert "=> tern <tern@test.example> R=vac T=vacation" in mainlog(spool)
    assert not any(line.startswith("<= <>") for line in mainlog(spool))
    # a bounce (sender <>) is never answered: no recipients, no message
    conf2, spool2 = config(sub(tmp_path, "b"), pub, "  text = away")
    deliver(tern_bin, conf2, spool2, sender="")
    assert not any(line.startswith("<= <>") for line in mainlog(spool2))


def test_file_expand_optional_and_return_message(tern_bin, tmp_path, pub):
    f = os.path.join(pub, "vacation.txt")
    with open(f, "w") as fh:
        fh.write("Dear $local_part,\nback soon\n")
    os.chmod(f, 0o644)
    conf, spool = config(tmp_path, pub, f"  text = Hello\\n\n  file = {f}\n  file_expand\n  return_message")
    deliver(tern_bin, conf, spool)
    (m,) = replies(pub)
    body = m.get_payload()
    assert body.startswith("Hello\nDear tern,\nback soon\n------ This is a copy of the message, including all the headers.\n")
    assert "Subject: hello\n" in body and "body line" in body
    conf, spool = config(sub(tmp_path, "x"), pub,
                         f"  file = {pub}/missing\n  file_optional\n  text = only text")
    os.unlink(os.path.join(pub, "sender"))
    deliver(tern_bin, conf, spool)
    assert replies(pub)[0].get_payload() == "only text\n"


def test_missing_file_and_nonprinting_header_defer(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, f"  file = {pub}/missing")
    deliver(tern_bin, conf, spool)
    assert any(line.startswith("== tern@test.example R=vac T=vacation defer") and f"Failed to open file {pub}/missing" in line
               for line in mainlog(spool))
    conf, spool = config(sub(tmp_path, "y"), pub,
                         "  headers = X-A: 1\n  text = t")
    conf_text = open(conf).read().replace("subject = Re: $h_subject:", "subject = ${sg{$h_subject:}{l}{\\x01}}")
    open(conf, "w").write(conf_text)
    deliver(tern_bin, conf, spool)
    assert any("contains non-printing character 1" in line for line in mainlog(spool))
