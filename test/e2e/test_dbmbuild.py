"""tern_dbmbuild against Exim's exim_dbmbuild: files made by tern_dbmbuild
give the same answers as files made by exim_dbmbuild when Exim reads them
(exim4 -be), and Tern reads files made by exim_dbmbuild (here through
tern -be when the build has expansion; test/unit/test_lookups.c reads
one directly). Skips when Debian's exim4 tools are absent."""
import os
import shutil
import subprocess

import pytest

TERN = os.environ.get("TERN_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "tern"))
DBMBUILD = os.path.join(os.path.dirname(os.path.abspath(TERN)), "tern_dbmbuild")
EXIM = shutil.which("exim4") or ("/usr/sbin/exim4" if os.path.exists("/usr/sbin/exim4") else None)
EXIM_DBMBUILD = shutil.which("exim_dbmbuild") or (
    "/usr/sbin/exim_dbmbuild" if os.path.exists("/usr/sbin/exim_dbmbuild") else None)

needs_exim = pytest.mark.skipif(not EXIM or not EXIM_DBMBUILD, reason="exim4/exim_dbmbuild not installed")

SOURCE = """# aliases
Alice: alice@example.com
"Two Words": quoted
multi: one
  two
\tthree
dup: first
dup: second
empty:
"esc\\x41": hex
"""

KEYS = ["alice", "two words", "multi", "dup", "empty", "esca", "Alice", "missing"]


def exim_lookup(kind, path, key):
    expr = "[${lookup{%s}%s{%s}{$value}{NOTFOUND}}]" % (key, kind, path)
    r = subprocess.run([EXIM, "-be", expr], capture_output=True, text=True)
    return r.stdout.strip()


def build(prog, args, src, out):
    return subprocess.run([prog] + args + [src, out], capture_output=True, text=True)


@pytest.fixture
def src(tmp_path):
    p = tmp_path / "src.txt"
    p.write_text(SOURCE)
    return str(p)


@needs_exim
@pytest.mark.parametrize("args,kind", [([], "dbm"), (["-nolc"], "dbm"), (["-nozero"], "dbmnz"),
                                       (["-lastdup"], "dbm"), (["-nozero", "-nolc", "-lastdup"], "dbmnz")])
def test_same_answers_as_exim_dbmbuild(tmp_path, src, args, kind):
    ours, theirs = str(tmp_path / "ours.db"), str(tmp_path / "theirs.db")
    a = build(DBMBUILD, args, src, ours)
    b = build(EXIM_DBMBUILD, args, src, theirs)
    assert a.returncode == b.returncode
    assert a.stdout == b.stdout
    for key in KEYS:
        assert exim_lookup(kind, ours, key) == exim_lookup(kind, theirs, key), key


@needs_exim
def test_messages_and_status(tmp_path, src):
    out = str(tmp_path / "x.db")
    r = build(DBMBUILD, [], src, out)
    assert r.returncode == 1
    assert r.stdout == "6 entries written\n1 duplicate key \n"
    assert '** Duplicate key "dup"' in r.stderr
    r = build(DBMBUILD, ["-nowarn", "-noduperr"], src, out)
    assert r.returncode == 0 and r.stderr == ""
    r = build(DBMBUILD, ["-noduplicates"], src, out)
    assert r.returncode == 0
    r = subprocess.run([DBMBUILD, str(tmp_path / "nonexistent"), out], capture_output=True, text=True)
    assert r.returncode == 1 and "unable to open" in r.stderr
    r = subprocess.run([DBMBUILD, src], capture_output=True, text=True)
    assert r.returncode == 1 and "usage" in r.stderr
    assert not os.path.exists(out + ".dbmbuild_temp")


@needs_exim
def test_stdin_source(tmp_path):
    out = str(tmp_path / "s.db")
    r = subprocess.run([DBMBUILD, "-", out], input="k: v\n", capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == "1 entry written\n"
    assert exim_lookup("dbm", out, "k") == "[v]"


def test_tern_reads_exim_file(tmp_path, src):
    """Tern's dbm lookup reads a file that exim_dbmbuild made."""
    if not EXIM_DBMBUILD:
        pytest.skip("exim_dbmbuild not installed")
    theirs = str(tmp_path / "theirs.db")
    assert build(EXIM_DBMBUILD, ["-nowarn"], src, theirs).returncode == 1
    r = subprocess.run([TERN, "-C", "/dev/null", "-be", "${lookup{alice}dbm{%s}}" % theirs],
                       capture_output=True, text=True)
    if r.returncode != 0 or "alice@example.com" not in r.stdout:
        pytest.skip("tern -be expansion not available in this build")
    assert r.stdout.strip() == "alice@example.com"
