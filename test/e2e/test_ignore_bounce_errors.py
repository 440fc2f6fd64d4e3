"""ignore_bounce_errors_after and errors_to = "": a failing bounce is
frozen until the timer passes, then tried once more and its failure
dropped ("error ignored"); a zero time drops it at once. Compared with
the Exim 4.96 oracle on the same spool and configuration."""
import os

import pytest

from oracle_deliver import deliver_both

FAIL_ROUTER = """begin routers
bad:
  driver = redirect
  allow_fail
{extra}  data = :fail: no such user
"""
TWO_HOURS = 7200
IGNORED = ["** nobody@test.example R=bad: no such user", "nobody@test.example: error ignored", "Completed"]


def queue_run(tern_bin, tmp_path, main, frozen, extra=""):
    r = deliver_both(tern_bin, tmp_path, FAIL_ROUTER.format(extra=extra), ["nobody@test.example"],
                     extra_main=main, age=TWO_HOURS, frozen=frozen, args=("-q",), sender="")
    assert r.log[0].startswith("Start queue run") and r.log[-1].startswith("End queue run")
    return r.log[1:-1], os.listdir(os.path.join(r.spool, "input"))


def test_frozen_bounce_past_the_timer_is_tried_and_dropped(tern_bin, tmp_path):
    log, left = queue_run(tern_bin, tmp_path, "ignore_bounce_errors_after = 1h", frozen=True)
    assert log == ["Unfrozen by errmsg timer"] + IGNORED
    assert left == []


def test_frozen_bounce_before_the_timer_stays(tern_bin, tmp_path):
    log, left = queue_run(tern_bin, tmp_path, "ignore_bounce_errors_after = 3h", frozen=True)
    assert log == ["Message is frozen"]
    assert sorted(n[-2:] for n in left) == ["-D", "-H"]


def test_zero_drops_bounce_failures_at_once(tern_bin, tmp_path):
    log, left = queue_run(tern_bin, tmp_path, "ignore_bounce_errors_after = 0s", frozen=False)
    assert log == IGNORED and left == []


@pytest.mark.parametrize("main", ["", "ignore_bounce_errors_after = 3h"])
def test_young_failing_bounce_is_frozen(tern_bin, tmp_path, main):
    r = deliver_both(tern_bin, tmp_path, FAIL_ROUTER.format(extra=""), ["nobody@test.example"],
                     extra_main=main, sender="")
    assert r.log == ["** nobody@test.example R=bad: no such user", "Frozen (delivery error message)"]


def test_empty_errors_to_drops_the_failure(tern_bin, tmp_path):
    r = deliver_both(tern_bin, tmp_path, FAIL_ROUTER.format(extra="  errors_to =\n"), ["nobody@test.example"])
    assert r.log == IGNORED and r.files == {}
