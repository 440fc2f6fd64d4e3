"""test_deliver_fsync.py - the delivery side of the fsync budget
(DESIGN.md section 9): one local Maildir delivery of one message costs
exactly one fsync (the Maildir file's), counted with strace; the -J
journal adds none (see journal() in src/deliver.c for why)."""
import os
import re
import shutil
import subprocess

import pytest

from delivery_util import PublicDir, spool_config, write_message


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def syncs(tern_bin, conf, mid):
    # LeakSanitizer cannot run under ptrace: a sanitizer build is traced without it
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    p = subprocess.run(["strace", "-f", "-c", "-e", "trace=fsync,fdatasync,sync_file_range,syncfs",
                        tern_bin, "-C", conf, "-M", mid], capture_output=True, text=True, timeout=60,
                       env=env)
    assert p.returncode == 0, p.stderr
    total = 0
    for line in p.stderr.splitlines():
        m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync|sync_file_range|syncfs)$", line)
        if m:
            total += int(m.group(1))
    return total


@pytest.mark.skipif(not shutil.which("strace"), reason="strace not installed")
@pytest.mark.parametrize("kind", ["maildir", "mbox"])
def test_one_fsync_per_local_delivery(tern_bin, tmp_path, pub, kind):
    spool = str(tmp_path / "spool")
    where = "directory" if kind == "maildir" else "file"
    body = f"""begin routers
u:
  driver = accept
  transport = t
  user = tern
begin transports
t:
  driver = appendfile
  {where} = {pub}/$local_part
  {"maildir_format" if kind == "maildir" else ""}
"""
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, body))
    mid = write_message(spool, ["box@test.example"])
    assert syncs(tern_bin, str(conf), mid) == 1
    assert not os.path.exists(os.path.join(spool, "input", mid + "-H"))
