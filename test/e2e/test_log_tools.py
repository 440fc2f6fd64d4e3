"""exigrep and eximstats (Debian's exim4-base) read Tern's mainlog: the
arrival lines, ids and fields are Exim's, so the tools group and count
them. Skips where the tools are not installed."""
import os
import shutil
import subprocess

import pytest

from smtp_util import Env

CONF = "acl_smtp_rcpt = accept\nbegin routers\nr:\n  driver = redirect\n  data = :blackhole:"
TWO = (b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: s\r\n\r\nbody\r\n.\r\n"
       b"MAIL FROM:<c@d.e>\r\nRCPT TO:<w@y.z>\r\nDATA\r\nSubject: t\r\n\r\nbody\r\n.\r\nQUIT\r\n")


def log_path(env):
    return os.path.join(env.spool, "log", "mainlog")


@pytest.mark.skipif(not shutil.which("exigrep"), reason="exigrep (exim4-base) not installed")
def test_exigrep_groups_one_message(tmp_path):
    env = Env(tmp_path, CONF)
    env.run(["-odi", "-bs"], TWO)
    lines = env.log()
    ids = [ln.split()[0] for ln in lines if " <= " in ln]
    assert len(ids) == 2
    path = log_path(env)
    out = subprocess.run(["exigrep", "c@d.e", path], capture_output=True, text=True).stdout
    got = [ln for ln in out.splitlines() if ln]
    assert got and all(ids[1] in ln for ln in got)
    assert any(" <= c@d.e " in ln for ln in got) and not any(ids[0] in ln for ln in got)


@pytest.mark.skipif(not shutil.which("eximstats"), reason="eximstats (exim4-base) not installed")
def test_eximstats_counts_arrivals(tmp_path):
    env = Env(tmp_path, CONF)
    env.run(["-odi", "-bs"], TWO)
    sizes = [int(ln.split(" S=")[1].split()[0]) for ln in env.log() if " <= " in ln]
    path = log_path(env)
    out = subprocess.run(["eximstats", path], capture_output=True, text=True).stdout
    received = [ln.split() for ln in out.splitlines() if ln.strip().startswith("Received")]
    assert received and received[0][1:3] == [str(sum(sizes)), "2"]
