"""test_filter_mail.py - the Exim filter commands mail and vacation: the
reply goes through the redirect router's reply_transport (autoreply) as a
new message from <>, with the filter's headers and text; the original is
still delivered unless the command was "seen"; vacation's defaults
(.vacation.msg expanded, .vacation once file, .vacation.log) answer a
correspondent once; no reply to a bounce; forbid_filter_reply; 10,000
recipients and a huge text from expansions; filters that would loop."""
import os
import pwd
import re

import pytest

from delivery_util import PublicDir, mainlog, run, spool_config, write_message

HEADERS = ["From: Some One <s@src.example>\n", "Subject: hi\n", "Message-ID: <m1@src.example>\n"]


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def config(tmp_path, pub, filt, extra_router=""):
    spool = str(tmp_path / "spool")
    home = os.path.join(pub, "home")
    os.makedirs(home, exist_ok=True)
    tern = pwd.getpwnam("tern")
    os.chown(home, tern.pw_uid, tern.pw_gid)
    with open(os.path.join(pub, "filter"), "w") as f:
        f.write("# Exim filter\n" + filt)
    body = f"""begin routers
filt:
  driver = redirect
  local_parts = tern
  file = {pub}/filter
  allow_filter
  user = tern
  router_home_directory = {home}
  reply_transport = address_reply
{extra_router}
many:
  driver = redirect
  domains = many.example
  data = :blackhole:
users:
  driver = accept
  local_parts = tern : other : cc : s
  transport = mbox
  user = tern
begin transports
mbox:
  driver = appendfile
  file = {pub}/$local_part
address_reply:
  driver = autoreply
"""
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, body))
    return str(conf), spool, home


def deliver(tern_bin, conf, spool, sender="s@test.example", headers=HEADERS):
    mid = write_message(spool, ["tern@test.example"], sender=sender, headers=headers)
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    return mid


def own_lines(spool, mid):
    """The mainlog lines of message mid (the replies have lines of their own)."""
    path = os.path.join(spool, "log", "mainlog")
    lines = [re.sub(r"^\S+ \S+ ", "", l.rstrip("\n")) for l in open(path)]
    return [l[len(mid) + 1:] for l in lines if l.startswith(mid + " ")]


def test_mail_sends_reply_and_delivers_original(tern_bin, tmp_path, pub):
    conf, spool, _ = config(tmp_path, pub, 'mail to "other@test.example" cc "Cc Person <cc@test.example>" '
                            'subject "Re: $h_subject:" text "Got it\\nthanks" extra_headers "X-A: 1" '
                            'from tern@test.example reply_to r@test.example\n')
    mid = deliver(tern_bin, conf, spool)
    mine = own_lines(spool, mid)
    assert mine == ["=> >other@test.example <tern@test.example> R=filt T=address_reply",
                    "=> tern <tern@test.example> R=users T=mbox", "Completed"]
    reply_in = [l for l in mainlog(spool) if l.startswith("<= <>")]
    assert len(reply_in) == 1 and reply_in[0].startswith(f"<= <> R={mid} U=tern P=local S=")
    text = open(os.path.join(pub, "other")).read()
    head, body = text.split("\n\n", 1)
    for h in ("From: tern@test.example", "Reply-To: r@test.example", "To: other@test.example",
              "Cc: Cc Person <cc@test.example>", "Subject: Re: hi", "In-Reply-To: <m1@src.example>",
              "References: <m1@src.example>", "Auto-Submitted: auto-replied", "X-A: 1"):
        assert "\n" + h + "\n" in head + "\n", h
    assert head.startswith("From MAILER-DAEMON ")
    assert body == "Got it\nthanks\n"
    assert os.path.exists(os.path.join(pub, "cc"))
    assert "Subject: hi" in open(os.path.join(pub, "tern")).read()


def test_seen_mail_is_significant(tern_bin, tmp_path, pub):
    conf, spool, _ = config(tmp_path, pub, 'seen mail to other@test.example text "x"\n')
    mid = deliver(tern_bin, conf, spool)
    assert own_lines(spool, mid) == ["=> >other@test.example <tern@test.example> R=filt T=address_reply",
                                     "Completed"]
    assert not os.path.exists(os.path.join(pub, "tern"))


def test_vacation_defaults_once(tern_bin, tmp_path, pub):
    conf, spool, home = config(tmp_path, pub, "vacation\n")
    with open(os.path.join(home, ".vacation.msg"), "w") as f:
        f.write("I am away, $local_part\n")
    headers = ["From: s@test.example\n", "Subject: hi\n"]
    mid = deliver(tern_bin, conf, spool, headers=headers)
    assert own_lines(spool, mid)[0] == "=> >s@test.example <tern@test.example> R=filt T=address_reply"
    text = open(os.path.join(pub, "s")).read()
    assert "\nSubject: On vacation\n" in text and text.endswith("\n\nI am away, tern\n\n")
    assert os.path.exists(os.path.join(home, ".vacation"))
    assert "To: s@test.example" in open(os.path.join(home, ".vacation.log")).read()
    mid2 = deliver(tern_bin, conf, spool, headers=headers)     # once: no second reply
    assert own_lines(spool, mid2)[0] == "=> >s@test.example <tern@test.example> R=filt T=address_reply"
    assert open(os.path.join(pub, "s")).read() == text
    assert "previously sent to s@test.example" in open(os.path.join(home, ".vacation.log")).read()


def test_no_reply_to_a_bounce(tern_bin, tmp_path, pub):
    conf, spool, _ = config(tmp_path, pub, "mail to other@test.example text x\nvacation\n")
    mid = deliver(tern_bin, conf, spool, sender="")
    assert own_lines(spool, mid) == ["=> tern <tern@test.example> R=users T=mbox", "Completed"]
    assert not os.path.exists(os.path.join(pub, "other"))


def test_forbid_filter_reply(tern_bin, tmp_path, pub):
    conf, spool, _ = config(tmp_path, pub, "vacation\n", "  forbid_filter_reply")
    mid = deliver(tern_bin, conf, spool)
    assert own_lines(spool, mid) == ['== tern@test.example R=filt defer (-1): error in filter file: '
                                     'filtering command "vacation" is disabled: near line 2 of filter file',
                                     "** tern@test.example: retry timeout exceeded", "Completed"]  # no retry rules, as Exim


def test_ten_thousand_recipients(tern_bin, tmp_path, pub):
    """A quoted list that long is refused as Exim refuses it; the same list
    from an expansion makes one reply with 10,000 recipients."""
    rcpts = ", ".join(f"u{i}@many.example" for i in range(10000))
    with open(os.path.join(pub, "rcpts"), "w") as f:
        f.write(rcpts)
    conf, spool, _ = config(tmp_path, pub, f'mail to "{rcpts}" text x\n')
    mid = deliver(tern_bin, conf, spool)
    assert own_lines(spool, mid) == ["== tern@test.example R=filt defer (-1): error in filter file: "
                                     "string is too long in line 2 of filter file (max = 1024 chars)",
                                     "** tern@test.example: retry timeout exceeded", "Completed"]  # no retry rules, as Exim
    conf, spool, _ = config(tmp_path, pub, f'mail to "${{readfile{{{pub}/rcpts}}}}" text x\n')
    mid = deliver(tern_bin, conf, spool)
    mine = own_lines(spool, mid)
    assert mine[0] == "=> >" + rcpts[:256] + " <tern@test.example> R=filt T=address_reply"
    assert mine[-1] == "Completed"
    holes = [l for l in mainlog(spool) if l.startswith("=> :blackhole: <u")]
    assert len(holes) == 10000


def test_huge_text(tern_bin, tmp_path, pub):
    with open(os.path.join(pub, "big"), "w") as f:
        f.write("line of text\n" * 200000)
    conf, spool, _ = config(tmp_path, pub, f'mail to other@test.example text "${{readfile{{{pub}/big}}}}"\n')
    deliver(tern_bin, conf, spool)
    text = open(os.path.join(pub, "other")).read()
    assert text.split("\n\n", 1)[1] == "line of text\n" * 200000 + "\n"


def test_filter_loops_are_broken(tern_bin, tmp_path, pub):
    """Delivering to itself does not run the filter again (the router never
    handles what it generated), and a reply to itself is a bounce-style
    message from <>, which gets no reply."""
    conf, spool, _ = config(tmp_path, pub, "deliver tern@test.example\nmail to tern@test.example text loop\n")
    mid = deliver(tern_bin, conf, spool)
    assert own_lines(spool, mid) == ["=> >tern@test.example <tern@test.example> R=filt T=address_reply",
                                     "=> tern <tern@test.example> R=users T=mbox", "Completed"]
    box = open(os.path.join(pub, "tern")).read()
    assert box.count("\nSubject: hi\n") == 1 and box.count("\n\nloop\n") == 1
    replies = [l for l in mainlog(spool) if l.startswith("<= <>")]
    assert len(replies) == 1
