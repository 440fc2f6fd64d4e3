"""test_deliver_local.py - local delivery end to end: a message written
into a spool is delivered by `tern -M` to mbox, Maildir and pipe as the
unprivileged `tern` user, with Exim's mainlog lines; failures, deferrals,
never_users, tainted paths, -N."""
import os
import pwd

import pytest

from delivery_util import PublicDir, mainlog, run, spool_config, write_message

TERN_UID = pwd.getpwnam("tern").pw_uid


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def config(tmp_path, pub, routers="", transports="", extra_main=""):
    spool = str(tmp_path / "spool")
    body = f"""begin routers
{routers}
users:
  driver = accept
  local_parts = tern : other : r0 : r1 : r2 : r3
  local_part_suffix = -*
  local_part_suffix_optional
  transport = mbox
md:
  driver = accept
  local_parts = ^md.*
  transport = maildir
  user = tern
begin transports
mbox:
  driver = appendfile
  file = {pub}/$local_part
  user = tern
maildir:
  driver = appendfile
  directory = {pub}/$local_part
  maildir_format
pipe:
  driver = pipe
  user = tern
{transports}
"""
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, body, extra_main))
    return str(conf), spool


def test_mbox_delivery_as_user(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub)
    mid = write_message(spool, ["tern@test.example"], body="From me\nsecond\n")
    rc, out, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    box = os.path.join(pub, "tern")
    st = os.stat(box)
    assert st.st_uid == TERN_UID and (st.st_mode & 0o777) == 0o600
    text = open(box).read()
    assert text.startswith("From sender@x.example ")
    assert "\nSubject: test\n\n>From me\nsecond\n\n" in text
    assert mainlog(spool) == ["=> tern <tern@test.example> R=users T=mbox", "Completed"]
    assert not os.listdir(os.path.join(spool, "input"))


def test_maildir_delivery(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub)
    mid = write_message(spool, ["md1@test.example", "md2@test.example"])
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    for lp in ("md1", "md2"):
        new = os.path.join(pub, lp, "new")
        files = os.listdir(new)
        assert len(files) == 1
        assert os.stat(os.path.join(new, files[0])).st_uid == TERN_UID
        assert open(os.path.join(new, files[0])).read().endswith("Subject: test\n\nbody line\n")
        assert os.listdir(os.path.join(pub, lp, "tmp")) == []
    assert mainlog(spool) == ["=> md1 <md1@test.example> R=md T=maildir",
                              "=> md2 <md2@test.example> R=md T=maildir", "Completed"]


def test_suffix_and_unrouteable(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub)
    mid = write_message(spool, ["tern-box@test.example", "nobody@test.example"])
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    log = mainlog(spool)
    assert log[0] == "** nobody@test.example: Unrouteable address"
    assert log[1] == "=> tern <tern-box@test.example> R=users T=mbox"
    assert os.path.exists(os.path.join(pub, "tern"))


def pipe_conf(tmp_path, pub, cmd, extra=""):
    routers = f"""pipes:
  driver = accept
  local_parts = p
  transport = pipe_t
"""
    transports = f"""pipe_t:
  driver = pipe
  command = {cmd}
  user = tern
{extra}"""
    return config(tmp_path, pub, routers, transports)


def test_pipe_delivery(tern_bin, tmp_path, pub):
    out = os.path.join(pub, "piped")
    conf, spool = pipe_conf(tmp_path, pub, f"/usr/bin/tee {out}")
    mid = write_message(spool, ["p@test.example"])
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    assert os.stat(out).st_uid == TERN_UID
    assert open(out).read().endswith("Subject: test\n\nbody line\n\n")
    assert mainlog(spool) == ["=> p <p@test.example> R=pipes T=pipe_t", "Completed"]


def test_pipe_env_and_args_not_split_by_expansion(tern_bin, tmp_path, pub):
    out = os.path.join(pub, "env")
    conf, spool = pipe_conf(tmp_path, pub, f"/bin/sh -c 'env > {out}; echo \"\\$1\" >> {out}' x $local_part")
    mid = write_message(spool, ["p@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    text = open(out).read()
    assert "LOCAL_PART=p\n" in text and "SENDER=sender@x.example\n" in text
    assert "RECIPIENT=p@test.example\n" in text and text.endswith("\np\n")


def test_pipe_failure_and_temp_error(tern_bin, tmp_path, pub):
    conf, spool = pipe_conf(tmp_path, pub, "/bin/false")
    mid = write_message(spool, ["p@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    assert mainlog(spool)[0] == ("** p@test.example R=pipes T=pipe_t: Child process of pipe_t "
                                 "transport returned 1 from command: /bin/false")
    conf, spool = pipe_conf(tmp_path, pub, "/bin/sh -c 'exit 75'")
    mid = write_message(spool, ["p@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    log = mainlog(spool)
    i = next(i for i, l in enumerate(log) if l.startswith("== p@test.example R=pipes T=pipe_t defer (-1): "
                                                         "Child process of pipe_t transport returned 75"))
    # no retry rules: a temporary error is final, as in Exim (test_retry_local.py)
    assert log[i + 1] == "** p@test.example: retry timeout exceeded"


def test_pipe_timeout(tern_bin, tmp_path, pub):
    conf, spool = pipe_conf(tmp_path, pub, "/bin/sleep 30", "  timeout = 1s\n")
    mid = write_message(spool, ["p@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    assert mainlog(spool)[0] == "** p@test.example R=pipes T=pipe_t: pipe delivery process timed out"


def test_never_users_refused(tern_bin, tmp_path, pub):
    routers = """rootbox:
  driver = accept
  local_parts = rootbox
  transport = rootfile
"""
    transports = f"""rootfile:
  driver = appendfile
  file = {pub}/rootbox
  user = root
"""
    conf, spool = config(tmp_path, pub, routers, transports)
    mid = write_message(spool, ["rootbox@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    assert mainlog(spool) == ["== rootbox@test.example R=rootbox T=rootfile defer (-1): "
                              "User 0 set for rootfile transport is on the never_users list"]
    assert not os.path.exists(os.path.join(pub, "rootbox"))
    assert os.path.exists(os.path.join(spool, "input", mid + "-H"))


def test_no_uid_is_an_error(tern_bin, tmp_path, pub):
    routers = """nouid:
  driver = accept
  local_parts = nouid
  transport = maildir
"""
    conf, spool = config(tmp_path, pub, routers)
    mid = write_message(spool, ["nouid@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    assert mainlog(spool) == ["== nouid@test.example R=nouid T=maildir defer (-1): Neither the nouid "
                              "router nor the maildir transport set a uid for local delivery of nouid@test.example"]


@pytest.mark.parametrize("lp", ['"../etc"', '"a/b"'])
def test_tainted_path_refused(tern_bin, tmp_path, pub, lp):
    routers = """any:
  driver = accept
  transport = mbox
"""
    conf, spool = config(tmp_path, pub, routers)
    mid = write_message(spool, [f"{lp}@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    line = mainlog(spool)[0]
    assert line.startswith(f"== {lp}@test.example R=any T=mbox defer (-1): Tainted '{pub}/{lp}'")
    assert line.endswith("(file or directory name for mbox transport) not permitted")
    assert os.listdir(pub) == []


def test_dont_deliver(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub)
    mid = write_message(spool, ["tern@test.example", "md1@test.example"])
    rc, _, err = run(tern_bin, ["-C", conf, "-N", "-M", mid])
    assert rc == 0, err
    assert mainlog(spool) == ["*> tern <tern@test.example> R=users T=mbox",
                              "*> md1 <md1@test.example> R=md T=maildir", "Completed"]
    assert os.listdir(pub) == []


def test_nonrecipients_skipped_and_header_kept(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, extra_main="")
    mid = write_message(spool, ["tern@test.example", "other@test.example"],
                        nonrecipients=["other@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    assert mainlog(spool) == ["=> tern <tern@test.example> R=users T=mbox", "Completed"]
    assert not os.path.exists(os.path.join(pub, "other"))


def test_locked_message_not_delivered(tern_bin, tmp_path, pub):
    import fcntl
    conf, spool = config(tmp_path, pub)
    mid = write_message(spool, ["tern@test.example"])
    with open(os.path.join(spool, "input", mid + "-D"), "r+") as f:
        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 19, 0)
        rc, out, _ = run(tern_bin, ["-C", conf, "-M", mid])
    # Exim 4.96: nothing on stdout, a mainlog line, exit status 0
    assert (rc, out) == (0, "")
    assert mainlog(spool) == ["Spool file for %s is locked (another process is handling this message)" % mid]
    assert not os.path.exists(os.path.join(pub, "tern"))


def test_missing_data_file_is_logged_with_the_id(tern_bin, tmp_path, pub):
    """-M on a message whose -D has gone: Exim's line, with the id in front,
    and exit status 0 (the orphan -H is tidied: a crash in completed())"""
    conf, spool = config(tmp_path, pub)
    mid = write_message(spool, ["tern@test.example"])
    os.unlink(os.path.join(spool, "input", mid + "-D"))
    rc, out, _ = run(tern_bin, ["-C", conf, "-M", mid])
    assert (rc, out) == (0, "")
    lines = open(os.path.join(spool, "log", "mainlog")).read().splitlines()
    assert [l[20:] for l in lines] == ["%s Spool file %s-D not found" % (mid, mid)]
    assert not os.path.exists(os.path.join(spool, "input", mid + "-H"))


def test_quota(tern_bin, tmp_path, pub):
    routers = """q:
  driver = accept
  local_parts = q
  transport = qbox
"""
    transports = f"""qbox:
  driver = appendfile
  file = {pub}/q
  quota = 100
  user = tern
"""
    conf, spool = config(tmp_path, pub, routers, transports)
    mid = write_message(spool, ["q@test.example"], body="x" * 500 + "\n")
    run(tern_bin, ["-C", conf, "-M", mid])
    assert mainlog(spool)[0] == (f"== q@test.example R=q T=qbox defer (-22): mailbox is full "
                                 f"(MTA-imposed quota exceeded while writing to {pub}/q)")
