"""bench_deliver.py - queue-run benchmark: messages per second delivered to
a Maildir (local, as the tern user) and relayed to a loopback SMTP sink by
queue runners, with 1/4/16 parallel runners, for Tern and Exim 4.96; plus
fsyncs, forks and execs per message (strace -f -c) and CPU seconds per
message.  (Immediate delivery by the daemon is measured by compare/.)

The queue is filled with N messages through the daemon (queue_only), the
daemon is stopped, then S parallel `-q` runners (S = sessions) are timed
until the queue is empty.  Exim gets exactly the same treatment
(`exim4 -q`).  Usage:
  bench_deliver.py [--msgs N] [--only tern,exim]
"""
import argparse
import os
import resource
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib as b  # noqa: E402
import sink  # noqa: E402

SESSIONS = (1, 4, 16)


def filled(cls, n, relay):
    m = cls()
    m.write_config(queue_only=True, relay_port=relay)
    m.start()
    b.load(m.port, 4, max(1, n // 4))
    m.stop()
    return m


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def rate_row(cls, sessions, n, relay):
    """(msg/s, CPU ms per message) for one queue drained by `sessions` runners."""
    m = filled(cls, n, relay)
    try:
        queued = m.queue_count()
        c0, t0 = cpu(), time.time()
        procs = [subprocess.Popen(m.queue_argv(), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(sessions)]
        m.pids += [p.pid for p in procs]
        deadline = time.time() + 300
        for p in procs:
            try:
                p.wait(max(1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                b.kill_pid(p.pid, signal.SIGKILL)
                p.wait()
        dt, used = time.time() - t0, cpu() - c0
        left = m.queue_count()
        if left or (relay is None and m.delivered() != queued):
            print("%s: %d left in the queue, %d in the Maildir" % (m.name, left, m.delivered()),
                  file=sys.stderr)
        done = queued - left
        return done / dt, 1000.0 * used / max(done, 1)
    finally:
        m.cleanup()


def syscalls(cls, relay, count=20):
    m = filled(cls, count, relay)
    out = os.path.join(m.dir, "strace.out")
    try:
        m.run(["strace", "-f", "-c", "-o", out, "-e", b.TRACED] + m.queue_argv())
        calls = b.strace_summary(out)
        done = count - m.queue_count()
    finally:
        m.cleanup()
    calls["execve"] = calls.get("execve", 0) - 1  # the runner's own
    return b.per_message(calls, done)


def main():
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    ap = argparse.ArgumentParser()
    ap.add_argument("--msgs", type=int, default=400)
    ap.add_argument("--only", default="tern,exim")
    a = ap.parse_args()
    classes = [c for c in (b.Tern, b.Exim) if c.name.lower() in a.only.split(",")]
    sport = b.free_port()
    sp = sink.start(sport)
    try:
        b.wait_port(sport)
        for target, relay in (("Maildir", None), ("relay to loopback sink", sport)):
            res = {c.name: [rate_row(c, s, a.msgs, relay) for s in SESSIONS] for c in classes}
            print("\nDelivery (queue run) to %s, 4 KB messages, %d messages per row" % (target, a.msgs))
            print("%-9s" % "sessions" + "".join("%12s %10s" % (c.name + " msg/s", "CPU ms/msg")
                                               for c in classes))
            for i, s in enumerate(SESSIONS):
                print("%-9d" % s + "".join("%12.0f %10.2f" % res[c.name][i] for c in classes))
            print("per message (strace -f -c, one -q over 20 messages):")
            for c in classes:
                syncs, forks, execs = syscalls(c, relay)
                print("  %-6s fsyncs %.2f  forks %.2f  execs %.2f" % (c.name, syncs, forks, execs))
    finally:
        sp.terminate()
        sp.join(5)


if __name__ == "__main__":
    main()
