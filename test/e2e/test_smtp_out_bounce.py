"""test_smtp_out_bounce.py - bounce and delay-warning messages made by
moan.c after smtp deliveries, parsed with Python's email module."""
import email
import subprocess

import pytest

from test_smtp_out import env  # noqa: F401  (fixture)


def new_messages(env, known):
    ids = sorted(p.name[:-2] for p in (env.spool / "input").glob("*-H"))
    return [i for i in ids if i not in known]


def read_spooled(env, mid):
    h = (env.spool / "input" / f"{mid}-H").read_text()
    d = (env.spool / "input" / f"{mid}-D").read_text()
    # -H header lines: "NNNc Name: value" blocks after the recipients
    heads = []
    for line in h.split("\n\n", 1)[1].splitlines(keepends=True):
        if line[:3].isdigit() and len(line) > 4 and line[4] == " ":
            heads.append(line[5:])
        else:
            heads[-1] += line
    body = d.split("\n", 1)[1]
    return h, email.message_from_string("".join(heads) + "\n" + body)


def test_bounce_after_5xx(env):
    p = env.peer(rcpt={"bad@x.test": "550 5.1.1 no such user"})
    conf = env.config(p.port)
    mid = env.spool_message(conf, ["ok@x.test", "bad@x.test"])
    res = env.deliver(conf, mid, ["ok@x.test", "bad@x.test"], mode="bounce")
    assert res["bad@x.test"][0] == "FAIL"
    new = new_messages(env, {mid})
    assert len(new) == 1
    h, m = read_spooled(env, new[0])
    assert h.splitlines()[2] == "<>"
    assert "-received_protocol local" in h
    assert "snd@tern.test" in h.split("\n\n", 1)[0]  # among the envelope recipients
    assert m["Subject"] == "Mail delivery failed: returning message to sender"
    assert m["Auto-Submitted"] == "auto-replied"
    assert m["X-Failed-Recipients"] == "bad@x.test"
    assert m["To"] == "snd@tern.test"
    assert "Mailer-Daemon@tern.test" in m["From"]
    assert m["Message-Id"].startswith(f"<E{new[0]}@")
    if m.is_multipart():  # EXPERIMENTAL_DSN: RFC 3464 report
        assert m.get_content_type() == "multipart/report"
        parts = m.get_payload()
        text = parts[0].get_payload()
        status = parts[1]
        assert status.get_content_type() == "message/delivery-status"
        flat = status.as_string()
        assert "Action: failed" in flat and "Final-Recipient: rfc822;bad@x.test" in flat
        assert "Status: 5.1.1" in flat
        returned = parts[2]
        assert returned.get_content_type() == "message/rfc822"
        assert returned.get_payload()[0]["Subject"] == "test"
    else:
        text = m.get_payload()
        assert "------ This is a copy of the message, including all the headers. ------" in text
    assert "This message was created automatically by mail delivery software." in text
    assert "  bad@x.test\n    SMTP error from remote mail server after RCPT TO:<bad@x.test>: 550 5.1.1 no such user" in text
    assert "ok@x.test" not in text
    log = (env.spool / "mainlog").read_text()
    assert f"{new[0]} <= <> R={mid} U=" in log


def test_bounce_message_file(env, tmp_path):
    tmpl = tmp_path / "bounce.tmpl"
    tmpl.write_text("Subject: Oops for $bounce_recipient\n****\nCustom intro.\n****\n****\n****\n****\n")
    p = env.peer(rcpt={"bad@x.test": "550 no"})
    conf = env.config(p.port)
    text = open(conf).read().replace("begin routers", f"bounce_message_file = {tmpl}\nbegin routers")
    open(conf, "w").write(text)
    mid = env.spool_message(conf, ["bad@x.test"])
    env.deliver(conf, mid, ["bad@x.test"], mode="bounce")
    _, m = read_spooled(env, new_messages(env, {mid})[0])
    assert m["Subject"] == "Oops for snd@tern.test"
    flat = m.as_string()
    assert "Custom intro." in flat and "created automatically" not in flat


def test_bounces_never_bounce(env):
    p = env.peer(rcpt={"bad@x.test": "550 no"})
    conf = env.config(p.port)
    mid = env.spool_message(conf, ["bad@x.test"], sender="<>")
    env.deliver(conf, mid, ["bad@x.test"], mode="bounce")
    assert new_messages(env, {mid}) == []


def test_delay_warning_text(env):
    p = env.peer(rcpt={"slow@x.test": "451 later"})
    conf = env.config(p.port)
    mid = env.spool_message(conf, ["slow@x.test"])
    env.deliver(conf, mid, ["slow@x.test"], mode="warn")
    _, m = read_spooled(env, new_messages(env, {mid})[0])
    assert m["Subject"].startswith(f"Warning: message {mid} delayed ")
    flat = m.as_string()
    assert f"The message identifier is:     {mid}" in flat
    assert "The subject of the message is: test" in flat
    assert "  slow@x.test\n" in flat
    if m.is_multipart():
        assert "Action: delayed" in flat
