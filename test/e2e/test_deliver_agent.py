"""test_deliver_agent.py - local deliveries run in long-lived delivery
agents, one per identity (uid, gid, initgroups) per delivery process:
reused across messages by the daemon, never root (not even the saved
uid), at most LIMIT_DELIVERY_AGENTS (4) at once, replaced when killed,
gone when a one-shot delivery ends; what an agent dies in the middle of
is deferred and delivered once later; what the transports expand (the
address, the message, ACL variables, taint) travels to the agent intact.

Maildir file names carry the delivering process's pid
(<time>.P<pid>Q<n>M<usec>.<host>): that is how the tests see which
agent wrote what."""
import os
import pwd
import re
import signal
import smtplib
import subprocess

import pytest

from oracle_deliver import EXIM, SENDER_BOX, accept_conf, deliver_both
from smtp_util import TERN, Env, maildir_env, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the daemon and deliveries need root")

TERN_UID = pwd.getpwnam("tern").pw_uid
TERN_GID = pwd.getpwnam("tern").pw_gid
NOBODY_UID = pwd.getpwnam("nobody").pw_uid
AGENT_PID = re.compile(r"\.P(\d+)Q")


def agent_env(tmp_path, routers, transports, acl="  accept domains = +local_domains\n"):
    """An Env whose daemon accepts mail for local.example (its rcpt ACL:
    acl) and routes it with the given routers and transports; PUB in them
    is env.pub, a world-writable directory for the delivery users."""
    env = Env(tmp_path, "")
    env.pub = os.path.join(env.dir, "pub")
    os.makedirs(env.pub)
    os.chmod(env.pub, 0o1777)
    with open(env.conf, "a") as f:
        f.write(f"""domainlist local_domains = local.example
acl_smtp_rcpt = check_rcpt
begin acl
check_rcpt:
{acl}  deny message = relay not permitted
begin routers
{routers}
begin transports
{transports}
""".replace("PUB", env.pub))
    return env


def maildir_transport(name="md"):
    return f"{name}:\n  driver = appendfile\n  directory = PUB/$local_part_data\n  maildir_format\n" \
           "  create_directory\n"


def send(port, rcpts, body="hello", subject="t"):
    s = smtplib.SMTP("127.0.0.1", port)
    s.sendmail("a@b.example", rcpts, "Subject: %s\r\n\r\n%s\r\n" % (subject, body))
    s.quit()


def files(newdir):
    """{file name: (agent pid, owner uid)} in a Maildir's new/"""
    if not os.path.isdir(newdir):
        return {}
    return {n: (int(AGENT_PID.search(n).group(1)), os.stat(os.path.join(newdir, n)).st_uid)
            for n in os.listdir(newdir)}


def pids(newdir):
    return {p for p, _ in files(newdir).values()}


def settled(env, n):
    """n messages completed and nothing left in the queue"""
    return sum(1 for l in env.log() if l.endswith("Completed")) == n and env.messages() == []


def status(pid):
    """/proc/<pid>/status as {field: [values]}"""
    with open("/proc/%d/status" % pid) as f:
        return {k: v.split() for k, _, v in (l.partition(":") for l in f.read().splitlines())}


def parent(pid):
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    return int(st[st.rindex(")") + 2:].split()[1])


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        try:
            if d.isdigit() and parent(int(d)) == pid:
                out.append(int(d))
        except (OSError, ValueError):
            pass
    return out


def gone(pid):
    return not os.path.exists("/proc/%d" % pid)


def defers(env):
    return [l for l in env.log() if " == " in l]


def test_daemon_reuses_one_agent_that_never_keeps_root(tmp_path):
    env = maildir_env(tmp_path, "local.example")
    with env.daemon() as d:
        # one message at a time, so one delivery process (and its agent)
        # serves them all: three in one session, two in sessions of their own
        s = smtplib.SMTP("127.0.0.1", d.port)
        for i in range(3):
            s.sendmail("a@b.example", ["user@local.example"], "Subject: s%d\r\n\r\nx\r\n" % i)
            assert wait_for(lambda: settled(env, i + 1))
        s.quit()
        for i in range(3, 5):
            send(d.port, ["user@local.example"])
            assert wait_for(lambda: settled(env, i + 1))
        got = files(env.newdir)
        assert len(got) == 5 and set(got.values()) == {(pids(env.newdir).pop(), TERN_UID)}
        (agent,) = pids(env.newdir)
        assert agent != d.proc.pid and parent(parent(agent)) == d.proc.pid
        # idle between messages: real, effective, saved and fs ids are tern's
        st = status(agent)
        assert st["Uid"] == [str(TERN_UID)] * 4 and st["Gid"] == [str(TERN_GID)] * 4
        assert st["Groups"] == []
    assert defers(env) == []


def two_user_env(tmp_path):
    routers = ("r_tern:\n  driver = accept\n  local_parts = t1 : t2\n  transport = md\n  user = tern\n"
               "r_nobody:\n  driver = accept\n  local_parts = n1\n  transport = md\n  user = nobody\n"
               "  group = nogroup\n")
    return agent_env(tmp_path, routers, maildir_transport())


def test_two_identities_two_agents_each_reused(tmp_path):
    env = two_user_env(tmp_path)
    box = lambda lp: os.path.join(env.pub, lp, "new")  # noqa: E731
    with env.daemon() as d:
        send(d.port, ["t1@local.example", "n1@local.example", "t2@local.example"])
        assert wait_for(lambda: settled(env, 1))
        send(d.port, ["n1@local.example", "t1@local.example"])
        assert wait_for(lambda: settled(env, 2))
        send(d.port, ["t2@local.example"])
        assert wait_for(lambda: settled(env, 3))
    tern_files = {**files(box("t1")), **files(box("t2"))}
    nobody_files = files(box("n1"))
    assert len(tern_files) == 4 and len(nobody_files) == 2
    assert {u for _, u in tern_files.values()} == {TERN_UID}
    assert {u for _, u in nobody_files.values()} == {NOBODY_UID}
    (tern_agent,) = {p for p, _ in tern_files.values()}
    (nobody_agent,) = {p for p, _ in nobody_files.values()}
    assert tern_agent != nobody_agent
    assert defers(env) == []


def test_more_identities_than_agents_in_one_message(tmp_path):
    uids = [str(u) for u in range(2001, 2007)]
    routers = ("r:\n  driver = accept\n  local_parts = %s\n  transport = md\n  user = $local_part_data\n"
               "  group = $local_part_data\n" % " : ".join(uids))
    env = agent_env(tmp_path, routers, maildir_transport())
    with env.daemon() as d:
        send(d.port, ["%s@local.example" % u for u in uids])
        assert wait_for(lambda: settled(env, 1))
        delivered = {u: files(os.path.join(env.pub, u, "new")) for u in uids}
        assert {u: [owner for _, owner in f.values()] for u, f in delivered.items()} == \
            {u: [int(u)] for u in uids}
        agents = {u: list(f.values())[0][0] for u, f in delivered.items()}
        assert len(set(agents.values())) == 6
        # the delivery process keeps the 4 used last; the other 2 ended
        (worker,) = children(d.proc.pid)
        assert wait_for(lambda: sorted(children(worker)) == sorted(agents[u] for u in uids[2:]))
        assert all(gone(agents[u]) for u in uids[:2])
    assert defers(env) == []
    assert sum(1 for l in env.log() if " => " in l or " -> " in l) == 6


def test_killed_idle_agent_is_replaced(tmp_path):
    env = maildir_env(tmp_path, "local.example")
    with env.daemon() as d:
        send(d.port, ["user@local.example"], "first")
        assert wait_for(lambda: settled(env, 1))
        (first,) = pids(env.newdir)
        os.kill(first, signal.SIGKILL)
        send(d.port, ["user@local.example"], "second")
        assert wait_for(lambda: settled(env, 2)), "\n".join(env.log())
        assert wait_for(lambda: gone(first))  # reaped, not a zombie
    got = files(env.newdir)
    assert len(got) == 2 and len(pids(env.newdir)) == 2
    bodies = sorted(open(os.path.join(env.newdir, n)).read().split("\n\n", 1)[1] for n in got)
    assert bodies == ["first\n", "second\n"]
    assert defers(env) == []
