"""-bp and its variants against Exim 4.96 on spools Exim wrote itself:
both programs read the same spool and must print the same bytes
(-bpr/-bpra are unsorted, so their messages are compared as sets)."""
import os
import pathlib
import re
import shutil
import tempfile
import time

import pytest

from queuelib import EXIM, HAVE_EXIM, TERN, exim_message, make_site, run

pytestmark = pytest.mark.skipif(not HAVE_EXIM, reason="exim4 oracle not installed")

MODES = ["-bp", "-bpa", "-bpc", "-bpu", "-bpr", "-bpra", "-bpru"]


def blocks(text):
    return sorted(b for b in text.split("\n\n") if b)


def same(conf, *args):
    e = run(EXIM, conf, *args)
    t = run(TERN, conf, *args)
    assert t[0] == e[0], (t, e)
    if args[0] in ("-bpr", "-bpra", "-bpru"):
        assert blocks(t[1]) == blocks(e[1])
    else:
        assert t[1] == e[1]
    return t[1]


def set_time(site, mid, seconds_ago, sub=""):
    h = pathlib.Path(site) / "spool" / "input" / sub / f"{mid}-H"
    lines = h.read_text().split("\n")
    lines[3] = re.sub(r"^\d+", str(int(time.time()) - seconds_ago), lines[3])
    h.write_text("\n".join(lines))


@pytest.fixture
def open_tmp():
    """A directory other users can reach (pytest's tmp_path is 0700)."""
    path = pathlib.Path(tempfile.mkdtemp(prefix="ternq-", dir="/tmp"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def site(tmp_path):
    return tmp_path, make_site(tmp_path)


def test_basic_frozen_delivered(site):
    d, conf = site
    a = exim_message(conf, "alice@ex.com", ["bob@ex.com", "carol@ex.com", "dave@ex.com"])
    b = exim_message(conf, "", ["bounce@ex.com"])
    exim_message(conf, "x@ex.com", ["y@ex.com"], body="a" * 70 + "\n" * 3000)
    run(EXIM, conf, "-Mf", b)
    run(EXIM, conf, "-Mmd", a, "carol@ex.com")
    for m in MODES:
        same(conf, m)
    out = same(conf, "-bp")
    assert "*** frozen ***" in out and "        D carol@ex.com" in out


# Ages sit a couple of seconds off the minute boundaries: the two -bp runs
# (Exim and Tern) happen a moment apart, and a boundary could flip between them.
@pytest.mark.parametrize("ago", [0, 57, 62, 5397, 5402, 5460, 3600 * 72 + 29 * 60, 3600 * 72 + 31 * 60,
                                 86400 * 400, -600])
def test_ages(site, ago):
    d, conf = site
    mid = exim_message(conf, "a@ex.com", ["b@ex.com"])
    set_time(d, mid, ago)
    same(conf, "-bp")


@pytest.mark.parametrize("size", [10, 900, 1500, 9000, 10300, 500000, 1100000, 10600000])
def test_sizes(site, size):
    d, conf = site
    exim_message(conf, "a@ex.com", ["b@ex.com"], body=("z" * 99 + "\n") * (size // 100) + "z\n")
    same(conf, "-bp")


def test_journal_and_generated(site):
    d, conf = site
    mid = exim_message(conf, "a@ex.com", ["b@ex.com", "c@ex.com"])
    (d / "spool" / "input" / f"{mid}-J").write_text("c@ex.com\nchild@ex.com\n")
    for m in ("-bp", "-bpa", "-bpu"):
        same(conf, m)
    assert "       +D child@ex.com" in run(TERN, conf, "-bpa")[1]


def test_untrusted_sender_login(site):
    d, conf = site
    mid = exim_message(conf, "a@ex.com", ["b@ex.com"])
    h = d / "spool" / "input" / f"{mid}-H"
    h.write_text(h.read_text().replace("-deliver_firsttime\n", "-deliver_firsttime\n-sender_set_untrusted\n"))
    assert "(root)" in same(conf, "-bp")


def test_damaged_messages(site):
    d, conf = site
    a = exim_message(conf, "a@ex.com", ["b@ex.com"])
    b = exim_message(conf, "a@ex.com", ["c@ex.com"])
    exim_message(conf, "a@ex.com", ["e@ex.com"])
    os.unlink(d / "spool" / "input" / f"{a}-D")
    (d / "spool" / "input" / f"{b}-H").write_text("garbage\n")
    same(conf, "-bp")
    same(conf, "-bpc")


def test_ids_on_command_line(site):
    d, conf = site
    a = exim_message(conf, "a@ex.com", ["b@ex.com"])
    exim_message(conf, "a@ex.com", ["c@ex.com"])
    missing = a[:-2] + "zz"
    out = same(conf, "-bp", a)
    assert out.count("\n\n") == 1
    same(conf, "-bp", missing, a)


def test_split_spool(tmp_path):
    conf = make_site(tmp_path, "split_spool_directory = true")
    for i in range(4):
        exim_message(conf, f"s{i}@ex.com", [f"r{i}@ex.com"])
    subdirs = [p for p in (tmp_path / "spool" / "input").iterdir() if p.is_dir()]
    assert subdirs, "Exim did not split the spool"
    for m in MODES:
        same(conf, m)
    # a message left in the unsplit place is still listed, as Exim does
    first = next(subdirs[0].glob("*-H"))
    mid = first.name[:-2]
    for suffix in ("-H", "-D"):
        (subdirs[0] / f"{mid}{suffix}").rename(tmp_path / "spool" / "input" / f"{mid}{suffix}")
    same(conf, "-bp")


def test_empty_queue(site):
    d, conf = site
    assert same(conf, "-bp") == ""
    assert same(conf, "-bpc") == "0\n"


def test_non_admin_refused(open_tmp):
    conf = make_site(open_tmp)
    for m in ("-bp", "-bpc"):
        rc, out, err = run(TERN, conf, m, user="nobody")
        assert rc == 1 and out == "" and "permission denied" in err


def test_queue_list_requires_admin_false(open_tmp):
    tmp_path = open_tmp
    conf = make_site(tmp_path, "queue_list_requires_admin = false")
    exim_message(conf, "a@ex.com", ["b@ex.com"])
    for p in (tmp_path / "spool", tmp_path / "spool" / "input"):
        os.chmod(p, 0o755)
    for f in (tmp_path / "spool" / "input").iterdir():
        os.chmod(f, 0o644)
    rc, out, err = run(TERN, conf, "-bpc", user="nobody")
    assert (rc, out) == (0, "1\n"), err
