"""test_deliver_agent.py - local deliveries run in long-lived delivery
agents, one per identity (uid, gid, initgroups) per delivery process:
reused across messages by the daemon, never root (not even the saved
uid), at most LIMIT_DELIVERY_AGENTS (4) at once, replaced when killed,
gone when a one-shot delivery ends; what an agent dies in the middle of
is deferred and delivered once later; what the transports expand (the
address and its ancestors, the message, router headers, taint) travels
to the agent intact. ACL variables reach it only when the receiving
process delivers (-odi): they are not written to -H; nor are the
connection values restored from -H at delivery (xfail tests).

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

from delivery_util import PublicDir, mainlog, spool_config
from oracle_deliver import EXIM, files_under, mask
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


def run_ok(env, args, data=b""):
    """tern args: exit 0, and no sanitizer report from it or its agents"""
    p = env.run(args, data)
    assert p.returncode == 0 and b"Sanitizer" not in p.stderr and b"runtime error" not in p.stderr, p.stderr


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
        (agent,) = pids(env.newdir)
        assert len(got) == 5 and set(got.values()) == {(agent, TERN_UID)}
        assert agent != d.proc.pid and parent(parent(agent)) == d.proc.pid
        # idle between messages: real, effective, saved and fs ids are tern's
        st = status(agent)
        assert st["Uid"] == [str(TERN_UID)] * 4 and st["Gid"] == [str(TERN_GID)] * 4
        assert st["Groups"] == []
    assert wait_for(lambda: gone(agent))  # it goes with the daemon's delivery process
    assert defers(env) == []


def two_user_env(tmp_path):
    routers = ("r_tern:\n  driver = accept\n  local_parts = t1 : t2\n  transport = md\n  user = tern\n"
               "r_nobody:\n  driver = accept\n  local_parts = n1\n  transport = md\n  user = nobody\n"
               "  group = nogroup\n"
               "r_groups:\n  driver = accept\n  local_parts = g1\n  transport = md\n  user = tern\n"
               "  initgroups\n")
    return agent_env(tmp_path, routers, maildir_transport())


def test_two_identities_two_agents_each_reused(tmp_path):
    env = two_user_env(tmp_path)
    box = lambda lp: os.path.join(env.pub, lp, "new")  # noqa: E731
    with env.daemon() as d:
        send(d.port, ["t1@local.example", "n1@local.example", "t2@local.example"])
        assert wait_for(lambda: settled(env, 1))
        send(d.port, ["n1@local.example", "t1@local.example"])
        assert wait_for(lambda: settled(env, 2))
        send(d.port, ["t2@local.example", "g1@local.example"])
        assert wait_for(lambda: settled(env, 3))
        # initgroups makes a third identity: same uid, tern's groups
        ((groups_agent, owner),) = files(box("g1")).values()
        (plain_agent,) = pids(box("t2"))
        assert owner == TERN_UID and groups_agent != plain_agent
        assert status(groups_agent)["Groups"] == [str(TERN_GID)] and status(plain_agent)["Groups"] == []
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
        assert wait_for(lambda: len(children(d.proc.pid)) == 1)  # the connection child has gone
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


# The pipe command kills its parent (the agent serving it) while armed,
# after checking that the parent is a tern process running as tern;
# unarmed, it appends the message to PUB/piped.
KILLER = """#!/bin/sh
if [ -e PUB/armed ]; then
  rm PUB/armed
  read -r comm < /proc/$PPID/comm
  uid=$(awk '/^Uid:/ {print $2 $3 $4 $5}' /proc/$PPID/status)
  echo "$PPID $comm $uid" > PUB/parent
  [ "$comm" = tern ] && [ "$uid" = "%(u)s%(u)s%(u)s%(u)s" ] && kill -9 $PPID
  exit 0
fi
cat >> PUB/piped
"""


def killer_env(tmp_path):
    routers = ("r_pipe:\n  driver = accept\n  local_parts = k\n  transport = killer\n  user = tern\n"
               "r_box:\n  driver = accept\n  local_parts = n1\n  transport = md\n  user = nobody\n"
               "  group = nogroup\n")
    transports = "killer:\n  driver = pipe\n  command = /bin/sh PUB/killer.sh\n" + maildir_transport() + \
        "begin retry\n* * F,1d,1h\n"
    env = agent_env(tmp_path, routers, transports)
    with open(os.path.join(env.pub, "killer.sh"), "w") as f:
        f.write(KILLER.replace("PUB", env.pub) % {"u": TERN_UID})
    armed = os.path.join(env.pub, "armed")
    open(armed, "w").close()
    os.chown(armed, TERN_UID, TERN_GID)  # the sticky directory: only its owner removes it
    return env


def test_agent_killed_during_delivery_defers_only_its_address(tmp_path):
    env = killer_env(tmp_path)
    msg = b"Subject: k\n\nbody\n"
    run_ok(env, ["-odi", "-f", "a@b.example", "k@local.example", "n1@local.example"], msg)
    agent, comm, uid = open(os.path.join(env.pub, "parent")).read().split()
    assert (comm, uid) == ("tern", str(TERN_UID) * 4) and gone(int(agent))
    log = [re.sub(r"^\S+ ", "ID ", l) for l in env.log()]
    # Exim 4.96's three lines for a transport process that died (the first
    # two also go to the panic log)
    assert log[1:] == [
        "ID failed to read delivery status for k@local.example from delivery subprocess",
        "ID pipe transport process returned non-zero status 0x0009: terminated by signal 9",
        "ID == k@local.example R=r_pipe T=killer defer (-1)",
        "ID => n1 <n1@local.example> R=r_box T=md"]
    assert [re.sub(r"^\S+ ", "ID ", l) for l in env.log("panic")] == log[1:3]
    assert not os.path.exists(os.path.join(env.pub, "piped"))
    (mid,) = env.messages()
    # a queue run delivers the deferred address once, and only it
    run_ok(env, ["-qff"])
    assert [re.sub(r"pid=\d+", "pid=PID", l) for l in env.log()[5:]] == [
        "Start queue run: pid=PID -qff", "%s => k <k@local.example> R=r_pipe T=killer" % mid,
        "%s Completed" % mid, "End queue run: pid=PID -qff"]
    assert open(os.path.join(env.pub, "piped")).read().count("\nbody\n") == 1
    assert len(files(os.path.join(env.pub, "n1", "new"))) == 1
    assert env.messages() == []


ONE_USER = "r:\n  driver = accept\n  local_parts = u\n  transport = md\n  user = tern\n"


@pytest.mark.parametrize("mode", ["bm", "bs"])
def test_one_shot_delivery_leaves_no_agent(tmp_path, mode):
    env = agent_env(tmp_path, ONE_USER, maildir_transport())
    if mode == "bm":
        args, data = ["-odi", "-f", "a@b.example", "u@local.example"], b"Subject: x\n\nbody\n"
    else:
        args, data = ["-odi", "-bs"], (b"HELO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<u@local.example>\r\n"
                                         b"DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    p = subprocess.Popen([TERN, "-C", env.conf] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out, err = p.communicate(data, timeout=30)
    assert p.returncode == 0 and b"Sanitizer" not in err and b"runtime error" not in err, err
    ((agent, owner),) = files(os.path.join(env.pub, "u", "new")).values()
    assert owner == TERN_UID and agent != p.pid
    assert gone(agent)  # reaped by tern before it exited: no orphan, no zombie
    assert settled(env, 1)


def test_queue_run_keeps_one_agent_per_identity(tmp_path):
    env = agent_env(tmp_path, ONE_USER, maildir_transport())
    for i in range(3):
        run_ok(env, ["-odq", "-f", "a@b.example", "u@local.example"], b"Subject: %d\n\nbody\n" % i)
    assert len(env.messages()) == 3
    run_ok(env, ["-qff"])
    got = files(os.path.join(env.pub, "u", "new"))
    assert len(got) == 3 and len(pids(os.path.join(env.pub, "u", "new"))) == 1
    assert gone(pids(os.path.join(env.pub, "u", "new")).pop()) and settled(env, 3)


VARS_CONF = """acl_smtp_rcpt = rcpt
acl_smtp_data = data
begin acl
rcpt:
  accept set acl_m_r = rcpt-$local_part
         set acl_c_conn = conn-$sender_address
data:
  accept set acl_m_d = data-$h_subject:
begin routers
alias:
  driver = redirect
  local_parts = alias
  data = pre-target-suf@test.example
r:
  driver = accept
  domains = test.example
  local_parts = target : a/b
  local_part_prefix = pre-
  local_part_prefix_optional
  local_part_suffix = -suf
  local_part_suffix_optional
  address_data = ad-$local_part
  transport = ${if eq{$local_part_data}{target}{t_vars}{t_taint}}
  transport_home_directory = /tmp
  user = tern
  headers_add = X-Router: $local_part $address_data
  headers_remove = X-Drop
begin transports
t_vars:
  driver = appendfile
  file = PUB/vars-$local_part_data
  headers_add = X-Vars: lp=$local_part d=$domain pre=$local_part_prefix suf=$local_part_suffix\\n\\t\\
    ad=$address_data dd=$domain_data lpd=$local_part_data plp=$parent_local_part\\n\\t\\
    home=$home mid=$message_id sa=$sender_address subj=$h_subject:\\n\\t\\
    size=$message_size m_r=$acl_m_r m_d=$acl_m_d c=$acl_c_conn
t_taint:
  driver = appendfile
  file = PUB/taint-$local_part
"""
VARS_SMTP = (b"HELO x\r\nMAIL FROM:<s@x.example>\r\nRCPT TO:<alias@test.example>\r\n"
             b"RCPT TO:<a/b@test.example>\r\nDATA\r\n"
             b"Subject: hi\r\nX-Drop: gone\r\nX-Keep: kept\r\n\r\nbody\r\n.\r\nQUIT\r\n")


def bs_deliver(prog, base, body, smtp):
    """prog -bs -odi on the smtp input with a config of body (PUB: a
    world-writable directory); (mainlog lines, {file: text}), masked"""
    pub = PublicDir()
    try:
        spool = os.path.join(base, os.path.basename(prog), "spool")
        os.makedirs(os.path.join(spool, "log"))
        conf = os.path.join(base, os.path.basename(prog), "conf")
        with open(conf, "w") as f:
            f.write(spool_config(spool, body.replace("PUB", pub.path)))
        p = subprocess.run([prog, "-C", conf, "-bs", "-odi"], input=smtp, capture_output=True, timeout=30)
        assert p.returncode == 0 and b"Sanitizer" not in p.stderr, p.stderr
        log = [mask(l.replace(pub.path, "PUB")) for l in mainlog(spool)]
        return log, files_under(pub.path)
    finally:
        pub.cleanup()


def test_variables_and_taint_reach_the_agent(tmp_path):
    # -bs -odi on Tern and on Exim 4.96, the same files and log lines.
    # The ACL variables show because the receiving process delivers
    # (its agent is forked from it; see the xfail test below for the
    # daemon). The tainted a/b local part must stay tainted across the
    # agent's wire, so its file name is refused (a plain tainted local
    # part is allowed in Tern, doc/delivery.md "Tainted paths"); router headers_add and
    # headers_remove reach the file.
    log, got = bs_deliver(TERN, str(tmp_path), VARS_CONF, VARS_SMTP)
    if os.path.exists(EXIM):
        assert (log, got) == bs_deliver(EXIM, str(tmp_path), VARS_CONF, VARS_SMTP)
    assert log[1:] == ["=> target <alias@test.example> R=r T=t_vars",
                       "== a/b@test.example R=r T=t_taint defer (-1): Tainted 'PUB/taint-a/b' "
                       "(file or directory name for t_taint transport) not permitted"]
    assert list(got) == ["vars-target"]
    head, body = got["vars-target"].split("\n\n", 1)
    assert body == "body\n\n"
    assert "X-Drop" not in head and "X-Keep: kept\n" in head
    assert head.endswith("\nX-Router: target ad-target\n"
                         "X-Vars: lp=target d=test.example pre=pre- suf=-suf\n"
                         "\tad=ad-target dd=test.example lpd=target plp=alias\n"
                         "\thome=/tmp mid=ID sa=s@x.example subj=hi\n"
                         "\tsize=305 m_r=rcpt-a/b m_d=data-hi c=conn-s@x.example")


AUTOREPLY_ROUTERS = """vacation:
  driver = accept
  local_parts = v
  transport = t_auto
  unseen
  user = tern
filter:
  driver = redirect
  local_parts = f
  allow_filter
  data = # Exim filter\\nmail subject \"Filtered: \\$h_subject:\" text \"filter reply\"
  reply_transport = t_reply
  user = tern
boxes:
  driver = accept
  local_parts = v : f : s
  transport = md
  user = tern
"""
AUTOREPLY_TRANSPORTS = maildir_transport() + """t_auto:
  driver = autoreply
  from = v@local.example
  to = $sender_address
  subject = Re: $h_subject:
  text = away
t_reply:
  driver = autoreply
"""


def test_autoreply_and_filter_mail_through_agents(tmp_path):
    # the transport-made reply and the filter's mail command (its reply
    # item crosses the wire) run in the tern agent; the generated
    # messages are spooled and delivered
    env = agent_env(tmp_path, AUTOREPLY_ROUTERS, AUTOREPLY_TRANSPORTS)
    with env.daemon() as d:
        s = smtplib.SMTP("127.0.0.1", d.port)
        s.sendmail("s@local.example", ["v@local.example", "f@local.example"],
                   "From: s@local.example\r\nSubject: hi\r\n\r\nbody\r\n")
        s.quit()
        assert wait_for(lambda: settled(env, 3))
    replies = {}
    for name, (agent, owner) in files(os.path.join(env.pub, "s", "new")).items():
        head = open(os.path.join(env.pub, "s", "new", name)).read().split("\n\n", 1)
        subject = re.search(r"^Subject: (.*)$", head[0], re.M).group(1)
        replies[subject] = (head[1], owner)
        assert "\nAuto-Submitted: auto-replied\n" in "\n" + head[0] + "\n"
    assert replies == {"Re: hi": ("away", TERN_UID), "Filtered: hi": ("filter reply", TERN_UID)}
    # the mail command is not significant: f and v get the message too
    assert [len(files(os.path.join(env.pub, lp, "new"))) for lp in ("v", "f")] == [1, 1]
    log = env.log()
    assert sum(1 for l in log if " <= <> " in l) == 2 and defers(env) == []
    assert any(l.endswith(" => v <v@local.example> R=vacation T=t_auto") for l in log), log
    assert any(l.endswith(" => >s@local.example <f@local.example> R=filter T=t_reply") for l in log), log


def test_reused_agent_keeps_nothing_of_the_last_message(tmp_path):
    # the same agent delivers both; the second has no router-added
    # header, another sender, subject and size, and none of the first's
    # values show
    routers = ("r:\n  driver = accept\n  local_parts = first : second\n  transport = md\n  user = tern\n"
               "  headers_add = ${if eq{$local_part}{first}{X-First: yes}{}}\n")
    transports = maildir_transport().replace("  create_directory\n", "  create_directory\n  headers_add = "
                                             "X-M: <$sender_address> <$h_subject:> <$message_size>\n")
    env = agent_env(tmp_path, routers, transports)
    with env.daemon() as d:
        for i, (lp, sender) in enumerate((("first", "a@b.example"), ("second", "c@d.example"))):
            s = smtplib.SMTP("127.0.0.1", d.port)
            s.sendmail(sender, ["%s@local.example" % lp], "Subject: %s\r\n\r\n%s\r\n" % (lp, "x" * (i * 100)))
            s.quit()
            assert wait_for(lambda: settled(env, i + 1))
    got = {lp: delivered_x_headers(os.path.join(env.pub, lp, "new")) for lp in ("first", "second")}
    sizes = [re.search(r" S=(\d+)", l).group(1) for l in env.log() if " <= " in l]
    assert got["first"][0] == got["second"][0]
    assert got["first"][1] == ["X-First: yes", "X-M: <a@b.example> <first> <%s>" % sizes[0]]
    assert got["second"][1] == ["X-M: <c@d.example> <second> <%s>" % sizes[1]]


def delivered_x_headers(newdir):
    """(agent pid, X- header lines) of the one message in newdir"""
    ((name, (agent, _)),) = files(newdir).items()
    head = open(os.path.join(newdir, name)).read().split("\n\n")[0]
    return agent, [l for l in head.splitlines() if l.startswith("X-")]


@pytest.mark.parametrize("header, expected", [
    ("X-Acl: <$acl_m_x> <$acl_c_y>", "X-Acl: <m-u> <c>"),
    ("X-Conn: <$sender_host_address> <$sender_helo_name> <$received_protocol> <$body_linecount>",
     "X-Conn: <127.0.0.1> <first.example> <esmtp> <1>"),
    ("X-Count: <$received_count> <$recipients_count> <$max_received_linelength>",
     "X-Count: <1> <1> <10>"),
])
def test_reception_values_reach_the_daemons_agent(tmp_path, header, expected):
    acl = ("  accept domains = +local_domains\n         set acl_m_x = m-$local_part\n"
           "         set acl_c_y = c\n")
    transports = maildir_transport().replace("  create_directory\n", "  create_directory\n  headers_add = %s\n"
                                             % header)
    env = agent_env(tmp_path, ONE_USER, transports, acl)
    with env.daemon() as d:
        s = smtplib.SMTP("127.0.0.1", d.port, local_hostname="first.example")
        s.sendmail("a@b.example", ["u@local.example"], "Subject: x\r\n\r\nbody\r\n")
        s.quit()
        assert wait_for(lambda: settled(env, 1))
    assert delivered_x_headers(os.path.join(env.pub, "u", "new"))[1] == [expected]
