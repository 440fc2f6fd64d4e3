"""verify = header_syntax / header_names_ascii / not_blind in the DATA ACL,
with Exim 4.96's wording (log text, $acl_verify_message for log_message)."""
import os
import subprocess

import pytest

TERN = os.environ.get("TERN_BIN", os.path.join(os.path.dirname(__file__), "../../build/tern"))

CONF = """\
spool_directory = {d}/spool
log_file_path = {d}/%slog
exim_user = root
exim_group = root
acl_smtp_rcpt = accept
acl_smtp_data = d
begin acl
d:
  deny !verify = header_syntax
       message = X $acl_verify_message
       log_message = L $acl_verify_message
  deny !verify = header_names_ascii
       message = Y $acl_verify_message
  deny !verify = not_blind
       message = Z $acl_verify_message
  accept
"""


def session(tmp_path, header):
    conf = tmp_path / "c.conf"
    conf.write_text(CONF.format(d=tmp_path))
    data = ("HELO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<t@u.v>\r\nDATA\r\n%s\r\n\r\nbody\r\n.\r\nQUIT\r\n"
            % header).encode()
    r = subprocess.run([TERN, "-C", str(conf), "-odq", "-bs"], input=data, capture_output=True)
    reply = r.stdout.decode().split("\r\n")[5]
    log = (tmp_path / "mainlog").read_text() if (tmp_path / "mainlog").exists() else ""
    return reply, log


@pytest.mark.parametrize("header,why", [
    ("To: a b c", 'missing or malformed local part (expected word or "<"): failing address in "To:" header is: a b c'),
    ("From: <a@b", "'>' missing at end of address: failing address in \"From:\" header is: <a@b"),
    ('Reply-To: "q" <a@b.c>, bad@', 'domain missing or malformed: failing address in "Reply-To:" header is: bad@'),
])
def test_header_syntax_fails(tmp_path, header, why):
    reply, log = session(tmp_path, header)
    assert reply == "550 X "
    assert "rejected after DATA: L %s: %s" % (why, why) in log


@pytest.mark.parametrize("header", ["Cc: t@u.v, (c) z@w", "To: undisclosed-recipients:;, t@u.v",
                                    "To: t@u.v", 'To: "T U" <t@u.v>'])
def test_header_syntax_passes(tmp_path, header):
    reply, _ = session(tmp_path, header)
    assert reply.startswith("250 OK id=")


def test_not_blind(tmp_path):
    reply, _ = session(tmp_path, "To: other@u.v")
    assert reply == "550 Z bcc recipient detected"
