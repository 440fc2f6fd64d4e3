"""test_retry_brt.py - retry rule selection (-brt) compared with Exim 4.96."""
import pytest

RULES = """\
spool_directory = /tmp
begin retry
a.domain rcpt_452 G,8h,10m,1.5
b.domain rcpt_45x F,1h,10m
c.domain quota_3d F,1h,11m
c.domain quota F,1h,12m
d.domain timeout_connect_MX F,1h,13m
d.domain timeout F,1h,14m
e.domain mail_4xx F,1h,15m
lp@f.domain * F,1h,16m
*@g.domain * F,1h,17m
h.domain refused_A F,1h,18m
h.domain refused F,1h,19m
i.domain * senders=x@y F,1h,19m
k.domain * senders=: F,1h,20m
j.domain *
l.domain * F,90m,1h30m; G,25h,7200s,2.0; H,3d,1d,2.25
m.domain auth_failed F,1h,1m
m.domain lost_connection F,1h,2m
* * F,2h,15m; G,16h,1h,1.5; F,4d,6h
"""

CASES = [
    ["a.domain"], ["a.domain", "rcpt_452"], ["a.domain", "rcpt_4xx"], ["b.domain", "rcpt_453"],
    ["c.domain", "quota"], ["c.domain", "quota_4d"], ["c.domain", "quota_1d"],
    ["d.domain", "timeout"], ["d.domain", "timeout_connect_MX"], ["d.domain", "timeout_connect"],
    ["d.domain", "timeout_MX"], ["e.domain", "mail_451"], ["lp@f.domain"], ["zz@f.domain"],
    ["f.domain"], ["g.domain"], ["x@g.domain"], ["h.domain", "refused"], ["h.domain", "refused_A"],
    ["h.domain", "refused_MX"], ["i.domain"], ["-f", "x@y", "i.domain"], ["-f", "<>", "x@k.domain"],
    ["x.y.z", "g.domain"], ["j.domain"], ["l.domain"], ["m.domain", "auth_failed"],
    ["m.domain", "lost_connection"], ["onelabel"], ["a.domain", "bogus"], [],
    ["x.domain", "a.domain", "rcpt_452"],
]


def args_for(case):
    if case[:1] == ["-f"]:
        return ["-f", case[1], "-brt", *case[2:]]
    return ["-brt", *case]


@pytest.mark.parametrize("case", CASES, ids=lambda c: " ".join(c) or "noargs")
def test_brt_matches_exim(case, tern_config, run_tern, exim_oracle):
    conf = tern_config(RULES)
    want = exim_oracle(["-C", conf, *args_for(case)])
    got = run_tern(["-C", conf, *args_for(case)])
    assert (got[0], got[1]) == (want[0], want[1])
