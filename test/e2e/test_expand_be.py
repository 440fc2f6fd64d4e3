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
    p.write_text("primary_hostname = test.example\nqualify_domain = q.example\n")
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
