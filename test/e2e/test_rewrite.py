"""test_rewrite.py - address rewriting (begin rewrite, headers_rewrite).

-brw output is compared byte for byte with Debian's Exim 4.96 (the
oracle, /usr/sbin/exim4) over many rules and addresses. Reception is run
with -bs (remote, via -oMa) and -bm (local) into -odq spools, and the
spooled -H header section, envelope and log lines are compared with
what Exim writes for the same input; fixed expectations (taken from the
oracle) keep the tests meaningful where exim4 is absent. A transport's
headers_rewrite is checked in a delivered mbox."""
import os
import pathlib
import re
import subprocess

import pytest

from delivery_util import PublicDir

TERN = os.environ.get("TERN_BIN", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "tern"))
EXIM = "/usr/sbin/exim4"
HAVE_EXIM = os.path.exists(EXIM)
need_oracle = pytest.mark.skipif(not HAVE_EXIM, reason="no /usr/sbin/exim4 oracle")

# The main section both configurations share (Exim reads it too).
MAIN = """keep_environment =
spool_directory = {dir}/spool
log_file_path = {dir}/log/%slog
exim_user = root
exim_group = root
primary_hostname = test.example
qualify_domain = test.example
never_users =
log_selector = +address_rewrite +received_recipients
"""

# The transport and rule sections, also shared.
TAIL = """begin transports
t:
  driver = appendfile
  file = {mbox}
  user = nobody
{transport}
begin rewrite
{rules}
"""

CONFIG = MAIN + """qualify_recipient = rcpt.example
headers_charset = UTF-8
acl_smtp_rcpt = accept
header_maxsize = 4M
begin routers
r:
  driver = accept
  transport = t
""" + TAIL

RULES = r"""*@old.example  $1@new.example
fp42@*  Ford.Prefect@$domain  f
x@y.example  "Real Name <real@y.example>"  w
\N^(a+)@loop.example$\N  ${1}a@loop.example R
*@long.example  $1-with-a-much-longer-local-part@a-very-long-domain-name.example
*@g.example  $1@g5.example
*queen@*.fict.example  w$1-$2@x.example
stop@*  *
stop@*  never@x.example
quit@*  "${if eq{1}{2}{x}fail}"  q
quit@*  never@x.example
un@*  justlocal  Q
unq@*  justlocal
empty@*  ""
env@*  e@changed.example  T
hdr@*  h@changed.example  h
\N^<?bang!([^@]*)@x>?$\N  <$1@bang.example>  S
\N^(?i)(ROOT)@(.*)$\N  x$1-$2-${sg{$0}{@}{_}}-$3@x.example
\N^fp43@([^.]+)\.(.*)$\N  $1_$2@y.example
utf@y.example  "\"José\" Müller <real@y.example> (cé)"  w
"""


def site(path, rules=RULES, transport="", mbox=None):
    path = pathlib.Path(path)
    (path / "spool").mkdir(parents=True, exist_ok=True)
    (path / "log").mkdir(exist_ok=True)
    os.chmod(path, 0o777)
    conf = path / "conf"
    conf.write_text(CONFIG.format(dir=path, rules=rules, transport=transport, mbox=mbox or path / "mbox"),
                    encoding="utf-8")
    return str(conf)


def brw(prog, conf, addr):
    p = subprocess.run([prog, "-C", conf, "-brw", addr.encode()], capture_output=True, timeout=30)
    return p.returncode, p.stdout.decode("latin-1")


BRW_ADDRESSES = [
    "ph@old.example", "PH@OLD.example", "fp42@z.example", "fp42@Some.Where", "x@y.example",
    "(c) x@y.example", "x@y.example (comment)", "a@loop.example", "aaaaaaaaaaa@loop.example",
    "Some One <ph@old.example>", '"Quoted, Name" <ph@old.example>', "ph@old.example (a (nested) comment)",
    "<@a,@b:ph@old.example>", "@a,@b:ph@old.example", '"q u"@old.example', 'x@long.example',
    "hearts-queen@wonderland.fict.example", "stop@a.example", "quit@a.example", "un@a.example",
    "unq@a.example", "empty@a.example", "env@a.example", "hdr@a.example", "bang!foo@x", "<bang!foo@x>",
    "local", "bad<", "Some One <local>", "ph@old.example.", "Name <ph@old.example", "grp: ph@old.example;",
    "ph@old.example, x@y", "a..b@old.example", ".a@old.example", "a. b@old.example", '"a@b"@old.example',
    'a"b"@old.example', "x@[IPv6:::1]", "x@[1.2.3.4", "<>", "@a,@b", "@a,b:x@old.example", "@a:x",
    "a b@old.example", "Jos\u00e9 <x@old.example>", "x@old.example;", '"unterminated@old.example',
    "(unterminated x@old.example", "a@b@c", "", "user@[1.2.3.4]", '"a@b"', "(x@y) z", "a(b@c)",
    "a" * 244 + "@old.example", "a" * 245 + "@old.example", "root@X.Y", "Name <Root@A.b>",
    "fp43@Some.Where", "utf@y.example", "A <utf@y.example> (x)",
]


@need_oracle
def test_brw_differential(tmp_path):
    conf = site(tmp_path)
    diffs = []
    for a in BRW_ADDRESSES:
        want, got = brw(EXIM, conf, a), brw(TERN, conf, a)
        if want != got:
            diffs.append("%r\n  exim: %r\n  tern: %r" % (a, want, got))
    assert not diffs, "\n".join(diffs[:10])


def test_brw_output_layout(tmp_path):
    conf = site(tmp_path)
    assert brw(TERN, conf, "Some One <ph@old.example>") == (0, (
        "  sender: Some One <ph@new.example>\n    from: Some One <ph@new.example>\n"
        "      to: Some One <ph@new.example>\n      cc: Some One <ph@new.example>\n"
        "     bcc: Some One <ph@new.example>\nreply-to: Some One <ph@new.example>\n"
        "env-from: ph@new.example\n  env-to: ph@new.example\n"))
    assert brw(TERN, conf, "utf@y.example")[1].splitlines()[0] == (
        "  sender: =?UTF-8?Q?=22Jos=C3=A9=22_M=C3=BCller?= <real@y.example> =?UTF-8?Q?=28c=C3=A9=29?=")
    rc, out = brw(TERN, conf, "x@y.example (comment)")
    assert out.splitlines()[1] == "    from: Real Name <real@y.example>"
    assert out.splitlines()[6] == "env-from: real@y.example"
    assert brw(TERN, conf, "bang!foo@x")[1].startswith("    SMTP: foo@bang.example\n  sender: bang!foo@x\n")
    assert brw(TERN, conf, "Name <ph@old.example")[1] == (
        "Syntax error in Name <ph@old.example\n'>' missing at end of address\n")


def test_brw_repeat_is_bounded(tmp_path):
    """R re-applies a rule to its own result ten more times, then stops
    and says so (a rule that always matches must not loop)."""
    conf = site(tmp_path)
    p = subprocess.run([TERN, "-C", conf, "-brw", "a@loop.example"], capture_output=True, text=True)
    assert p.stdout.splitlines()[0] == "  sender: " + "a" * 12 + "@loop.example"
    log = (tmp_path / "log" / "mainlog").read_text()
    assert log.count("rewrite rule repeat ignored after 10 times") == 8
    assert log.count('"aaaaaaaaaaa@loop.example" from env-to rewritten as "aaaaaaaaaaaa@loop.example" by rule 4') == 1


def test_brw_without_rules_and_argument(tmp_path):
    conf = site(tmp_path, rules="")
    assert brw(TERN, conf, "a@b") == (0, "No rewrite rules are defined\n")
    assert brw(TERN, site(tmp_path / "2"), "") [0] == 0
    p = subprocess.run([TERN, "-C", conf, "-brw"], capture_output=True, text=True)
    assert (p.returncode, p.stdout) == (1, "-brw needs an address argument\n")
    p = subprocess.run([TERN, "-C", site(tmp_path / "3"), "-brw", "a" * 257], capture_output=True, text=True)
    assert p.returncode == 1 and "length limit exceeded (257 > 256) for: -brw" in p.stderr


# ---- reception ----

def smtp_input(sender, rcpts, headers):
    lines = ["HELO x", "MAIL FROM:<%s>" % sender] + ["RCPT TO:<%s>" % r for r in rcpts]
    lines += ["DATA"] + headers.split("\n") + ["Subject: t", "", "body", ".", "QUIT"]
    return ("\r\n".join(lines) + "\r\n").encode()


def receive(prog, conf, headers, local=False, sender="s@old.example", rcpts=("r@old.example",)):
    if local:
        args = [prog, "-C", conf, "-odq", "-f", sender, *rcpts]
        data = (headers + "\nSubject: t\n\nbody\n").encode()
    else:
        args = [prog, "-C", conf, "-odq", "-oMa", "10.0.0.1", "-bs"]
        data = smtp_input(sender, rcpts, headers)
    p = subprocess.run(args, input=data, capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode("latin-1")


def spooled(d):
    """(sender line, recipients, header lines, log lines) of the one message,
    with ids, dates, Received:/Date:/Message-Id: and sizes masked"""
    d = pathlib.Path(d)
    (h,) = list((d / "spool" / "input").glob("*-H"))
    text = h.read_text("latin-1")
    env, hdrs = text.split("\n\n", 1)
    lines = env.split("\n")
    rcpts = lines[lines.index("XX") + 2:]
    keep, skip = [], False
    for line in hdrs.splitlines():
        if re.match(r"^\d{3}", line):
            skip = re.match(r"^\d{3}. (Received|Date|Message-Id):", line) is not None
        if not skip:
            keep.append(re.sub(r"\w{6}-\w{6}-\w{2}", "ID", line))
    log = []
    for line in (d / "log" / "mainlog").read_text().splitlines():
        line = re.sub(r"^\S+ \S+ ", "", line)
        line = re.sub(r"\w{6}-\w{6}-\w{2}", "ID", line)
        log.append(re.sub(r" S=\d+", " S=N", line))
    return lines[2], rcpts, keep, log


def both(tmp_path, headers, **kw):
    """the same input to tern and, when present, exim4; tern's result"""
    t = tmp_path / "tern"
    receive(TERN, site(t), headers, **kw)
    mine = spooled(t)
    if HAVE_EXIM:
        e = tmp_path / "exim"
        receive(EXIM, site(e), headers, **kw)
        assert mine == spooled(e)
    return mine


REMOTE_HEADERS = """From: Ford <fp42@z.example>, "Q, W" <ph@old.example> (cmt)
To: aaaaaaaaaaaa@long.example, bbbbbbbbbbbbbbbb@long.example, ccccccc@long.example,
  dd@long.example, unq
Cc: grp: a@old.example, x@y.example;, Name <x@y.example>
Bcc: a@old.example,,  , b@old.example
Sender: <@r1,@r2:ph@old.example>
Reply-To: a@old.example (x (nested (deep)) y), "unterminated@old.example, <bad@old.example
Resent-To: hdr@a.example
X-Other: a@old.example"""


def test_reception_remote(tmp_path):
    sender, rcpts, hdrs, log = both(tmp_path, REMOTE_HEADERS, rcpts=("r@old.example", "x@y.example",
                                                                         "env@a.example"))
    assert sender == "<s@new.example>"
    assert rcpts == ["r@new.example", "real@y.example", "e@changed.example"]
    assert "029T Resent-To: h@changed.example" in hdrs
    assert hdrs[hdrs.index("033* Sender: <@r1,@r2:ph@old.example>") + 1] == "025S Sender: <ph@new.example>"
    assert "079C Cc: grp: a@new.example, Real Name <real@y.example>, Real Name <real@y.example>" in hdrs
    i = hdrs.index("309T To: aaaaaaaaaaaa-with-a-much-longer-local-part@a-very-long-domain-name.example, ")
    assert hdrs[i + 1:i + 5] == [
        "\tbbbbbbbbbbbbbbbb-with-a-much-longer-local-part@a-very-long-domain-name.example, ",
        "\tccccccc-with-a-much-longer-local-part@a-very-long-domain-name.example,",
        "  dd-with-a-much-longer-local-part@a-very-long-domain-name.example, ", "\tunq"]
    assert "023  X-Other: a@old.example" in hdrs
    assert hdrs[-4:] == ["044* X-rewrote-original-recipient: r@old.example",
                         "042* X-rewrote-original-recipient: x@y.example",
                         "044* X-rewrote-original-recipient: env@a.example",
                         "032* X-rewrote-sender: s@old.example"]
    assert 'ID "r@old.example" from env-to rewritten as "r@new.example" by rule 1' in log
    assert 'ID "s@old.example" from env-from rewritten as "s@new.example" by rule 1' in log
    assert "ID rewrite: unmatched doublequote in local part" in log
    # the recipients as received, the sender rewritten (as Exim logs them)
    assert log[-1] == ("ID <= s@new.example H=(x) [10.0.0.1] U=root P=smtp S=N "
                       "for r@old.example x@y.example env@a.example")


def test_reception_local_qualifies(tmp_path):
    sender, rcpts, hdrs, log = both(tmp_path, "To: x@old.example, unq\nCc: (c) unq2 (d), \"q\"\n"
                                              "Reply-To: rrr\nFrom: fp42@old.example", local=True)
    assert "036T To: x@new.example, unq@rcpt.example" in hdrs
    assert "048C Cc: (c) unq2@rcpt.example (d), \"q\"@rcpt.example" in hdrs
    assert "027R Reply-To: rrr@test.example" in hdrs
    assert "031F From: Ford.Prefect@new.example" in hdrs
    assert 'ID "fp42@new.example" from from: rewritten as "Ford.Prefect@new.example" by rule 2' in log


def test_reception_remote_unqualified_left_alone(tmp_path):
    sender, rcpts, hdrs, log = both(tmp_path, "To: unq, a@q.example")
    assert hdrs[0] == "021T To: unq, a@q.example"


def test_smtp_time_rewrite(tmp_path):
    t = tmp_path / "tern"
    conf = site(t)
    data = b"EHLO x\r\nMAIL FROM:<bang!foo@x> SIZE=100\r\nRCPT TO:<bang!bar@x>\r\nRCPT TO:bang!baz@x\r\n" \
           b"DATA\r\nSubject: t\r\n\r\nbody\r\n.\r\nQUIT\r\n"
    p = subprocess.run([TERN, "-C", conf, "-odq", "-oMa", "10.0.0.1", "-bs"], input=data, capture_output=True)
    replies = [l for l in p.stdout.decode().split("\r\n") if l[:4] in ("250 ", "501 ")]
    assert replies[1:4] == ["250 OK", "250 Accepted", "250 Accepted"]
    sender, rcpts, hdrs, log = spooled(t)
    assert sender == "<foo@bang.example>" and rcpts[:2] == ["bar@bang.example", "baz@bang.example"]
    assert log[:3] == ['"<bang!foo@x>" from smtp recipient rewritten as "<foo@bang.example>" by rule 17',
                       '"<bang!bar@x>" from smtp recipient rewritten as "<bar@bang.example>" by rule 17',
                       '"bang!baz@x" from smtp recipient rewritten as "<baz@bang.example>" by rule 17']


def test_expansion_failure_is_logged_and_leaves_address(tmp_path):
    t = tmp_path / "tern"
    rules = '*@old.example "${lookup{x}lsearch{/nonexistent/file}}"\n*@old.example $1@new.example\n'
    receive(TERN, site(t, rules=rules), "To: a@old.example")
    sender, rcpts, hdrs, log = spooled(t)
    assert "018T To: a@old.example" in hdrs and sender == "<s@old.example>"
    panic = (t / "log" / "paniclog").read_text()
    assert "failed while rewriting: " in panic


# ---- bad input ----

def test_long_address_list_and_1mb_header(tmp_path):
    """A To: of 60000 addresses (over 1 MB): each is rewritten, the line
    folded, nothing lost."""
    t = tmp_path / "tern"
    n = 60000
    hdr = "To: " + ",\n ".join("user%d@old.example" % i for i in range(n))
    assert len(hdr) > 1024 * 1024
    receive(TERN, site(t), hdr)
    sender, rcpts, hdrs, log = spooled(t)
    text = "\n".join(hdrs)
    assert text.count("@new.example") == n and text.count("@old.example") == n + 2  # + X-rewrote-*
    assert sum(1 for l in log if "from to: rewritten" in l) == n


def test_awkward_headers(tmp_path):
    hdrs = both(tmp_path, "To: \"a, b\"@old.example, \"x\\\"y\"@old.example, <a@old.example\n"
                          "Cc: (((deep) nest) c) a@old.example (x (y) z), undisclosed:;\n"
                          "Bcc: grp:;, b@old.example, \"open@old.example")[2]
    assert "059T To: \"a, b\"@new.example, \"x\\\"y\"@new.example, <a@old.example" in hdrs
    assert "061C Cc: (((deep) nest) c) a@new.example (x (y) z), undisclosed:;" in hdrs
    assert "045B Bcc: grp:;, b@new.example, \"open@old.example" in hdrs


# ---- transports ----

TRANSPORT_RULES = ("  headers_rewrite = *@old.example $1@trans.example t : "
                   "fp42@* \"Ford <ford@$domain>\" fw : *@h.example $1@hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.example")


def delivered_headers(d, prog, pub):
    conf = site(d, rules="", transport=TRANSPORT_RULES, mbox=pub + "/mbox")
    data = smtp_input("s@old.example", ["r@old.example"],
                      "From: Someone <fp42@z.example>\nTo: a@old.example, aaaaaaaaaaaaaaaaaaaaaa@h.example, "
                      "b@h.example\nCc: c@old.example")
    p = subprocess.run([prog, "-C", conf, "-odi", "-oMa", "10.0.0.1", "-bs"], input=data, capture_output=True,
                       timeout=60)
    assert p.returncode == 0
    box = (pathlib.Path(pub) / "mbox").read_text()
    head = box.split("\n\n", 1)[0].split("\n")
    return [l for l in head if re.match(r"^(From|To|Cc):", l) or l.startswith("\tb@")]


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def test_headers_rewrite_transport(tmp_path, pub):
    mine = delivered_headers(tmp_path / "tern", TERN, pub)
    assert mine == ["From: Ford <ford@z.example>",
                    "To: a@trans.example, aaaaaaaaaaaaaaaaaaaaaa@hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.example, ",
                    "\tb@hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.example",
                    "Cc: c@old.example"]
    if HAVE_EXIM:
        os.unlink(pub + "/mbox")
        assert mine == delivered_headers(tmp_path / "exim", EXIM, pub)
    (h,) = list((tmp_path / "tern" / "spool" / "input").glob("*-H")) or [None]
    assert h is None  # delivered and removed; the spool itself was never rewritten


@pytest.mark.parametrize("rule,why", [
    ("*@old.example $1@new.example F", "rewrite rule specifies a non-header rewrite - not allowed at transport time -"),
    ("*@old.example $1@new.example Z",
     "unknown rewrite flag character 'Z' (could be missing quotes round replacement item)")])
def test_headers_rewrite_checked_at_config_load(tmp_path, pub, rule, why):
    """a bad headers_rewrite is a configuration error, as in Exim (E F T S
    have no meaning at transport time)"""
    conf = site(tmp_path, rules="", transport="  headers_rewrite = " + rule, mbox=pub + "/mbox")
    p = subprocess.run([TERN, "-C", conf, "-bt", "a@q.example"], capture_output=True, text=True)
    assert p.returncode != 0
    assert "Tern configuration error in line" in p.stderr and "t transport: " + why in p.stderr
    if HAVE_EXIM:
        e = subprocess.run([EXIM, "-C", conf, "-bt", "a@q.example"], capture_output=True, text=True)
        assert why in e.stderr


# ---- routers ----

REDIRECT = MAIN + """begin routers
red:
  driver = redirect
  domains = list.example
  data = child@old.example, other@q.example
  {option}
acc:
  driver = accept
  transport = t
""" + TAIL


@pytest.mark.parametrize("option,rewritten", [("", True), ("no_rewrite", False)])
def test_redirect_children_rewritten(tmp_path, pub, option, rewritten):
    (tmp_path / "spool").mkdir()
    (tmp_path / "log").mkdir()
    conf = tmp_path / "conf"
    conf.write_text(REDIRECT.format(dir=tmp_path, option=option, mbox=pub + "/mbox",
                                    transport="  headers_add = X-Rcpt: $local_part@$domain",
                                    rules="*@old.example  $1@new.example T"))
    p = subprocess.run([TERN, "-C", str(conf), "-odi", "-f", "s@q.example", "a@list.example"],
                       input=b"Subject: x\n\nbody\n", capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    log = (tmp_path / "log" / "mainlog").read_text()
    line = '"child@old.example" from env-to rewritten as "child@new.example" by rule 1'
    assert (line in log) == rewritten
    box = open(pub + "/mbox").read()
    assert ("X-Rcpt: child@new.example\n" in box) == rewritten
    assert ("X-Rcpt: child@old.example\n" in box) != rewritten
    assert "X-Rcpt: other@q.example\n" in box


# ---- verification in ACLs ----

VERIFY_ACL = """acl_smtp_mail = macl
acl_smtp_rcpt = vacl
"""
VERIFY_ACLS = """begin acl
macl:
  accept logwrite = MAIL before: $sender_address
vacl:
  require verify = sender
  require verify = recipient
  accept logwrite = RCPT after verify: $sender_address $local_part@$domain
begin routers
"""


def verify_site(path):
    conf = pathlib.Path(site(path))
    text = conf.read_text().replace("acl_smtp_rcpt = accept\n", VERIFY_ACL).replace("begin routers\n", VERIFY_ACLS)
    conf.write_text(text)
    return str(conf)


def test_sender_verification_rewrites_early(tmp_path):
    """verify = sender rewrites the sender then and for good (no second
    rewrite, no X-rewrote-sender record); verify = recipient verifies the
    rewritten recipient but $local_part/$domain keep the address as given"""
    results = []
    for prog in [TERN] + ([EXIM] if HAVE_EXIM else []):
        d = tmp_path / os.path.basename(prog)
        receive(prog, verify_site(d), "")
        results.append(spooled(d))
    sender, rcpts, hdrs, log = results[0]
    assert sender == "<s@new.example>" and rcpts == ["r@new.example"]
    assert "032* X-rewrote-sender: s@old.example" not in hdrs
    assert log[:4] == ["MAIL before: s@old.example",
                       '"s@old.example" from env-from rewritten as "s@new.example" by rule 1',
                       '"r@old.example" from env-to rewritten as "r@new.example" by rule 1',
                       "RCPT after verify: s@new.example r@old.example"]
    assert all(r == results[0] for r in results)
