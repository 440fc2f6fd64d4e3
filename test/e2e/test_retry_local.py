"""Retry hints for local deliveries (T: records) and routing deferrals
(R: records), compared with the Exim 4.96 oracle: the same mainlog lines
for the message, the same records (tern_dumpdb against exim_dumpdb, times
masked) after every step, and the same bounces.

Each scenario spools one message, then runs a list of steps: a command
line (-M gets the message id) or "ok", which makes the pipe command (and
the redirect router's data) succeed from then on."""
import os
import re
import shutil
import subprocess
import time

import pytest

from delivery_util import PublicDir, spool_config, write_message
from oracle_deliver import EXIM, age_message

EXIM_DUMP = shutil.which("exim_dumpdb")
TIME = re.compile(r"\d\d-[A-Z][a-z][a-z]-\d{4} \d\d:\d\d:\d\d")
ID = r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}"
KILLER = "#!/bin/sh\ncat >/dev/null\n[ -e PUB/ok ] && exit 0\nexit 75\n"
CONF = """begin routers
bounces:
  driver = accept
  local_parts = sender
  transport = t_sender
d:
  driver = redirect
  domains = d.example
  allow_defer
  data = ${if exists{PUB/ok}{k@x.example}{:defer: no way}}
ROPTS
r:
  driver = accept
  transport = killer
begin transports
killer:
  driver = pipe
  command = PUB/killer.sh
  user = tern
TOPTS
t_sender:
  driver = appendfile
  file = PUB/bounces
  user = tern
RETRY
"""
RULE = "begin retry\n* * F,1h,10m\n"
KNOWN = "defer (-1): Child process"  # Tern's errno for a pipe's exit 75; Exim logs 0 (known)


def dumper(prog):
    return EXIM_DUMP if prog == EXIM else os.path.join(os.path.dirname(prog), "tern_dumpdb")


def dump(prog, spool, pub):
    """the retry records, sorted, times masked; None without a database"""
    if not os.path.exists(os.path.join(spool, "db", "retry")):
        return None
    out = subprocess.run([dumper(prog), spool, "retry"], capture_output=True, text=True).stdout
    lines = TIME.sub("T", out.replace(pub, "PUB")).splitlines()
    return sorted(zip(lines[0::2], lines[1::2]))


def log_lines(spool, mid, pub):
    """the message's own mainlog lines and the queue runs', masked"""
    path = os.path.join(spool, "log", "mainlog")
    out = []
    for line in open(path, errors="replace") if os.path.exists(path) else []:
        line = re.sub(r"^\S+ \S+ ", "", line.rstrip("\n")).replace(pub, "PUB")
        line = re.sub(r"pid=\d+", "pid=PID", line).replace(KNOWN, "defer (0): Child process")
        if line.startswith(mid + " "):
            out.append(line[len(mid) + 1:])
        elif not re.match(ID + " ", line):
            out.append(line)
    return out


def scenario(prog, base, steps, ropts="", topts="", retry=RULE, age=0, rcpts=("k@x.example",)):
    """run the steps; returns ([(log lines, records) per step], bounce file or None)"""
    pub = PublicDir()
    try:
        work = os.path.join(str(base), os.path.basename(prog))
        spool = os.path.join(work, "spool")
        os.makedirs(spool)
        body = CONF.replace("ROPTS", ropts).replace("TOPTS", topts).replace("RETRY", retry)
        conf = os.path.join(work, "conf")
        with open(conf, "w") as f:
            f.write(spool_config(spool, body.replace("PUB", pub.path)))
        script = os.path.join(pub.path, "killer.sh")
        with open(script, "w") as f:
            f.write(KILLER.replace("PUB", pub.path))
        os.chmod(script, 0o755)
        mid = write_message(spool, list(rcpts))
        if age:
            age_message(os.path.join(spool, "input", mid + "-H"), age, False)
        results, seen = [], 0
        for step in steps:
            if step == "ok":
                open(os.path.join(pub.path, "ok"), "w").close()
                continue
            args = [*step, mid] if step[-1] == "-M" else list(step)
            subprocess.run([prog, "-C", conf, *args], capture_output=True, timeout=60)
            lines = log_lines(spool, mid, pub.path)
            results.append((lines[seen:], dump(prog, spool, pub.path)))
            seen = len(lines)
        bounces = os.path.join(pub.path, "bounces")
        for _ in range(50):  # Exim delivers its bounce in the background
            if os.path.exists(bounces) and not os.path.exists(bounces + ".lock"):
                break
            time.sleep(0.1)
        return results, os.path.exists(bounces)
    finally:
        pub.cleanup()


def both(tern_bin, tmp_path, steps, **kw):
    """Tern's results, after checking Exim's (if installed) are the same"""
    mine = scenario(tern_bin, tmp_path, steps, **kw)
    if os.path.exists(EXIM) and EXIM_DUMP:
        assert scenario(EXIM, tmp_path, steps, **kw) == mine
    return mine


PIPE_DEFER = ("== k@x.example R=r T=killer defer (0): Child process of killer transport returned 75 "
              "(could mean temporary error) from command: PUB/killer.sh")
PIPE_TEXT = "Child process of killer transport returned 75 (could mean temporary error) from command: PUB/killer.sh"
START, END = "Start queue run: pid=PID", "End queue run: pid=PID"


def check_waits(tern_bin, tmp_path, rcpt, defer, skip, delivered, rec):
    """defer (-M); a queue run skips it; -qf tries again; once the
    delivery can succeed, a queue run still skips it and -qf delivers"""
    steps = [("-M",), ("-q",), ("-qf",), "ok", ("-q",), ("-qf",)]
    results, bounced = both(tern_bin, tmp_path, steps, rcpts=(rcpt,))
    skipped = ([START, skip, END], rec)
    assert results == [
        ([defer], rec),
        skipped,
        ([START + " -qf", defer, END + " -qf"], rec),
        skipped,
        ([START + " -qf", delivered, "Completed", END + " -qf"], []),
    ]
    assert not bounced


def test_local_defer_waits_for_its_retry_time(tern_bin, tmp_path):
    check_waits(tern_bin, tmp_path, "k@x.example", PIPE_DEFER,
                "== k@x.example R=r T=killer defer (-53): Retry time not yet reached",
                "=> k <k@x.example> R=r T=killer", [("  T:k@x.example 0 0 " + PIPE_TEXT, "T  T  T ")])


def test_local_defer_without_rules_times_out(tern_bin, tmp_path):
    results, bounced = both(tern_bin, tmp_path, [("-M",)], retry="")
    assert results == [([PIPE_DEFER, "** k@x.example: retry timeout exceeded", "Completed"], [])]
    assert bounced


def test_local_success_on_first_try_leaves_no_record(tern_bin, tmp_path):
    results, _ = both(tern_bin, tmp_path, ["ok", ("-M",)])
    assert results == [(["=> k <k@x.example> R=r T=killer", "Completed"], None)]


def test_transport_without_local_part_uses_the_domain(tern_bin, tmp_path):
    results, _ = both(tern_bin, tmp_path, [("-M",), ("-q",)], topts="  retry_use_local_part = false")
    rec = [("  T:x.example 0 0 " + PIPE_TEXT, "T  T  T ")]
    assert results == [([PIPE_DEFER], rec),
                       ([START, "== k@x.example R=r T=killer defer (-53): Retry time not yet reached", END], rec)]


def test_old_message_times_out_at_once(tern_bin, tmp_path):
    results, bounced = both(tern_bin, tmp_path, [("-M",)], age=7200)
    rec = [("  T:k@x.example 0 0 " + PIPE_TEXT, "T  T  T *")]
    assert results == [([PIPE_DEFER, "** k@x.example: retry timeout exceeded", "Completed"], rec)]
    assert bounced


ROUTE_DEFER = "== u@d.example R=d defer (-1): no way"


def test_routing_defer_waits_for_its_retry_time(tern_bin, tmp_path):
    check_waits(tern_bin, tmp_path, "u@d.example", ROUTE_DEFER,
                "== u@d.example routing defer (-52): retry time not reached",
                "=> k <u@d.example> R=r T=killer", [("  R:d.example -1 0 no way", "T  T  T ")])


def test_router_with_local_parts_keys_the_address(tern_bin, tmp_path):
    results, _ = both(tern_bin, tmp_path, [("-M",)], ropts="  local_parts = u", rcpts=("u@d.example",))
    assert results == [([ROUTE_DEFER], [("  R:u@d.example -1 0 no way", "T  T  T ")])]


def test_routing_defer_without_rules_times_out(tern_bin, tmp_path):
    results, bounced = both(tern_bin, tmp_path, [("-M",)], retry="", rcpts=("u@d.example",))
    assert results == [([ROUTE_DEFER, "** u@d.example: retry timeout exceeded", "Completed"], [])]
    assert bounced


def test_timeouts_are_logged_after_every_delivery(tern_bin, tmp_path):
    results, _ = both(tern_bin, tmp_path, [("-M",)], retry="", rcpts=("k@x.example", "u@d.example"))
    assert results[0][0] == [ROUTE_DEFER, PIPE_DEFER, "** k@x.example: retry timeout exceeded",
                             "** u@d.example: retry timeout exceeded", "Completed"]


def test_no_hints_database_without_a_deferral(tern_bin, tmp_path):
    scenario(tern_bin, tmp_path, ["ok", ("-M",)])
    assert not os.path.exists(os.path.join(str(tmp_path), os.path.basename(tern_bin), "spool", "db", "retry"))


def test_timeouts_order(tern_bin, tmp_path):
    # Exim logs the two routing deferrals the other way round (routing
    # order, not this change's), so only the timeouts are compared
    rcpts = ("k@x.example", "j@x.example", "u@d.example", "v@d.example")
    results, _ = scenario(tern_bin, tmp_path, [("-M",)], retry="", rcpts=rcpts)
    timeouts = [l for l in results[0][0] if l.startswith("**")]
    assert timeouts == ["** j@x.example: retry timeout exceeded", "** k@x.example: retry timeout exceeded",
                        "** u@d.example: retry timeout exceeded", "** v@d.example: retry timeout exceeded"]
    if os.path.exists(EXIM):
        theirs, _ = scenario(EXIM, tmp_path, [("-M",)], retry="", rcpts=rcpts)
        assert [l for l in theirs[0][0] if l.startswith("**")] == timeouts
