"""-M* message actions against Exim 4.96: the same spool (written by
Exim) is copied twice; each action runs on one copy under Exim and on
the other under Tern; stdout, exit status, the mainlog lines and the
resulting -bp listing must be the same."""
import fcntl
import os
import pathlib
import shutil
import tempfile
import time

import pytest

from queuelib import EXIM, HAVE_EXIM, TERN, exim_message, mainlog, make_site, masked_err, run, twin

pytestmark = pytest.mark.skipif(not HAVE_EXIM, reason="exim4 oracle not installed")


@pytest.fixture
def pair(tmp_path):
    """(exim_site, exim_conf, tern_site, tern_conf, ids)"""
    e = tmp_path / "e"
    econf = make_site(e)
    ids = [exim_message(econf, "alice@ex.com", ["bob@ex.com", "carol@ex.com"]),
           exim_message(econf, "", ["dave@ex.com"]),
           exim_message(econf, "erin@ex.com", ["frank@ex.com"])]
    (e / "log" / "mainlog").unlink()
    t = tmp_path / "t"
    tconf = twin(e, t)
    return e, econf, t, tconf, ids


def both(pair, *args):
    e, econf, t, tconf, _ = pair
    er = run(EXIM, econf, *args)
    tr = run(TERN, tconf, *args)
    assert tr[0] == er[0], (args, tr, er)
    assert tr[1] == er[1], args
    assert masked_err(tr[2]) == masked_err(er[2]), args
    assert mainlog(t) == mainlog(e), args
    assert run(TERN, tconf, "-bp")[1] == run(EXIM, econf, "-bp")[1], args
    return tr


def test_freeze_thaw(pair):
    a, b, c = pair[4]
    for args in (["-Mf", a], ["-Mf", a], ["-Mt", a], ["-Mt", a], ["-Mf", a, b, c], ["-Mt", b, c]):
        both(pair, *args)


def test_missing_and_malformed_ids(pair):
    a = pair[4][0]
    gone = a[:-2] + "zz"
    for args in (["-Mf", gone], ["-Mt", gone], ["-Mrm", gone], ["-Mar", gone, "x@y.z"],
                 ["-Mf", a, gone], ["-Mf", "bogus"], ["-Mf"], ["-Mvh"], ["-Mvh", a, a],
                 ["-Mvh", gone], ["-Mvb", gone], ["-Mvl", gone]):
        both(pair, *args)


def test_add_mark_edit(pair):
    a, b, _ = pair[4]
    for args in (["-Mar", a, "new@ex.com", "two@ex.org"], ["-Mar", a], ["-Mar", a, "unqualified"],
                 ["-Mmd", a, "bob@ex.com"], ["-Mmd", a, "nobody@ex.com"], ["-Mmd", a],
                 ["-Mes", a, "sender@ex.net"], ["-Mes", a], ["-Mes", a, "x@y", "z@w"],
                 ["-Mes", b, "<>"], ["-Mmad", b], ["-Mmad", a, b]):
        both(pair, *args)


def test_remove(pair):
    a, b, c = pair[4]
    both(pair, "-Mrm", a)
    both(pair, "-Mrm", a)
    both(pair, "-Mrm", b, c)
    e, _, t, _, _ = pair
    assert sorted(os.listdir(t / "spool" / "input")) == []
    assert not list((t / "spool" / "msglog").iterdir())


def test_remove_preserve_message_logs(tmp_path):
    conf = make_site(tmp_path, "preserve_message_logs = true")
    mid = exim_message(conf, "a@ex.com", ["b@ex.com"])
    rc, out, _ = run(TERN, conf, "-Mrm", mid)
    assert (rc, out) == (0, f"Message {mid} has been removed\n")
    assert (tmp_path / "spool" / "msglog.OLD" / mid).exists()


def test_views(pair):
    a = pair[4][0]
    for args in (["-Mvh", a], ["-Mvb", a], ["-Mvl", a]):
        both(pair, *args)


def test_view_complete(pair):
    a = pair[4][0]
    out = run(TERN, pair[3], "-Mvc", a)[1]
    assert "Subject: t\n" in out and out.endswith("\nbody\n")


def locked(site, mid):
    fd = os.open(site / "spool" / "input" / f"{mid}-D", os.O_RDWR)
    fcntl.lockf(fd, fcntl.LOCK_EX, 19, 0)
    return fd


def test_locked_message(pair):
    """A message another process holds (as a delivery does) is left alone;
    the lock is held from a child process, since fcntl locks are per process."""
    e, econf, t, tconf, ids = pair
    a = ids[0]
    results = {}
    for site, prog, conf in ((e, EXIM, econf), (t, TERN, tconf)):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            locked(site, a)
            os.write(w, b"x")
            time.sleep(30)
            os._exit(0)
        os.close(w)
        os.read(r, 1)
        try:
            results[prog] = [run(prog, conf, *args) for args in
                             (["-Mf", a], ["-Mt", a], ["-Mrm", a], ["-Mar", a, "x@y.z"], ["-Mmad", a],
                              ["-Mes", a, "q@r.s"], ["-Mmd", a, "bob@ex.com"])]
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    assert results[TERN] == results[EXIM]
    assert "is locked" in results[TERN][0][1]


@pytest.fixture
def open_tmp():
    path = pathlib.Path(tempfile.mkdtemp(prefix="ternq-", dir="/tmp"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_non_admin(open_tmp):
    conf = make_site(open_tmp)
    mid = exim_message(conf, "a@ex.com", ["b@ex.com"])
    for args in (["-Mf", mid], ["-Mvh", mid], ["-M", mid], ["-q"], ["-R", "ex.com"]):
        rc, out, err = run(TERN, conf, *args, user="nobody")
        assert rc == 1 and "permission denied" in err, (args, out, err)


def test_split_spool_actions(tmp_path):
    e = tmp_path / "e"
    econf = make_site(e, "split_spool_directory = true")
    ids = [exim_message(econf, "a@ex.com", ["b@ex.com"]) for _ in range(2)]
    (e / "log" / "mainlog").unlink()
    tconf = twin(e, tmp_path / "t", "split_spool_directory = true")
    p = (e, econf, tmp_path / "t", tconf, ids)
    both(p, "-Mf", ids[0])
    both(p, "-Mar", ids[1], "c@ex.com")
    both(p, "-Mvl", ids[1])
    both(p, "-Mrm", ids[0])
