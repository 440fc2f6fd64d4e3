"""Header fix-ups and header ACL modifiers, compared with Exim 4.96 on the
stored message: the same -bs dialogue runs through exim4 and tern with the
same configuration, and the header section of each -H file (line lengths,
flags and text; ids, dates and header lengths that contain them masked)
must be identical. Covers control = submission (/sender_retain,
/domain=), suppress_local_fixups, add_header/remove_header, and a local
message's Message-ID/Date/From fix-ups. Skips without exim4."""
import glob
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from smtp_util import TERN, mask

EXIM = "/usr/sbin/exim4"
pytestmark = pytest.mark.skipif(not os.path.exists(EXIM), reason="exim4 (the oracle) not installed")

BASE = """primary_hostname = test.example
spool_directory = {spool}
exim_user = root
exim_group = root
keep_environment =
acl_smtp_rcpt = acl_r
acl_smtp_data = acl_d
begin acl
acl_r:
  accept {rcpt}
acl_d:
  accept {data}
"""


def headers(prog, rcpt, data, body, args=("-bs",), extra=""):
    d = tempfile.mkdtemp(prefix="fixup-", dir="/tmp")
    try:
        conf = os.path.join(d, "conf")
        with open(conf, "w") as f:
            f.write(extra + BASE.format(spool=d + "/spool", rcpt=rcpt, data=data))
        inp = (b"EHLO x\r\nMAIL FROM:<sender@b.example>\r\nRCPT TO:<r@y.example>\r\nDATA\r\n"
               + body + b".\r\nQUIT\r\n") if args[-1] == "-bs" else body
        p = subprocess.run([prog, "-C", conf, "-odq"] + list(args), input=inp, capture_output=True)
        files = glob.glob(d + "/spool/input/**/*-H", recursive=True)
        assert len(files) == 1, (prog, p.stdout, p.stderr)
        with open(files[0], "rb") as f:
            h = f.read()
        # the header section: after the recipients block's blank line
        part = h.split(b"\n\n", 1)[1]
        part = mask(part)
        # a header holding an id or date changes length when masked
        part = re.sub(rb"^\d{3}([ *A-Z]) ", rb"NNN\1 ", part, flags=re.M)
        part = re.sub(rb"<E[A-Za-z0-9]+-[A-Za-z0-9]+-[A-Za-z0-9]+@", b"<EID@", part)
        return part.decode(errors="replace")
    finally:
        shutil.rmtree(d, True)


def check(rcpt, data, body, args=("-bs",), extra=""):
    mine = headers(TERN, rcpt, data, body, args, extra)
    assert mine == headers(EXIM, rcpt, data, body, args, extra)
    return mine


BARE = b"Subject: s\r\n\r\nbody\r\n"


def test_submission_adds_message_id_date_from():
    out = check("control = submission", "", BARE)
    assert "Message-Id: <EID@test.example>" in out and "From: sender@b.example" in out


def test_submission_domain_and_sender_retain():
    out = check("control = submission/sender_retain/domain=sub.example", "",
                b"Subject: s\r\nFrom: someone@other.example\r\nSender: x@y.example\r\n\r\nbody\r\n")
    assert "Sender: x@y.example" in out


def test_submission_unqualified_from_gets_the_domain():
    check("control = submission/domain=sub.example", "", b"From: user\r\nTo: other\r\n\r\nbody\r\n")


def test_submission_adds_sender_when_from_differs():
    check("control = submission", "", b"From: someone@other.example\r\nSubject: s\r\n\r\nbody\r\n")


def test_suppress_local_fixups():
    check("control = submission\n         control = suppress_local_fixups", "", BARE)


def test_no_fixups_for_remote_smtp():
    check("", "", BARE)


def test_add_and_remove_header():
    check("", "add_header = X-Added: yes\n         remove_header = Subject : X-Drop",
          b"Subject: s\r\nX-Drop: 1\r\nX-Keep: 2\r\n\r\nbody\r\n")


def test_local_message_fixups():
    check("", "", b"Subject: s\n\nbody\n", args=("r@y.example",))


def test_received_header_text():
    out = check("", "", BARE, extra="received_header_text = Received: by $primary_hostname "
                "from ${if def:sender_ident{$sender_ident}{nobody}} ($received_protocol)\n")
    assert "NNNP Received: by test.example from root (local-esmtp)" in out


def test_forced_sender_gets_no_passwd_name():
    """-f from a trusted caller: the added From: has no name (the passwd
    name describes the caller); an explicit -F still names it"""
    out = check("", "", b"Subject: s\n\nbody\n", args=("-f", "other@else.example", "r@y.example"))
    assert "From: other@else.example\n" in out
    out = check("", "", b"Subject: s\n\nbody\n", args=("-F", "Named", "-f", "other@else.example", "r@y.example"))
    assert "From: Named <other@else.example>\n" in out


def test_received_with_ident_and_no_host_name():
    """-oMa on a local -bs session: the caller's ident goes beside the HELO
    name in the Received: header, as Exim writes it"""
    out = check("", "", BARE, args=("-oMa", "192.0.2.9", "-bs"))
    assert "Received: from [192.0.2.9] (helo=x ident=root)\n" in out
