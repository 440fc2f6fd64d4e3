"""bench_receive.py - messages per second received, queue only, 4 KB
messages, 1/4/16 parallel clients, for Tern, Exim 4.96 and (if it can be
run from an extracted .deb, see lib/postfix.py) Postfix 3.7; then fsyncs
and forks per received message (strace -f -c on the daemon) and RSS/PSS
of one connection child with a session open.  Usage:
  bench_receive.py [--msgs N] [--only tern,exim,postfix]
N is the number of messages per row (default 400), split over the clients.
"""
import argparse
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib as b  # noqa: E402

CLIENTS = (1, 4, 16)


def rate_row(cls, clients, total):
    m = cls()
    try:
        m.write_config(queue_only=True)
        m.start()
        b.load(m.port, 1, 5)                      # warm up
        n, dt = b.load(m.port, clients, max(1, total // clients))
        queued = m.queue_count()
        if queued < n:
            print("%s: only %d of %d queued" % (m.name, queued, n), file=sys.stderr)
        return n / dt
    finally:
        m.cleanup()


def syscalls_per_message(cls, count=20):
    """strace attached to the running daemon (and, for Postfix, all its
    processes) over one session of `count` messages."""
    m = cls()
    grp = b.CpuGroup("%s-receive" % cls.name.lower())
    try:
        m.write_config(queue_only=True)
        m.start(preexec_fn=grp.enter)
        tr = b.Tracer(grp.pids() or [m.daemon_pid()], os.path.join(m.dir, "strace.out"))
        b.load(m.port, 1, count)
        calls = tr.stop()
    finally:
        m.cleanup()
        grp.remove()
    syncs, forks, execs = b.per_message(calls, count)
    # one session: its fork is shared by the `count` messages
    return syncs, forks * count, execs * count


def child_memory(cls):
    m = cls()
    try:
        m.write_config(queue_only=True)
        m.start()
        s = b.Session(m.port)
        s.send_message(b.message(4096))
        kids = m.session_pids() if hasattr(m, "session_pids") else b.children(m.daemon_pid())
        mem = [b.mem_kib(k) for k in kids]
        s.quit()
        return max(mem) if mem else (0, 0)
    finally:
        m.cleanup()


def main():
    # a timeout's SIGTERM unwinds through the finally blocks that stop daemons
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    ap = argparse.ArgumentParser()
    ap.add_argument("--msgs", type=int, default=400)
    ap.add_argument("--only", default="tern,exim,postfix")
    a = ap.parse_args()
    classes = b.mta_classes(a.only.split(","))
    rates = {c.name: [rate_row(c, n, a.msgs) for n in CLIENTS] for c in classes}
    print("\nReception, queue only, 4 KB messages, msg/s (%d messages per row)" % a.msgs)
    print("%-8s" % "clients" + "".join("%10s" % c.name for c in classes))
    for i, n in enumerate(CLIENTS):
        print("%-8d" % n + "".join("%10.0f" % rates[c.name][i] for c in classes))
    print("\nPer received message (strace -f -c on the daemon, 20 messages in one session)")
    print("%-8s %12s %16s %8s %22s" % ("", "fsyncs/msg", "forks (session)", "execs", "child RSS/PSS KiB"))
    for c in classes:
        syncs, forks, execs = syscalls_per_message(c)
        rss, pss = child_memory(c)
        print("%-8s %12.2f %16d %8d %15d/%-6d" % (c.name, syncs, forks, max(execs, 0), rss, pss))


if __name__ == "__main__":
    main()
