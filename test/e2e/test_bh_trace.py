"""-bh prints Exim's ">>> " trace of what each ACL decided (on stderr):
every -bh dialogue of smtp_golden.py is run through Tern and the live
Exim 4.96 oracle, and Tern's trace lines must equal Exim's ACL lines.
Exim's other debug lines (host and domain list checks, the routing
trace of verify = recipient) are not produced by Tern and are left out
of the comparison."""
import re
import subprocess

import pytest

from smtp_golden import CASES
from smtp_util import TERN, Env

EXIM = "/usr/sbin/exim4"
NOT_ACL = re.compile(rb"^>>> (host in |\S+ in .*\? (yes|no)|>>>>+$|routing |calling |no more routers|no router|  +message:"
                     rb"|-+ end verify -+$)")
BH = [c for c in CASES if c["args"][0] in ("-bh", "-bhc")]


def trace(prog, case, tmp_path):
    env = Env(tmp_path, case["conf"])
    p = subprocess.run([prog, "-C", env.conf, "-odq"] + case["args"], input=case["input"],
                       capture_output=True, timeout=30)
    return [re.sub(rb"/tmp/tern-e2e-[^/]+/", b"DIR/", line) for line in p.stderr.splitlines()
            if line.startswith(b">>> ") and not NOT_ACL.match(line)]


@pytest.mark.parametrize("case", BH, ids=[c["name"] for c in BH])
def test_acl_trace_matches_exim(tmp_path, case):
    import os
    if not os.path.exists(EXIM):
        pytest.skip("no Exim oracle")
    mine = trace(TERN, case, tmp_path / "t")
    assert mine == trace(EXIM, case, tmp_path / "e")
