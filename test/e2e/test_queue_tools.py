"""Debian's queue tools on Tern's output and spool: exiqgrep (parses -bp,
pointed at tern with -E), exiqsumm (reads -bp on stdin) and exipick
(reads the -H files directly). One queue is built by Exim; its twin has
every -H file rewritten by Tern's own writer (-Mes, -Mf, -Mmd); each tool
must give the same answers on both."""
import shutil
import subprocess

import pytest

from queuelib import EXIM, HAVE_EXIM, TERN, exim_message, make_site, run, twin

TOOLS = {t: shutil.which(t) or f"/usr/sbin/{t}" for t in ("exiqgrep", "exiqsumm", "exipick")}
pytestmark = pytest.mark.skipif(not HAVE_EXIM or not all(shutil.os.path.exists(p) for p in TOOLS.values()),
                                reason="exim4 / exim4-base tools not installed")


@pytest.fixture(scope="module")
def queues(tmp_path_factory):
    base = tmp_path_factory.mktemp("tools")
    e, t = base / "e", base / "t"
    econf = make_site(e)
    msgs = [("alice@ex.com", ["bob@ex.com", "carol@ex.org"]), ("", ["dave@ex.com"]),
            ("erin@ex.org", ["frank@ex.com", "gina@ex.net", "hal@ex.com"]), ("ivan@ex.net", ["jo@ex.org"])]
    ids = [exim_message(econf, s, r, body="line\n" * (40 * i + 1)) for i, (s, r) in enumerate(msgs)]
    tconf = twin(e, t)
    for prog, conf in ((EXIM, econf), (TERN, tconf)):
        for mid, (sender, _) in zip(ids, msgs):
            assert run(prog, conf, "-Mes", mid, sender or "<>")[0] == 0
        assert run(prog, conf, "-Mf", ids[1])[0] == 0
        assert run(prog, conf, "-Mmd", ids[0], "bob@ex.com")[0] == 0
    return {"e": (e, econf), "t": (t, tconf), "ids": ids}


def tool(name, *args, stdin=None):
    p = subprocess.run([TOOLS[name], *args], input=stdin, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_spool_rewritten_by_tern(queues):
    t, _ = queues["t"]
    for mid in queues["ids"]:
        text = (t / "spool" / "input" / f"{mid}-H").read_text()
        assert "-received_time_complete" not in text  # a line only Exim writes: the file is Tern's


@pytest.mark.parametrize("args", [["-f", "alice"], ["-r", "ex.com"], ["-r", "ex.com", "-i"], ["-z", "-i"],
                                  ["-x", "-i"], ["-c", "-r", "."], ["-a", "-r", "bob"], ["-s", "^[0-9]+$"],
                                  ["-r", "ex.org", "-b"], ["-o", "3600", "-c"], ["-y", "3600", "-i"]])
def test_exiqgrep(queues, args):
    _, econf = queues["e"]
    _, tconf = queues["t"]
    theirs = tool("exiqgrep", "-E", EXIM, "-C", econf, *args)
    ours = tool("exiqgrep", "-E", TERN, "-C", tconf, *args)
    assert sorted(ours.splitlines()) == sorted(theirs.splitlines())
    assert ours.strip()


def test_exiqsumm(queues):
    _, econf = queues["e"]
    _, tconf = queues["t"]
    theirs = tool("exiqsumm", stdin=run(EXIM, econf, "-bp")[1])
    ours = tool("exiqsumm", stdin=run(TERN, tconf, "-bp")[1])
    assert ours == theirs and "TOTAL" in ours


@pytest.mark.parametrize("args", [["-bp"], ["-bpc"], ["-i"], ["-z", "-i"], ["-x", "-i"],
                                  ["sender_address eq alice@ex.com", "-i"], ["message_size > 500", "-i"],
                                  ["-f", "erin", "-bp"], ["-r", "ex.net", "-i"], ["--unsorted", "-i"],
                                  ["recipients =~ /gina/", "-i"], ["deliver_freeze", "-i"],
                                  ["--show-vars", "sender_address,message_exim_id,message_size,deliver_freeze,received_protocol"]])
def test_exipick(queues, args):
    e, _ = queues["e"]
    t, _ = queues["t"]
    theirs = tool("exipick", "--spool", str(e / "spool"), *args)
    ours = tool("exipick", "--spool", str(t / "spool"), *args)
    assert normal(ours) == normal(theirs)
    assert ours.strip()


def normal(text):
    """exipick prints a message's recipients in Perl hash order (random
    per run): compare each message's block with its lines sorted."""
    return [sorted(b.splitlines()) for b in text.split("\n\n")]
