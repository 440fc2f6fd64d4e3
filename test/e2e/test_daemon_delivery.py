"""test_daemon_delivery.py - messages are delivered right after they are
accepted: by the daemon's delivery side (connection children hand the id
over a pipe), by a -bs/-bm caller itself (-odb in the background, -odi in
the foreground), not at all with -odq; and the daemon's -q<time> queue
runner delivers what was left queued."""
import os
import pwd
import smtplib
import time

import pytest

import smtp_util
from smtp_util import maildir_env

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the daemon and deliveries need root")


def wait_for(pred, timeout=8):
    return smtp_util.wait_for(pred, timeout)


def make_env(tmp_path, main=""):
    return maildir_env(tmp_path, "local.example", main)


def delivered(env):
    return os.listdir(env.newdir) if os.path.isdir(env.newdir) else []


def completed(env):
    return any(l.endswith("Completed") for l in env.log())


def send(port, body="hello"):
    s = smtplib.SMTP("127.0.0.1", port)
    s.sendmail("a@b.example", ["user@local.example"], "Subject: t\r\n\r\n%s\r\n" % body)
    s.quit()


def assert_logged(env):
    log = env.log()
    assert any(" <= a@b.example" in l for l in log), log
    assert any(" => " in l and "user@local.example" in l for l in log), log
    assert any(l.endswith("Completed") for l in log), log


def test_daemon_delivers_immediately(tmp_path):
    env = make_env(tmp_path)
    with env.daemon() as d:
        send(d.port)
        assert wait_for(lambda: delivered(env) and completed(env))
    files = delivered(env)
    assert len(files) == 1
    st = os.stat(os.path.join(env.newdir, files[0]))
    assert st.st_uid == pwd.getpwnam("tern").pw_uid
    with open(os.path.join(env.newdir, files[0])) as f:
        assert "hello" in f.read()
    assert_logged(env)
    assert env.messages() == []


def test_daemon_delivers_many_in_parallel(tmp_path):
    env = make_env(tmp_path)
    with env.daemon() as d:
        for i in range(30):
            send(d.port, "m%d" % i)
        assert wait_for(lambda: len(delivered(env)) == 30, 20)
        assert wait_for(lambda: env.messages() == [])
    assert sum(1 for l in env.log() if l.endswith("Completed")) == 30


def children(pid):
    """PIDs whose parent is pid (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except (OSError, ValueError):
            continue
        if d.isdigit() and int(st[st.rindex(")") + 2:].split()[1]) == pid:
            out.append(int(d))
    return out


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_daemon_delivery_process_stays_for_the_next_message(tmp_path):
    # one message at a time: the delivery process that delivered the first
    # waits for the next instead of exiting, and delivers it without a
    # new fork; it goes when the daemon does
    env = make_env(tmp_path)
    with env.daemon() as d:
        send(d.port, "first")
        assert wait_for(lambda: len(delivered(env)) == 1 and completed(env))
        assert wait_for(lambda: len(children(d.proc.pid)) == 1)
        worker = children(d.proc.pid)
        for i in range(3):
            send(d.port, "next%d" % i)
            assert wait_for(lambda: len(delivered(env)) == 2 + i and env.messages() == [])
            assert wait_for(lambda: children(d.proc.pid) == worker)
    assert wait_for(lambda: not alive(worker[0]))
    assert sum(1 for l in env.log() if l.endswith("Completed")) == 4


def test_daemon_odq_keeps_queued(tmp_path):
    env = make_env(tmp_path)
    with env.daemon(["-odq"]) as d:
        send(d.port)
        time.sleep(1)
    assert delivered(env) == []
    ids = env.messages()
    assert len(ids) == 1
    out = env.run(["-bp"]).stdout.decode()
    assert ids[0] in out and "user@local.example" in out


def test_queue_only_option_keeps_queued(tmp_path):
    env = make_env(tmp_path, "queue_only")
    with env.daemon() as d:
        send(d.port)
        time.sleep(1)
    assert delivered(env) == []
    assert len(env.messages()) == 1


@pytest.mark.parametrize("order", ["after", "before"])
def test_daemon_queue_runner(tmp_path, order):
    env = make_env(tmp_path, "queue_only")
    args = ["-q1s"]
    with env.daemon(args) as d:
        send(d.port)
        assert wait_for(lambda: delivered(env) and completed(env))
    assert_logged(env)
    log = env.log()
    assert any("daemon started: pid=" in l and ", -q1s, " in l for l in log), log
    assert any("Start queue run: pid=" in l for l in log), log


def test_q_before_bd(tmp_path):
    """-q30m -bd: the flag before the mode works too"""
    env = make_env(tmp_path)
    import subprocess
    from smtp_util import TERN, free_port
    port = free_port()
    p = subprocess.Popen([TERN, "-C", env.conf, "-q30m", "-bdf", "-oX", "127.0.0.1.%d" % port],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: any("daemon started" in l for l in env.log()))
        assert any(", -q30m, " in l for l in env.log()), env.log()
    finally:
        p.terminate()
        p.wait(10)


BS = b"HELO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<user@local.example>\r\nDATA\r\n" \
     b"Subject: s\r\n\r\nbody\r\n.\r\nQUIT\r\n"


def test_bs_odi_delivers_before_exit(tmp_path):
    env = make_env(tmp_path)
    r = env.run(["-odi", "-bs"], BS)
    assert b"250 OK id=" in r.stdout, r
    assert len(delivered(env)) == 1   # already there: the foreground delivery was waited for
    assert completed(env)
    assert_logged(env)


def test_bs_odf_delivers_before_exit(tmp_path):
    # -odf is Exim's other name for -odi (foreground delivery)
    env = make_env(tmp_path)
    r = env.run(["-odf", "-bs"], BS)
    assert b"250 OK id=" in r.stdout, r
    assert len(delivered(env)) == 1
    assert completed(env)
    assert_logged(env)


def test_bm_odb_delivers_in_background(tmp_path):
    env = make_env(tmp_path)
    r = env.run(["-odb", "user@local.example"], b"Subject: s\n\nbody\n")
    assert r.returncode == 0, r
    assert wait_for(lambda: delivered(env) and completed(env))


def test_bs_default_delivers_in_background(tmp_path):
    env = make_env(tmp_path)
    r = env.run(["-bs"], BS)
    assert b"250 OK id=" in r.stdout, r
    assert wait_for(lambda: delivered(env) and completed(env))
    assert_logged(env)


def test_bs_odq_stays_queued(tmp_path):
    env = make_env(tmp_path)
    r = env.run(["-odq", "-bs"], BS)
    assert b"250 OK id=" in r.stdout, r
    time.sleep(0.5)
    assert delivered(env) == []
    assert len(env.messages()) == 1


def test_bm_delivers(tmp_path):
    env = make_env(tmp_path)
    r = env.run(["-odi", "user@local.example"], b"Subject: s\n\nbody\n")
    assert r.returncode == 0, r
    assert len(delivered(env)) == 1
