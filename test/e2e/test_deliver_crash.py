"""test_deliver_crash.py - kill -9 the delivery process (and its
transport child) at random points, then deliver again: every recipient
the -J journal recorded gets exactly one copy, every other recipient at
least one, and the message leaves the spool only when all are done."""
import os
import random
import signal
import subprocess
import time

import pytest

from delivery_util import PublicDir, run, spool_config, write_message

TRIALS = int(os.environ.get("TERN_CRASH_TRIALS", "200"))
RCPTS = ["r0", "r1", "r2", "r3", "r4"]


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def make_conf(tmp_path, pub):
    spool = str(tmp_path / "spool")
    body = f"""begin routers
md:
  driver = accept
  transport = maildir
  user = tern
begin transports
maildir:
  driver = appendfile
  directory = {pub}/$domain/$local_part
  maildir_format
"""
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, body))
    return str(conf), spool


def copies(pub, domain, lp):
    new = os.path.join(pub, domain, lp, "new")
    return len(os.listdir(new)) if os.path.isdir(new) else 0


def journal(spool, mid):
    path = os.path.join(spool, "input", mid + "-J")
    if not os.path.exists(path):
        return set()
    return {line.split("@")[0] for line in open(path).read().split("\n")[:-1]}


def delivered_before(spool, mid, domain):
    """Addresses recorded as done in -H (a previous attempt finished them)."""
    path = os.path.join(spool, "input", mid + "-H")
    if not os.path.exists(path):
        return set()
    return {lp for lp in RCPTS if f" {lp}@{domain}\n" in open(path).read()}


def test_crash_between_transports(tern_bin, tmp_path, pub):
    conf, spool = make_conf(tmp_path, pub)
    # how long one delivery takes, to spread the kill points over it
    mid = write_message(spool, [f"{lp}@warm.example" for lp in RCPTS])
    t0 = time.monotonic()
    run(tern_bin, ["-C", conf, "-M", mid])
    span = max(time.monotonic() - t0, 0.005)
    rng = random.Random(4242)
    killed_mid_run = 0
    for trial in range(TRIALS):
        domain = f"t{trial}.example"
        mid = write_message(spool, [f"{lp}@{domain}" for lp in RCPTS])
        p = subprocess.Popen([tern_bin, "-C", conf, "-M", mid], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, span * 1.2))
        try:
            os.killpg(p.pid, signal.SIGKILL)
            killed_mid_run += p.poll() is None
        except ProcessLookupError:
            pass
        p.wait()
        time.sleep(0.002)  # let the killed group's children be reaped by init
        done = journal(spool, mid) | delivered_before(spool, mid, domain)
        for _ in range(3):
            if not os.path.exists(os.path.join(spool, "input", mid + "-H")):
                break
            rc, out, err = run(tern_bin, ["-C", conf, "-M", mid])
            assert rc == 0, (trial, out, err, os.listdir(os.path.join(spool, "input")))
        assert not os.path.exists(os.path.join(spool, "input", mid + "-H")), f"trial {trial}: message left"
        assert not os.path.exists(os.path.join(spool, "input", mid + "-D"))
        for lp in RCPTS:
            n = copies(pub, domain, lp)
            assert n >= 1, f"trial {trial}: {lp} lost"
            if lp in done:
                assert n == 1, f"trial {trial}: {lp} journalled but delivered {n} times"
    assert killed_mid_run >= TRIALS // 4, "kills mostly missed the delivery: timing too coarse"


def test_header_without_data_is_tidied(tern_bin, tmp_path, pub):
    """A crash inside completed() after -D went (it goes first) leaves -H and
    -J: the next attempt logs the missing -D and removes them, delivering
    nothing again."""
    conf, spool = make_conf(tmp_path, pub)
    mid = write_message(spool, [f"{lp}@gone.example" for lp in RCPTS])
    inp = os.path.join(spool, "input")
    os.unlink(os.path.join(inp, mid + "-D"))
    with open(os.path.join(inp, mid + "-J"), "w") as j:
        j.write("r0@gone.example\n")
    run(tern_bin, ["-C", conf, "-M", mid])
    assert not os.path.exists(os.path.join(inp, mid + "-H"))
    assert not os.path.exists(os.path.join(inp, mid + "-J"))
    assert all(copies(pub, "gone.example", lp) == 0 for lp in RCPTS)
    log = open(os.path.join(spool, "log", "mainlog")).read()
    assert f" Spool file {mid}-D not found\n" in log
