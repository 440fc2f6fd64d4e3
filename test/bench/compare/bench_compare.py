"""bench_compare.py - Tern beside Exim 4.96 and Postfix 3.7, in one run on
one machine: messages per second, CPU ms per message, fsyncs, forks and
execs per message, for 4 KB messages over 1, 4 and 16 parallel SMTP
sessions, in three rows:

  accept    accept only: Tern and Exim queue_only, Postfix puts every
            message on hold; done when the last 250 has arrived
  maildir   accept and deliver to one Maildir as the tern user, immediate
            delivery on; done when every message is in the Maildir and the
            MTA's queue is empty
  relay     accept and relay to a loopback SMTP sink; done when the sink
            has every message and the MTA's queue is empty

Every row starts a fresh instance (temp config, spool, Maildir), warms it
up with 2 messages, times N messages, then attaches `strace -f -c` to all
of the MTA's processes and sends K more messages to count the syncs
(fsync, fdatasync, syncfs, sync_file_range, sync), forks (fork, vfork,
clone, clone3) and execs they cost.  CPU is the cpuacct cgroup usage of
every process of the MTA (daemonized or short-lived; not the load
generator nor the sink) over the timed part.  Usage:
  bench_compare.py [--msgs N] [--trace K] [--only tern,exim,postfix]
                   [--rows accept,maildir,relay] [--sessions 1,4,16] [--repeat R]
With --repeat R each timed figure is the median of R runs.
"""
import argparse
import os
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib as b  # noqa: E402
import sink  # noqa: E402

ROWS = ("accept", "maildir", "relay")


def done_count(m, row, snk):
    if row == "maildir":
        return m.delivered()
    if row == "relay":
        return snk.count()
    return 0


def wait_done(m, row, snk, target, timeout):
    """Wait until `target` messages are delivered and the queue is empty;
    False on timeout."""
    if row == "accept":
        return True
    deadline = time.time() + timeout
    while time.time() < deadline:
        if done_count(m, row, snk) >= target and m.queue_count() == 0:
            return True
        time.sleep(0.005)
    return False


def send(m, row, snk, sessions, n):
    """Send n messages over `sessions` sessions and wait for their delivery:
    (messages, seconds, complete)."""
    base = done_count(m, row, snk)
    t0 = time.time()
    sent, _ = b.load(m.port, sessions, max(1, n // sessions))
    ok = wait_done(m, row, snk, base + sent, 60 + sent)
    return sent, time.time() - t0, ok


def one_row(cls, row, sessions, n, k, snk):
    """{rate, cpu (ms/msg), syncs, forks, execs} for one MTA, row and session count."""
    settle()
    m = cls()
    grp = b.CpuGroup("%s-%s-%d" % (cls.name.lower(), row, sessions))
    try:
        m.write_config(queue_only=(row == "accept"), relay_port=snk.port if row == "relay" else None)
        m.start(preexec_fn=grp.enter)
        send(m, row, snk, 1, 2)
        c0 = grp.seconds()
        sent, dt, ok = send(m, row, snk, sessions, n)
        c1 = grp.seconds()
        if not ok:
            print("%s %s x%d: not all delivered in time (%d of %d, %d queued)"
                  % (m.name, row, sessions, done_count(m, row, snk), sent, m.queue_count()),
                  file=sys.stderr)
        res = {"rate": sent / dt, "cpu": None if c0 is None else 1000 * (c1 - c0) / sent}
        if k:
            tr = b.Tracer(grp.pids() or [m.daemon_pid()], os.path.join(m.dir, "strace.out"))
            traced, _, _ = send(m, row, snk, sessions, k)
            res["syncs"], res["forks"], res["execs"] = b.per_message(tr.stop(), traced)
        return res
    finally:
        m.cleanup()
        grp.remove()
        settle()


def settle():
    """Write back what a row left dirty (its deleted spool, queue and
    Maildir) before the next row starts: otherwise the next MTA's syncs
    pay for the previous one's files (an fsync on ext4 commits every
    pending change of the file system, a syncfs also writes back every
    dirty page), which made rows depend on their order."""
    os.sync()
    time.sleep(1)


def median_row(cls, row, sessions, a, snk):
    runs = [one_row(cls, row, sessions, a.msgs, a.trace if i == 0 else 0, snk)
            for i in range(a.repeat)]
    res = dict(runs[0])
    res["rate"] = statistics.median(r["rate"] for r in runs)
    if res["cpu"] is not None:
        res["cpu"] = statistics.median(r["cpu"] for r in runs)
    return res


def fmt(v, spec):
    return "-" if v is None else spec % v


def report(results, mtas, a):
    names = [c.name for c in mtas]
    print("\n4 KB messages, %d per row (median of %d), syscalls over %d more under strace"
          % (a.msgs, a.repeat, a.trace))
    print("| row | sessions | " + " | ".join("%s msg/s | CPU ms | fsyncs | forks | execs" % n
                                            for n in names)
          + "".join(" | Tern/%s" % n for n in names if n != "Tern") + " |")
    print("|---|---|" + "---|" * (5 * len(names) + len(names) - 1))
    for (row, s), res in results.items():
        cells = []
        for n in names:
            r = res[n]
            cells += [fmt(r["rate"], "%.0f"), fmt(r["cpu"], "%.2f"), fmt(r.get("syncs"), "%.2f"),
                      fmt(r.get("forks"), "%.2f"), fmt(r.get("execs"), "%.2f")]
        ratios = ["%.1fx" % (res["Tern"]["rate"] / res[n]["rate"])
                  for n in names if n != "Tern" and "Tern" in res]
        print("| %s | %d | %s |" % (row, s, " | ".join(cells + ratios)))


def main():
    # a timeout's SIGTERM unwinds through the finally blocks that stop daemons
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    ap = argparse.ArgumentParser()
    ap.add_argument("--msgs", type=int, default=400)
    ap.add_argument("--trace", type=int, default=96)
    ap.add_argument("--only", default="tern,exim,postfix")
    ap.add_argument("--rows", default=",".join(ROWS))
    ap.add_argument("--sessions", default="1,4,16")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    mtas = b.mta_classes(a.only.split(","))
    snk = sink.start(b.free_port())
    results = {}
    try:
        b.wait_port(snk.port)
        for row in a.rows.split(","):
            for s in (int(x) for x in a.sessions.split(",")):
                results[(row, s)] = res = {}
                for c in mtas:
                    res[c.name] = median_row(c, row, s, a, snk)
                    r = res[c.name]
                    print("%-8s %-8s x%-3d %7.0f msg/s  %s CPU ms/msg  %s fsyncs  %s forks  %s execs"
                          % (c.name, row, s, r["rate"], fmt(r["cpu"], "%.2f"),
                             fmt(r.get("syncs"), "%.2f"), fmt(r.get("forks"), "%.2f"),
                             fmt(r.get("execs"), "%.2f")), flush=True)
    finally:
        snk.terminate()
        snk.join(5)
    report(results, mtas, a)


if __name__ == "__main__":
    main()
