"""test_smtp_golden.py - -bh and -bs dialogues compared byte for byte with
Exim 4.96's (recorded in smtp_golden.py by gen_smtp_golden.py): replies on
stdout, LOG: lines of -bh on stderr, and the mainlog of -bs."""
import pytest

from smtp_golden import CASES
from smtp_util import Env, mask


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_dialogue(tmp_path, case):
    env = Env(tmp_path, case["conf"])
    p = env.run(["-odq"] + case["args"], case["input"])
    assert mask(p.stdout).decode(errors="replace") == case["out"].decode(errors="replace")
    # the program names itself: "tern: ..." where Exim says "exim: ..."
    # the ">>> " ACL trace is compared live with Exim by test_bh_trace.py
    err = b"\n".join(l for l in p.stderr.splitlines() if not l.startswith(b">>>"))
    assert mask(err).decode(errors="replace").rstrip("\n") == \
        case["err"].decode(errors="replace").rstrip("\n").replace("exim: ", "tern: ")
    if case["mainlog"]:
        log = "\n".join(env.log())
        assert mask(log) == case["mainlog"].decode(errors="replace")
