"""An ACL that fails with an error (a failed expansion, control = error)
is a temporary refusal: 451 with the default text and a "temporarily
rejected ... : <error>" log line, compared with Exim 4.96 under -bh."""
import re

import pytest

CONF = """\
primary_hostname = test.example
spool_directory = {spool}
exim_user = root
exim_group = root
acl_smtp_helo = ahelo
acl_smtp_mail = amail
acl_smtp_rcpt = arcpt
begin acl
ahelo:
  accept {helo}
amail:
  accept {mail}
arcpt:
  accept {rcpt}
begin routers
begin transports
"""
BROKEN = "condition = ${if bogus}"
CASES = {"helo": dict(helo=BROKEN, mail="", rcpt=""),
         "mail": dict(helo="", mail="control = error", rcpt=""),
         "rcpt": dict(helo="", mail="", rcpt=BROKEN + "\n  message = not shown")}
DIALOGUE = "HELO x.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nQUIT\r\n"


def transcript(run, tmp_path, who, opts):
    conf = tmp_path / f"{who}.conf"
    conf.write_text(CONF.format(spool=tmp_path / who, **opts))
    _, out, err = run(["-C", str(conf), "-bh", "192.0.2.1"], input=DIALOGUE)
    lines = [l for l in (out + err).splitlines() if re.match(r"^(\d{3}[ -]|LOG:)", l)]
    return [re.sub(r" ESMTP Exim 4\.96 .*", " ESMTP", l) for l in lines]


@pytest.mark.parametrize("where", sorted(CASES))
def test_acl_error_is_a_temporary_refusal(run_tern, exim_oracle, tmp_path, where):
    mine = transcript(run_tern, tmp_path, "tern", CASES[where])
    assert mine == transcript(exim_oracle, tmp_path, "exim", CASES[where])
    assert "451 Temporary local problem - please try later" in mine
    assert any(l.startswith("LOG: ") and " temporarily rejected " in l for l in mine)
