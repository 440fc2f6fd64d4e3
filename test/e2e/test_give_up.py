"""-Mg (give up): every undelivered address fails untried, logged
"cancelled by <caller>", and the sender gets a bounce with no reasons;
the bounce lists failed addresses in Exim's orders (text and
X-Failed-Recipients one way, the DSN part the other). Compared with the
Exim 4.96 oracle."""
import re

from oracle_deliver import SENDER_BOX, accept_conf, deliver_both

FAIL = "f:\n  driver = redirect\n  local_parts = bad1 : bad2 : bad3\n  allow_fail\n  data = :fail: no such person\n"
CONF = accept_conf("sender", SENDER_BOX, routers=FAIL)
RCPTS = ["bad1@test.example", "bad2@test.example", "bad3@test.example"]


def orders(bounce):
    xf = re.search(r"X-Failed-Recipients: (.*?)\nAuto-Submitted", bounce, re.S).group(1)
    return re.findall(r"(bad\d)@", xf), re.findall(r"Final-Recipient: rfc822;(bad\d)", bounce)


def test_give_up_cancels_every_address(tern_bin, tmp_path):
    r = deliver_both(tern_bin, tmp_path, CONF, RCPTS, args=("-Mg",), settle="bounces", same_log=False)
    assert r.log[0] == "cancelled by root"
    assert r.log[1].startswith("<= <> R=")
    assert not any(line.startswith("**") for line in r.log)
    bounce = r.files["bounces"]
    assert orders(bounce) == (["bad3", "bad2", "bad1"], ["bad1", "bad2", "bad3"])
    assert "no such person" not in bounce


def test_failure_order_in_a_bounce(tern_bin, tmp_path):
    r = deliver_both(tern_bin, tmp_path, CONF, RCPTS, settle="bounces", same_log=False)
    assert orders(r.files["bounces"]) == (["bad1", "bad2", "bad3"], ["bad3", "bad2", "bad1"])
