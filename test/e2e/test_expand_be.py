"""tern -be / -bem: expansion test mode, checked against fixed strings and,
where Debian's Exim 4.96 is installed, against exim4 -be itself."""
import os
import subprocess
import pytest

TERN = os.environ.get("TERN_BIN", os.path.join(os.path.dirname(__file__), "../../build/tern"))
EXIM = "/usr/sbin/exim4"
HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture
def conf(tmp_path):
    p = tmp_path / "configure"
    # Debian builds exim4 with UTF-8 as the headers_charset default
    p.write_text("primary_hostname = test.example\nqualify_domain = q.example\n"
                 "headers_charset = UTF-8\n")
    return str(p)


def be(conf, *args, stdin=None, extra=()):
    r = subprocess.run([TERN, "-C", conf, *extra, "-be", *args], input=stdin,
                       capture_output=True, timeout=30)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def test_arguments(conf):
    rc, out = be(conf, "abc", "${lc:ABC}", "${if eq{a}{a}{yes}{no}}", "$primary_hostname")
    assert rc == 0
    assert out == "abc\nabc\nyes\ntest.example\n"


def test_failures_worded_as_exim(conf):
    rc, out = be(conf, "$foo", "${if eq{a}}", "${substr_1_-1:x}", "${lc:", "${eval:1/0}")
    assert rc == 0
    assert out == ('Failed: unknown variable name "foo"\n'
                   'Failed: missing 2nd string in {} after "eq"\n'
                   'Failed: non-digit after underscore in "substr_1_-1"\n'
                   'Failed: missing } at end of string\n'
                   'Failed: error in expression evaluation: divide by zero (after processing "1/0")\n')


def test_stdin_prompts_and_continuation(conf):
    rc, out = be(conf, stdin=b"a\n${lc:X}\nb \\\n   c\n\n$bad\n")
    assert rc == 0
    assert out == ('> a\n> x\n> b c\n> \n> Failed: unknown variable name "bad"\n> \n')


def test_stdin_empty(conf):
    assert be(conf, stdin=b"")[1] == "> \n"


def test_macros(conf):
    rc, out = be(conf, stdin=b"FOO = bar\nx FOO y\n")
    assert out == "> Defined macro 'FOO'\n> x bar y\n> \n"


def test_sender_is_caller(conf):
    rc, out = be(conf, "$sender_address_domain")
    assert out == "q.example\n"


def test_bem_headers(conf, tmp_path):
    m = tmp_path / "msg"
    m.write_text("Subject: hi there\nFrom: Someone <a@b.example>\n\nbody text\n")
    r = subprocess.run([TERN, "-C", conf, "-bem", str(m), "$h_subject:",
                        "${address:$h_from:}", "$message_body", "$message_size"],
                       capture_output=True, timeout=30)
    assert r.stdout.decode() == "hi there\na@b.example\nbody text \n%d\n" % len(m.read_bytes())


REPLY_CASES = [
    ("From: a@b.example\nReply-To:   x@y.example (X)\nSubject: s\n\nbody\n", "x@y.example (X)|"),
    ("From:  Me <a@b.example>\nSubject: s\n\nbody\n", "Me <a@b.example>|"),
    ("From:  Me <a@b.example>\nReply-To:\nSubject: s\n\nbody\n", "Me <a@b.example>|"),
]


@pytest.mark.parametrize("text, want", REPLY_CASES)
def test_bem_reply_address(conf, tmp_path, text, want):
    """$reply_address: a non-empty Reply-To:, else From:, leading space
    removed and nothing else (what exim4 -bem prints for the same files)"""
    m = tmp_path / "msg"
    m.write_text(text)
    outs = [subprocess.run([b, "-C", conf, "-bem", str(m), "$reply_address|"], capture_output=True,
                           timeout=30).stdout.decode() for b in (TERN, EXIM) if os.path.exists(b)]
    assert all(o == want + "\n" for o in outs), outs


def test_tainted_header_in_expand_refused(conf, tmp_path):
    m = tmp_path / "msg"
    m.write_text("Subject: ${lc:X}\n\n")
    r = subprocess.run([TERN, "-C", conf, "-bem", str(m), "${expand:$h_subject:}"],
                       capture_output=True, timeout=30)
    assert r.stdout.decode().startswith("Failed: internal expansion of \"${lc:X}\" failed")


@pytest.mark.skipif(not os.path.exists(EXIM), reason="exim4 not installed")
def test_differential_against_exim(conf):
    data = open(os.path.join(HERE, "expand_differential.txt"), "rb").read()
    exim = subprocess.run([EXIM, "-be"], input=data, capture_output=True, timeout=60).stdout
    rc, tern = be(conf, stdin=data)
    lines = data.decode("latin-1").split("\n")
    a = exim.decode("latin-1").split("\n> ")
    b = tern.encode("utf-8", "surrogateescape").decode("latin-1").split("\n> ") if False else \
        subprocess.run([TERN, "-C", conf, "-be"], input=data, capture_output=True).stdout.decode("latin-1").split("\n> ")
    diffs = [(lines[i] if i < len(lines) else "?", x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y]
    assert not diffs, "\n".join("%s\n  exim: %r\n  tern: %r" % d for d in diffs[:20])
    assert len(a) == len(b)


ACL_CONF = """\
begin acl
a1:
  accept message = hello $acl_arg1 ($acl_narg)
a2:
  deny message = nope
a3:
  defer
"""


@pytest.mark.parametrize("expr,want", [
    ("${acl{a1}{x}{y}}", "hello x (2)"),
    ("${acl{a2}}", "nope"),
    ("${if acl{{a1}{z}}{yes:$value}{no}}", "yes:hello z (1)"),
    ("${if acl{{a2}}{yes}{no:$value}}", "no:nope"),
    ("${acl{a3}}", "Failed: DEFER from acl \"a3\""),
    ("${if acl{{a3}}{y}{n}}", "Failed: DEFER from acl \"a3\""),
    ("${acl{nosuch}}", "Failed: ERROR from acl \"nosuch\""),
])
def test_acl_item_and_condition(tmp_path, expr, want):
    """${acl} and the acl condition run real ACLs (wording as Exim 4.96)."""
    conf = tmp_path / "acl.conf"
    conf.write_text(ACL_CONF)
    r = subprocess.run([TERN, "-C", str(conf), "-be", expr], capture_output=True, text=True)
    assert r.stdout == want + "\n"
# A configuration with named lists, ACLs and a header charset, fed to both
# programs with the same -be input (our own lists and ACLs).
LISTS_CONF = r"""
primary_hostname = lists.example
headers_charset = iso-8859-2
domainlist inner = *.in.example : ^\Nzz(.+)\N
domainlist outer = <; one.example ; +inner ; a;;b ; fe80::1 ;
hostlist hosts = 10.9.8.7 : 10.0.0.0/8
begin acl
say_args:
  accept message = n=$acl_narg 1=$acl_arg1 2=$acl_arg2
refuse:
  deny message = no for $acl_arg1
hold:
  defer
plain:
  accept
"""

LISTS_INPUT = r"""${listnamed:outer}
${listnamed:+inner}
${listnamed_h:hosts}
${listnamed_d:hosts}
${if match_domain{q.in.example}{+inner}{[$1]}{no}}
${if match_domain{zzabc}{+outer}{[$1]}{no}}
${acl{say_args}{x}{y z}}
${acl{refuse}{x}}
${acl{plain}}
${acl{hold}}
${acl{absent}}
${if acl{{say_args}{a}}{Y $value}{N $value}}
${if acl{{refuse}{b}}{Y $value}{N $value}}
${rfc2047:caf\xe9 au lait}
ZZ = 12
ZZ == 13
ZZ
ZZ = 14
ZZTOP = 1
Bad line
ab ZZ
"""


@pytest.mark.skipif(not os.path.exists(EXIM), reason="exim4 not installed")
def test_differential_with_lists_and_acls(tmp_path):
    p = tmp_path / "lists.conf"
    p.write_text(LISTS_CONF)
    exim = subprocess.run([EXIM, "-C", str(p), "-be"], input=LISTS_INPUT.encode(),
                          capture_output=True, timeout=60).stdout
    tern = subprocess.run([TERN, "-C", str(p), "-be"], input=LISTS_INPUT.encode(),
                          capture_output=True, timeout=60).stdout
    assert tern.decode("latin-1").split("\n") == exim.decode("latin-1").split("\n")


def test_config_dir_of_relative_config(tmp_path):
    (tmp_path / "c.conf").write_text("primary_hostname = x.example\n")
    r = subprocess.run([os.path.abspath(TERN), "-C", "c.conf", "-be", "$config_dir"],
                       capture_output=True, cwd=str(tmp_path), timeout=30)
    assert r.stdout.decode().strip() == str(tmp_path) + "/"


@pytest.mark.skipif(not os.path.exists(EXIM), reason="exim4 not installed")
def test_sqlite_file_name_errors_match_exim(tmp_path):
    p = tmp_path / "c.conf"
    p.write_text("primary_hostname = x.example\n")
    data = b"${lookup sqlite{select 1;}}\n${lookup sqlite{rel.db select 1;}}\n"
    outs = [subprocess.run([b, "-C", str(p), "-be"], input=data, capture_output=True,
                           timeout=30).stdout for b in (EXIM, TERN)]
    assert outs[0] == outs[1]


def test_srs_recipient_survives_between_lines(tmp_path):
    """$srs_recipient set by inbound_srs on one -be line is still valid on
    the next (it once pointed into scratch memory freed between lines)."""
    conf = tmp_path / "e.conf"
    conf.write_text("")
    r = subprocess.run([TERN, "-C", str(conf), "-be", "${if inbound_srs{SRS0=abcd=jo=b.c=a}{}{y}}",
                        "$srs_recipient"], capture_output=True, text=True)
    assert r.stdout == "y\na@b.c\n"
