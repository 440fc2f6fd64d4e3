"""test_mime_acl.py - the MIME ACL (acl_smtp_mime, acl_not_smtp_mime),
its $mime_* variables, decode, mime_regex and regex.

Each message goes through an SMTP session on stdin (-bs, -odq) of Tern
and, where the assertion is "as Exim", of Debian's Exim 4.96 with the same
configuration; the replies and the mainlog lines (timestamps, message ids
and spool paths masked) must be identical. Other tests assert Tern's own
exact output: limits, the scan directory, non-SMTP input and -bh.
"""
import base64
import pathlib
import re
import subprocess

import pytest

from conftest import EXIM_ORACLE

VARS = ("P=$mime_part_count T=[$mime_content_type] B=[$mime_boundary] CS=[$mime_charset] "
        "D=[$mime_content_description] DI=[$mime_content_disposition] ID=[$mime_content_id] "
        "TE=[$mime_content_transfer_encoding] F=[$mime_filename] CL=$mime_is_coverletter "
        "MP=$mime_is_multipart R=$mime_is_rfc822 AL=$mime_anomaly_level AT=[$mime_anomaly_text]")

VARS_CUT = VARS.replace("[$mime_filename]", "[${length_200:$mime_filename}] FL=${strlen:$mime_filename}")

# logs every part, decodes every leaf and logs what decoding gave (file
# names cut to 200 bytes: Exim's log lines stop at 8 KB, ours later)
DECODE_ACL = f"""\
  warn logwrite = {VARS_CUT}
  warn condition = ${{if eq{{$mime_is_multipart}}{{0}}}}
       decode = default
       logwrite = decoded DF=[$mime_decoded_filename] SZ=$mime_content_size \
AL=$mime_anomaly_level AT=[$mime_anomaly_text] MD5=${{md5:${{readfile{{$mime_decoded_filename}}}}}}
  accept
"""


def config(spool, mime_acl, data_acl="  warn logwrite = DATA P=$mime_part_count\n  accept\n",
           extra=""):
    return f"""\
spool_directory = {spool}
log_file_path = {spool}/%slog
primary_hostname = test.example
exim_user = root
exim_group = root
never_users =
message_size_limit = 100M
acl_smtp_rcpt = accept
acl_smtp_mime = mimeacl
acl_smtp_data = dataacl
{extra}
begin acl
mimeacl:
{mime_acl}
dataacl:
{data_acl}
begin routers
r:
  driver = accept
  transport = t
begin transports
t:
  driver = appendfile
  file = {spool}/mbox
"""


def session(message):
    body = message.replace("\n", "\r\n")
    return ("HELO x\r\nMAIL FROM:<s@test.example>\r\nRCPT TO:<r@test.example>\r\nDATA\r\n"
            + body + ".\r\nQUIT\r\n").encode("latin-1")


MASKS = [
    (re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "), ""),
    (re.compile(r"\b[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}\b"), "ID"),
]


def mask(text, spool):
    out = []
    for line in text.splitlines():
        if "purging the environment" in line or "keep_environment" in line or "DKIM:" in line:
            continue
        line = line.replace(str(spool), "SPOOL")
        for rx, rep in MASKS:
            line = rx.sub(rep, line)
        out.append(line)
    return out


def mask_replies(text):
    text = re.sub(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", "DATE", text)
    return [MASKS[1][0].sub("ID", l) for l in text.splitlines()]


def run(binary, tmp_path, name, mime_acl, message, **kw):
    """-bs session of binary with its own spool; (replies, mainlog lines, spool)"""
    spool = tmp_path / name
    spool.mkdir(exist_ok=True)
    conf = spool / "conf"
    conf.write_text(config(spool, mime_acl, **kw))
    proc = subprocess.run([binary, "-C", str(conf), "-odq", "-bs"], input=session(message),
                          capture_output=True, timeout=120)
    log = spool / "mainlog"
    text = log.read_bytes().decode("latin-1") if log.exists() else ""
    return mask_replies(proc.stdout.decode("latin-1")), mask(text, spool), spool


def both(tern_bin, tmp_path, mime_acl, message, **kw):
    if not EXIM_ORACLE.exists():
        pytest.skip(f"{EXIM_ORACLE} not installed: no Exim oracle to compare with")
    t = run(tern_bin, tmp_path, "tern", mime_acl, message, **kw)
    e = run(str(EXIM_ORACLE), tmp_path, "exim", mime_acl, message, **kw)
    return t, e


# ---- messages ----

M_MIXED = """\
From: a@b.c
Subject: test
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XXX"

preamble
--XXX
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

hello=20world
--XXX
Content-Type: application/octet-stream; name="a.bin"
Content-Disposition: attachment; filename*0="long"; filename*1="name.txt"
Content-Transfer-Encoding: base64
Content-ID: <x@y>
Content-Description: some desc

aGVsbG8K
--XXX
Content-Type: message/rfc822

From: x@y
Content-Type: text/html; name="=?UTF-8?B?w6TDtsO8LnR4dA==?="

<b>hi</b>
--XXX--
epilogue
"""

M_BROKEN = """\
From: a@b.c
Content-Type: Multipart/Mixed (comment here); boundary = "A B"; charset="x y"
Content-Description:   some  "quoted  text" (a comment) end
Content-Transfer-Encoding: BASE64

--A B
Content-Type: text/plain
Content-Transfer-Encoding: base64

aGVsbG8K!!!!bad
@@@
--A B
Content-Type: text/plain
Content-Transfer-Encoding: quoted-printable

bad=ZZqp =
=4
--A B
Content-Type: text/plain; name*=UTF-8''%C3%A4b%20c.txt
Content-Disposition: attachment; filename="=?ISO-8859-1?Q?=E4_x?=.txt"

x
--A B
this is not a header
Content-Type: text/plain
: empty name

--A B
Content-Type: image/gif
"""

M_PARAMS = """\
Content-Type: multipart/mixed; boundary=b1
Content-Description: a b (c d) e; f (g) h "i j" k

--b1
Content-Disposition: attachment (x) ; filename = "a b" (c)
Content-Type: text/plain;
\tcharset="utf-8" ;
 name=xx

x
--b1
Content-Type: text/plain; NAME="upper"; Boundary=q; CHARSET=Z
Content-Disposition: inline; filename=plain.txt ; size=3

x
--b1
Content-type: application/x; name="a(b)c"; name*0*=iso-8859-1'en'%E4; name*1=b.txt
content-description: "a (b) c"

--b1
Content-Type: text/plain; name="a\\"b.txt"; x="cont
 inued"

--b1--
"""


def nested(depth):
    s = 'Content-Type: multipart/mixed; boundary="d0"\n\n'
    for i in range(1, depth):
        s += f'--d{i - 1}\nContent-Type: multipart/mixed; boundary="d{i}"\n\n'
    s += f"--d{depth - 1}\nContent-Type: text/plain\n\nleaf\n"
    return s + "".join(f"--d{i}--\n" for i in range(depth - 1, -1, -1))


def many(n):
    return ('Content-Type: multipart/mixed; boundary="b"\n\n'
            + "".join(f"--b\nContent-Type: text/plain; name=p{i}\n\nx{i}\n" for i in range(n)) + "--b--\n")


def hostile():
    b = "z" * 200
    inner = (b"Content-Type: multipart/alternative; boundary=ia\n\n--ia\nContent-Type: text/plain\n\n"
             b"plain\n--ia\nContent-Type: text/html\n\n<p>\n--ia--\n")
    return (f'Content-Type: multipart/related;\n boundary="{b}"\n\n--{b}\nContent-Type: text/plain;\n'
            f'\tname="cont\n inued.txt"\n\nbody\n--{b}\nContent-Type: multipart/alternative; boundary=a\n\n'
            "--a\nContent-Type: text/plain\n\nt\n--a\nContent-Type: text/html\n\nh\n--a--\n"
            f"--{b}\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
            + base64.encodebytes(inner).decode()
            + f"--{b}\nno colon here\nContent-Type: text/x; name=\"" + "A" * 9000 + "\"\n"
            "Content-Transfer-Encoding: base64\n\n!!!!QUJD\x01REVG====R0hJ\n")


DIFF_CASES = {
    "mixed": M_MIXED,
    "broken": M_BROKEN,
    "params": M_PARAMS,
    "not mime": "From: a@b.c\nSubject: plain\n\njust text\n",
    "single part": "Content-Type: text/plain; charset=\"utf-8\"; format=flowed\n\nline\n",
    "multipart without boundary": "Content-Type: multipart/mixed\n\n--\nContent-Type: text/plain\n\nhi\n",
    "nested 1000 deep": nested(1000),
    "3000 parts": many(3000),
    "hostile": hostile(),
}


@pytest.mark.parametrize("name", list(DIFF_CASES))
def test_parts_and_variables_as_exim(name, tern_bin, tmp_path):
    (t_rep, t_log, _), (e_rep, e_log, _) = both(tern_bin, tmp_path, DECODE_ACL, DIFF_CASES[name])
    assert t_rep == e_rep
    assert t_log == e_log


def test_mixed_exact_lines(tern_bin, tmp_path):
    rep, log, spool = run(tern_bin, tmp_path, "t", f"  warn logwrite = {VARS}\n  accept\n", M_MIXED)
    assert rep[-2:] == ["250 OK id=ID", "221 test.example closing connection"]
    assert log == [
        "ID P=0 T=[multipart/mixed] B=[XXX] CS=[] D=[] DI=[] ID=[] TE=[] F=[] CL=1 MP=1 R=0 AL=0 AT=[]",
        "ID P=1 T=[text/plain] B=[] CS=[UTF-8] D=[] DI=[] ID=[] TE=[quoted-printable] F=[] CL=1 MP=0 "
        "R=0 AL=0 AT=[]",
        "ID P=2 T=[application/octet-stream] B=[] CS=[] D=[somedesc] DI=[attachment] ID=[<x@y>] "
        "TE=[base64] F=[longname.txt] CL=0 MP=0 R=0 AL=0 AT=[]",
        "ID P=3 T=[message/rfc822] B=[] CS=[] D=[] DI=[] ID=[] TE=[] F=[] CL=0 MP=0 R=0 AL=0 AT=[]",
        "ID P=0 T=[text/html] B=[] CS=[] D=[] DI=[] ID=[] TE=[] F=[\\303\\244\\303\\266\\303\\274.txt] "
        "CL=1 MP=0 R=1 AL=0 AT=[]",
        "ID DATA P=3",
        "ID <= s@test.example U=root P=local-smtp S=832",
    ]
    assert not any((spool / "scan").iterdir()), "scan directory left behind"


def test_broken_encodings_flagged(tern_bin, tmp_path):
    rep, log, _ = run(tern_bin, tmp_path, "t", DECODE_ACL, M_BROKEN)
    decoded = [l for l in log if "decoded" in l]
    assert decoded[0] == ("ID decoded DF=[SPOOL/scan/ID/ID-00000] SZ=1 AL=2 "
                          "AT=[Broken BASE64 encoding detected] MD5=" + __import__("hashlib").md5(
                              b"hello\nm\xa7@").hexdigest())
    assert "AL=1 AT=[Broken Quoted-Printable encoding detected]" in decoded[1]
    assert log[-2:] == ["ID DATA P=5", "ID <= s@test.example U=root P=local-smtp S=858"]


VERB_ACL = "  {verb}\n       condition = ${{if eq{{$mime_part_count}}{{1}}}}\n  accept\n"


@pytest.mark.parametrize("verb,reply,log_tail", [
    ("deny\n       message = no way $mime_content_type", "550 no way text/plain",
     "ID U=root F=<s@test.example> rejected during MIME ACL checks: no way text/plain"),
    ("defer\n       message = later", "451 later",
     "ID U=root F=<s@test.example> temporarily rejected during MIME ACL checks: later"),
    ("drop", "550 Administrative prohibition", "ID U=root F=<s@test.example> rejected during MIME ACL checks"),
    ("discard", "250 OK id=ID", "ID Completed"),
])
def test_verbs(verb, reply, log_tail, tern_bin, tmp_path):
    acl = VERB_ACL.format(verb=verb)
    rep, log, spool = run(tern_bin, tmp_path, "t", acl, M_MIXED)
    assert rep[5] == reply
    assert log[-1] == log_tail
    assert ("221 test.example closing connection" in rep) == (verb != "drop")
    assert "ID DATA P=3" not in log  # the DATA ACL does not run after a MIME ACL that said no
    if verb == "discard":
        assert log == ["ID <= s@test.example U=root P=local-smtp S=832",
                       "ID => blackhole (MIME ACL discarded recipients)", "ID Completed"]
    assert not list((spool / "input").glob("*-H")) if (spool / "input").exists() else True
    if EXIM_ORACLE.exists():
        e_rep, e_log, _ = run(str(EXIM_ORACLE), tmp_path, "exim", acl, M_MIXED)
        assert (rep, log) == (e_rep, e_log)


def test_decode_paths_and_regex(tern_bin, tmp_path):
    acl = """\
  warn condition = ${if eq{$mime_part_count}{1}}
       decode = default
       logwrite = default DF=$mime_decoded_filename
  warn condition = ${if eq{$mime_part_count}{2}}
       decode = named.bin
       logwrite = named DF=$mime_decoded_filename SZ=$mime_content_size
  warn condition = ${if eq{$mime_part_count}{2}}
       mime_regex = ^hel+o\\$
       logwrite = mime_regex matched $regex_match_string
  warn condition = ${if eq{$mime_part_count}{1}}
       regex = wor(ld)
       logwrite = regex matched $regex_match_string $regex1
  warn condition = ${if eq{$mime_part_count}{2}}
       decode = $mime_filename
       logwrite = tainted DF=$mime_decoded_filename
  accept
"""
    data = "  warn regex = ^Subject: (te.t)\n       logwrite = data regex $regex1\n  accept\n"
    rep, log, spool = run(tern_bin, tmp_path, "t", acl, M_MIXED, data_acl=data)
    assert log[:6] == [
        "ID default DF=SPOOL/scan/ID/ID-00000",
        "ID regex matched wor(ld) ld",
        "ID named DF=SPOOL/scan/ID/named.bin SZ=1",
        "ID mime_regex matched ^hel+o$",
        "ID tainted DF=SPOOL/scan/ID/longname.txt",
        "ID data regex test",
    ]
    assert not (spool / "scan").exists() or not any((spool / "scan").iterdir())


def test_tainted_path_refused(tern_bin, tmp_path):
    msg = M_MIXED.replace('filename*0="long"; filename*1="name.txt"', 'filename="../../etc/x"')
    acl = "  warn condition = ${if eq{$mime_part_count}{2}}\n       decode = $mime_filename\n  accept\n"
    rep, log, _ = run(tern_bin, tmp_path, "t", acl, msg)
    assert rep[5] == "250 OK id=ID"
    assert any('tainted file name for decode: "../../etc/x"' in l for l in log)
    assert not (tmp_path / "etc").exists()


def test_no_mbox_unspool_keeps_copy(tern_bin, tmp_path):
    acl = "  warn control = no_mbox_unspool\n       decode = default\n  accept\n"
    rep, log, spool = run(tern_bin, tmp_path, "t", acl, M_MIXED)
    dirs = list((spool / "scan").iterdir())
    assert len(dirs) == 1
    files = sorted(p.name.split("-", 2)[-1] for p in dirs[0].iterdir())
    assert files[-1].endswith(".eml")
    eml = (dirs[0] / (dirs[0].name + ".eml")).read_text()
    assert eml.startswith("From s@test.example ")
    assert "X-Envelope-From: <s@test.example>\nX-Envelope-To: r@test.example\n" in eml
    assert eml.endswith("--XXX--\nepilogue\n")


def test_malware_and_spam_not_built(tern_bin, tmp_path):
    acl = "  deny malware = *\n  accept\n"
    rep, log, _ = run(tern_bin, tmp_path, "t", acl, M_MIXED)
    assert rep[5] == "451 Temporary local problem - please try later"
    assert log[0] == ('ID U=root F=<s@test.example> temporarily rejected during MIME ACL checks: '
                      'the "malware" condition is not built into Tern (no virus or spam scanner interface)')


def test_limits_bounded(tern_bin, tmp_path):
    """100,000 parts: 10,000 scanned (LIMIT_MIME_PARTS); 1,200 deep: the
    1,000th level is flagged and not opened (LIMIT_MIME_DEPTH)."""
    acl = ("  warn condition = ${if >{$mime_anomaly_level}{0}}\n"
           "       logwrite = flagged P=$mime_part_count AL=$mime_anomaly_level AT=$mime_anomaly_text\n"
           "  accept\n")
    rep, log, _ = run(tern_bin, tmp_path, "many", acl, many(100000))
    assert rep[5] == "250 OK id=ID"
    assert log[0] == "ID DATA P=9999"
    rep, log, _ = run(tern_bin, tmp_path, "deep", acl, nested(1200))
    assert rep[5] == "250 OK id=ID"
    assert log[:2] == ["ID flagged P=1000 AL=3 AT=MIME structure too deep or too big", "ID DATA P=1000"]


def test_non_smtp_mime_acl(tern_bin, tmp_path):
    spool = tmp_path / "t"
    spool.mkdir()
    conf = spool / "conf"
    text = config(spool, f"  warn logwrite = {VARS}\n  deny condition = ${{if eq{{$mime_part_count}}{{1}}}}\n"
                  "  accept\n").replace("acl_smtp_mime = mimeacl", "acl_not_smtp_mime = mimeacl")
    conf.write_text(text)
    proc = subprocess.run([tern_bin, "-C", str(conf), "-odq", "r@test.example"], input=M_MIXED.encode(),
                          capture_output=True)
    assert proc.returncode == 1
    log = mask((spool / "mainlog").read_text(), spool)
    # Exim 4.96 writes no line for a non-SMTP message its MIME ACL rejects
    assert [l[:20] for l in log] == ["ID P=0 T=[multipart/", "ID P=1 T=[text/plain"]
    assert proc.stderr.decode() == "tern: message rejected: Administrative prohibition\n"


def test_bh_runs_mime_acl(tern_bin, tmp_path):
    spool = tmp_path / "t"
    spool.mkdir()
    conf = spool / "conf"
    conf.write_text(config(spool, "  warn logwrite = P=$mime_part_count T=$mime_content_type\n"
                           "  deny condition = ${if eq{$mime_part_count}{2}}\n  accept\n"))
    proc = subprocess.run([tern_bin, "-C", str(conf), "-bh", "192.0.2.1"], input=session(M_MIXED),
                          capture_output=True)
    out = proc.stdout.decode()  # replies; the LOG: lines go to stderr, as Exim's
    lines = [MASKS[1][0].sub("ID", l) for l in proc.stderr.decode().splitlines() if l.startswith("LOG:")]
    assert lines == ["LOG: ID P=0 T=multipart/mixed", "LOG: ID P=1 T=text/plain",
                     "LOG: ID P=2 T=application/octet-stream",
                     "LOG: ID H=(x) [192.0.2.1] F=<s@test.example> rejected during MIME ACL checks"]
    assert "550 Administrative prohibition" in out
    assert not any((spool / "scan").iterdir())


def test_data_acl_discard_logged_as_exim(tern_bin, tmp_path):
    """discard in the DATA ACL is logged as Exim logs it (changed with the MIME ACL's)"""
    rep, log, spool = run(tern_bin, tmp_path, "t", "  accept\n", "Subject: x\n\nbody\n",
                          data_acl="  discard\n")
    assert rep[5] == "250 OK id=ID"
    assert log == ["ID <= s@test.example U=root P=local-smtp S=304",
                   "ID => blackhole (DATA ACL discarded recipients)", "ID Completed"]
    if EXIM_ORACLE.exists():
        e_rep, e_log, _ = run(str(EXIM_ORACLE), tmp_path, "exim", "  accept\n", "Subject: x\n\nbody\n",
                              data_acl="  discard\n")
        assert (rep, log) == (e_rep, e_log)


def test_non_smtp_discard_as_exim(tern_bin, tmp_path):
    """acl_not_smtp_mime discard: acl_not_smtp still runs, the arrival and a
    blackhole are logged, nothing is kept, exit status 1 (all as Exim)"""
    spool = tmp_path / "t"
    spool.mkdir()
    conf = spool / "conf"
    conf.write_text(config(spool, "  warn logwrite = P=$mime_part_count\n  discard\n")
                    .replace("acl_smtp_mime = mimeacl", "acl_not_smtp_mime = mimeacl\nacl_not_smtp = dataacl"))
    proc = subprocess.run([tern_bin, "-C", str(conf), "-odq", "r@test.example"], input=M_MIXED.encode(),
                          capture_output=True)
    assert proc.returncode == 1
    assert mask((spool / "mainlog").read_text(), spool) == [
        "ID P=0", "ID DATA P=0", "ID <= root@test.example U=root P=local S=820",
        "ID => blackhole (MIME ACL discarded recipients)", "ID Completed"]
    assert not list((spool / "input").glob("*-H")) if (spool / "input").exists() else True
