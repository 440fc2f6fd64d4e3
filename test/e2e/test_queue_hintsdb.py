"""tern_dumpdb and tern_tidydb on hints records Tern wrote itself (the
ratelimit and seen ACL conditions, run through -be ${acl}), printed in
exim_dumpdb's layout; usage and error text compared with Exim's tools."""
import os
import re
import shutil
import subprocess
import time

import pytest

from queuelib import TERN, make_site, run

BIN = os.path.dirname(os.path.abspath(TERN))
DUMP, TIDY = os.path.join(BIN, "tern_dumpdb"), os.path.join(BIN, "tern_tidydb")
ACL = """
begin acl
r:
  warn ratelimit = 10 / 1h / per_cmd / key1
  warn ratelimit = 10 / 1h / per_cmd / unique=a / key2
  warn seen = 1d / key=somebody
  accept
"""
TIME = r"\d\d-[A-Z][a-z][a-z]-\d{4} \d\d:\d\d:\d\d"


def tool(prog, *args):
    p = subprocess.run([prog, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def spool(tmp_path):
    if not os.path.exists(DUMP):
        pytest.skip("tern_dumpdb not built")
    conf = make_site(tmp_path)
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.split("begin routers")[0] + ACL)
    rc, out, err = run(TERN, conf, "-be", "${acl{r}}")
    assert rc == 0, err
    return str(tmp_path / "spool")


def test_dump_layouts(spool):
    rc, out, _ = tool(DUMP, spool, "ratelimit")
    assert rc == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert any(re.fullmatch(TIME + r"\.\d{6} rate: +1\.000 key: \S*key1", l) for l in lines), out
    assert any(re.fullmatch(TIME + r"\.\d{6} rate: +1\.000 epoch: " + TIME + r" size: \d+ key: \S*unique\S*key2", l)
               for l in lines), out
    rc, out, _ = tool(DUMP, spool, "seen")
    assert re.fullmatch("somebody\t" + TIME + "\n", out)
    rc, out, _ = tool(DUMP, "-k", spool, "seen")
    assert out == "  somebody\n"


def test_utc_flag(spool):
    env = dict(os.environ, TZ="America/New_York")
    local = subprocess.run([DUMP, spool, "seen"], env=env, capture_output=True, text=True).stdout
    utc = subprocess.run([DUMP, "-z", spool, "seen"], env=env, capture_output=True, text=True).stdout
    assert local != utc


def test_tidy(spool):
    rc, out, _ = tool(TIDY, spool, "seen")
    assert (rc, out) == (0, f"Tidying Exim hints database {spool}/db/seen\nTidying complete\n")
    time.sleep(1.1)
    rc, out, _ = tool(TIDY, "-t", "0s", spool, "seen")
    assert out == f"Tidying Exim hints database {spool}/db/seen\ndeleted somebody (too old)\nTidying complete\n"
    assert tool(DUMP, spool, "seen")[1] == ""


@pytest.mark.skipif(not shutil.which("exim_dumpdb"), reason="Exim's tools not installed")
@pytest.mark.parametrize("prog,args", [("dumpdb", []), ("dumpdb", ["/x"]), ("dumpdb", ["-q", "/x", "retry"]),
                                       ("dumpdb", ["/x", "bogus"]), ("tidydb", ["-t", "bad", "/x", "retry"]),
                                       ("dumpdb", ["SPOOL", "misc"]), ("tidydb", ["SPOOL", "callout"]),
                                       ("dumpdb", ["SPOOL", "wait-remote_smtp"])])
def test_usage_and_errors_as_exim(tmp_path, prog, args):
    (tmp_path / "db").mkdir()
    args = [str(tmp_path) if a == "SPOOL" else a for a in args]
    ours = tool(os.path.join(BIN, f"tern_{prog}"), *args)
    theirs = tool(shutil.which(f"exim_{prog}"), *args)
    assert ours[0] == theirs[0]
    assert ours[1].replace("tern_", "exim_") == theirs[1]


def test_missing_db_file_as_exim(tmp_path):
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "retry.lockfile").write_text("")
    ours = tool(DUMP, str(tmp_path), "retry")
    theirs = tool(shutil.which("exim_dumpdb") or DUMP, str(tmp_path), "retry")
    assert ours == theirs
