"""ACL syntax errors reported by the binary at startup (tern -C conf -bV),
worded as Exim 4.96 words them, with the file and line of the bad line."""
import os
import subprocess
import tempfile

import pytest

TERN = os.environ.get("TERN_BIN") or os.path.join(os.path.dirname(__file__), "..", "..", "build", "tern")

HEAD = "acl_smtp_rcpt = a\nbegin acl\na:\n  accept hosts = 1.2.3.4\n"

CASES = [
    ("  accept foo = x\n", 5, 'unknown ACL condition/modifier in "accept foo = x"'),
    ("  accept domains = x\n  foo = y\n", 6, 'unknown ACL condition/modifier in "foo = y"'),
    ("  accept domains\n", 5, '"=" missing after ACL "domains" condition'),
    ("  accept message x\n", 5, '"=" missing after ACL "message" modifier'),
    ("  warn endpass\n", 5, 'ACL error: "endpass" is not allowed with "warn"'),
    ("  accept !message = x\n", 5, 'ACL error: negation is not allowed with "message"'),
    ("  !accept\n", 5, 'malformed ACL line "!accept"'),
    ("  accept set acl_q = 1\n", 5,
     'invalid variable name after "set" in ACL modifier "set acl_q = 1" (must start "acl_c" or "acl_m")'),
    ("  accept set acl_m = 1\n", 5, 'invalid variable name after "set" in ACL modifier "set acl_m = 1" '
     '(digit or underscore must follow acl_c or acl_m)'),
    ("  accept domains = x\n\n  !verify = y : \\\n  z\n  bad = 1\n", 9,
     'unknown ACL condition/modifier in "bad = 1"'),
]


def run_conf(text):
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        p = subprocess.run([TERN, "-C", path, "-bV"], capture_output=True, text=True, timeout=20)
    finally:
        os.unlink(path)
    return p, os.path.basename(path)


@pytest.mark.parametrize("body,line,err", CASES)
def test_acl_errors(body, line, err):
    p, name = run_conf(HEAD + body)
    out = p.stdout + p.stderr
    assert p.returncode != 0
    assert f"configuration error in line {line} of " in out
    assert f"  error in ACL: {err}\n" in out


def test_first_line_unknown_verb():
    p, _ = run_conf("acl_smtp_rcpt = a\nbegin acl\na:\n  foo hosts = x\n")
    assert 'error in ACL: unknown ACL verb "foo" in "foo hosts = x"' in p.stdout + p.stderr


def test_good_acls_accepted():
    good = HEAD + ("  deny message = m\n       !hosts = 10.0.0.0/8\n  accept endpass\n"
                   "  warn set acl_m_x = 1\n       control = freeze/no_tell\n"
                   "  require verify = sender\n  discard log_message = d\n  drop\n  defer\n"
                   "b:\n  accept acl = a x \"y z\"\n")
    p, _ = run_conf(good)
    assert p.returncode == 0, p.stdout + p.stderr
