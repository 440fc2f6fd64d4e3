"""Queue runners: which messages -q, -qf, -qff, -qi, -qq, -R, -S and an id
range hand to the delivery process, and the Start/End queue run lines
(compared with Exim's wording on an empty queue).

The runner's debug output (-d+queue_run) says which messages it hands to
the delivery process and whether it forces them; these tests read it, so
they hold whether or not deliver.c is in the build."""
import re
import time

import pytest

from queuelib import EXIM, HAVE_EXIM, TERN, exim_message, mainlog, make_site, run

pytestmark = pytest.mark.skipif(not HAVE_EXIM, reason="exim4 oracle not installed (writes the spool)")


def delivered(stderr):
    """[(id, forced)] for each message the runner delivered"""
    return [(m.group(1), bool(m.group(2))) for m in
            re.finditer(r"queue run: delivering (\S+)( forced)?( \(first pass\))?\n", stderr)]


def qrun(conf, *args):
    rc, out, err = run(TERN, conf, "-d+queue_run", *args)
    assert (rc, out) == (0, ""), err
    return delivered(err), err


@pytest.fixture
def q(tmp_path):
    conf = make_site(tmp_path)
    with open(conf, "a") as f:  # a rule: the undeliverable mbox defers (none: it would time out, as in Exim)
        f.write("begin retry\n* * F,1h,10m\n")
    ids = {
        "plain": exim_message(conf, "alice@ex.com", ["bob@ex.com"]),
        "frozen": exim_message(conf, "carol@ex.com", ["dave@other.org"]),
        "tried": exim_message(conf, "erin@ex.com", ["frank@other.org", "gina@ex.com"]),
    }
    run(EXIM, conf, "-Mf", ids["frozen"])
    h = tmp_path / "spool" / "input" / f"{ids['tried']}-H"
    h.write_text(h.read_text().replace("-deliver_firsttime\n", ""))
    (tmp_path / "log" / "mainlog").unlink()
    return tmp_path, conf, ids


@pytest.mark.parametrize("args,expect,frozen_logged", [
    (["-q"], {"plain": False, "tried": False}, True),
    (["-qf"], {"plain": True, "tried": True}, True),
    (["-qff"], {"plain": True, "tried": True, "frozen": True}, False),
    (["-qi"], {"plain": False}, True),
    (["-qif"], {"plain": True}, True),
    (["-R", "other.org"], {"tried": True}, True),
    (["-Rf", "OTHER.org"], {"tried": True}, True),
    (["-Rff", "other.org"], {"tried": True, "frozen": True}, False),
    (["-Rr", r"^(bob|gina)@"], {"plain": True, "tried": False}, False),
    (["-S", "alice"], {"plain": True}, False),
    (["-qS", "e"], {"plain": True, "tried": False}, True),
    (["-R", "ex.com", "-S", "erin"], {"tried": True}, False),
])
def test_selection(q, args, expect, frozen_logged):
    site, conf, ids = q
    got, _ = qrun(conf, *args)
    assert sorted(i for i, _ in got) == sorted(ids[k] for k in expect)
    byid = dict(got)
    if len(expect) == 1 or all(expect.values()) or not any(expect.values()):
        assert {k: byid[ids[k]] for k in expect} == expect
    else:  # -R/-S without f: only the first selected message is forced
        assert sorted(byid.values()) == [False, True]
    frozen_line = f"{ids['frozen']} Message is frozen"
    assert (frozen_line in mainlog(site)) == frozen_logged


def test_two_stage_runs_twice(q):
    site, conf, ids = q
    got, err = qrun(conf, "-qq")
    assert sorted(i for i, _ in got) == sorted([ids["plain"], ids["tried"]] * 2)
    assert err.count("(first pass)") == 2
    assert mainlog(site).count(f"{ids['frozen']} Message is frozen") == 1


def test_id_range(q):
    site, conf, ids = q
    order = sorted([ids["plain"], ids["tried"]])
    got, _ = qrun(conf, "-qf", order[1], order[1])
    assert [i for i, _ in got] == [order[1]]


def test_in_order(tmp_path):
    conf = make_site(tmp_path, "queue_run_in_order = true")
    ids = [exim_message(conf, "a@ex.com", [f"r{i}@ex.com"]) for i in range(5)]
    got, _ = qrun(conf, "-q")
    assert [i for i, _ in got] == sorted(ids)


def test_auto_thaw_and_timeout_frozen(tmp_path):
    conf = make_site(tmp_path, "auto_thaw = 1h")
    a = exim_message(conf, "a@ex.com", ["b@ex.com"])
    b = exim_message(conf, "a@ex.com", ["c@ex.com"])
    run(EXIM, conf, "-Mf", a, b)
    h = tmp_path / "spool" / "input" / f"{a}-H"
    h.write_text(re.sub(r"-frozen \d+", f"-frozen {int(time.time()) - 7200}", h.read_text()))
    got, _ = qrun(conf, "-q")
    assert [i for i, _ in got] == [a]
    assert f"{b} Message is frozen" in mainlog(tmp_path)


@pytest.mark.parametrize("args", [["-q"], ["-qf"], ["-qff"], ["-qi"], ["-qqf"], ["-qqff"], ["-qil"],
                                  ["-R", "y.z"], ["-Rff", "y.z"], ["-S", "a@b"], ["-Sf", "a@b"],
                                  ["-qf", "-R", "x", "-S", "y"]])
def test_log_lines_as_exim(tmp_path, args):
    """Start/End lines, pid masked, on an empty queue (nothing delivered)."""
    e, t = tmp_path / "e", tmp_path / "t"
    econf, tconf = make_site(e), make_site(t)
    assert run(EXIM, econf, *args)[0] == 0
    assert run(TERN, tconf, *args)[0] == 0

    def masked(site):
        return [re.sub(r"pid=\d+", "pid=N", l) for l in mainlog(site)]
    assert masked(t) == masked(e)
    assert masked(t)[0].startswith("Start queue run: pid=N")


@pytest.mark.parametrize("args,err", [
    (["-qx"], "bad time value -qx: abandoned"),
    (["-R"], "string expected after -R"),
    (["-S"], "string expected after -S"),
    (["-M"], "no message ids given after -M option"),
    (["-Mx", "1xW7H1-0000pl-25"], "unknown, malformed, or incomplete option -Mx"),
    (["-Mf", "-qf"], "malformed message id -qf after -Mf option"),
])
def test_command_line_errors(tmp_path, args, err):
    conf = make_site(tmp_path)
    rc, out, e = run(TERN, conf, *args)
    assert rc == 1 and e.strip().endswith(err), e
    rc2, _, e2 = run(EXIM, conf, *args)
    assert rc2 == 1 and err in e2


def test_log_selector_off(tmp_path):
    conf = make_site(tmp_path, "log_selector = -queue_run")
    run(TERN, conf, "-q")
    assert not any("queue run" in l for l in mainlog(tmp_path))
