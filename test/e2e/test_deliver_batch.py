"""test_deliver_batch.py - batched local delivery (batch_max, batch_id):
appendfile in BSMTP format with one RCPT per address, pipe with
$pipe_addresses, batches split by batch_id and by $local_part; the
message log written as Exim writes it."""
import os

import pytest

from delivery_util import PublicDir, mainlog, run, spool_config, write_message


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def config(tmp_path, pub, transport, extra_main=""):
    spool = str(tmp_path / "spool")
    body = f"""begin routers
all:
  driver = accept
  transport = t
  user = tern
begin transports
t:
{transport}

begin retry
* * F,1h,10m
"""  # a rule: deferrals stay queued (none: they time out, as in Exim)
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, body, extra_main))
    return str(conf), spool


def deliver(tern_bin, conf, spool, rcpts, **kw):
    mid = write_message(spool, rcpts, **kw)
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    return mid


def test_appendfile_bsmtp_batch(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, f"""  driver = appendfile
  file = {pub}/bsmtp
  use_bsmtp
  batch_max = 10""")
    deliver(tern_bin, conf, spool, ["a@test.example", "b@test.example", "c@other.example"],
            body=".dot line\nend\n")
    text = open(os.path.join(pub, "bsmtp")).read()
    assert text.startswith("MAIL FROM:<sender@x.example>\nRCPT TO:<a@test.example>\n"
                           "RCPT TO:<b@test.example>\nRCPT TO:<c@other.example>\nDATA\n")
    assert text.endswith("\n..dot line\nend\n.\n")
    assert text.count("DATA\n") == 1
    assert mainlog(spool) == ["=> a <a@test.example> R=all T=t", "-> b <b@test.example> R=all T=t",
                              "-> c <c@other.example> R=all T=t", "Completed"]


def test_batch_split_by_domain_and_local_part(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, f"""  driver = appendfile
  file = {pub}/$domain
  batch_max = 10
  envelope_to_add""")
    deliver(tern_bin, conf, spool, ["a@test.example", "b@test.example", "c@other.example"])
    assert open(os.path.join(pub, "test.example")).read().count("Subject: test") == 1
    assert "Envelope-to: a@test.example,\n\tb@test.example\n" in open(os.path.join(pub, "test.example")).read()
    assert open(os.path.join(pub, "other.example")).read().count("Subject: test") == 1
    conf, spool = config(tmp_path / "lp" if (tmp_path / "lp").mkdir() is None else None, pub, f"""  driver = appendfile
  file = {pub}/lp_$local_part
  batch_max = 10""")
    deliver(tern_bin, conf, spool, ["a@test.example", "b@test.example"])
    assert [x[:2] for x in mainlog(spool)] == ["=>", "=>", "Co"]


def test_pipe_addresses_and_batch_id(tern_bin, tmp_path, pub):
    script = os.path.join(pub, "record.sh")
    with open(script, "w") as f:
        f.write(f"#!/bin/sh\necho \"$@\" >> {pub}/args\ncat > /dev/null\n")
    os.chmod(script, 0o755)
    conf, spool = config(tmp_path, pub, f"""  driver = pipe
  command = {script} $pipe_addresses
  batch_max = 2
  batch_id = ${{if eq{{$local_part}}{{solo}}{{1}}{{2}}}}""")
    deliver(tern_bin, conf, spool, ["x@test.example", "solo@test.example", "y@test.example", "z@test.example"])
    lines = open(os.path.join(pub, "args")).read().splitlines()
    assert sorted(lines) == sorted(["x@test.example y@test.example", "solo@test.example", "z@test.example"])


def test_msglog_lines(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, f"""  driver = appendfile
  file = {pub}/${{if eq{{$local_part}}{{bad}}{{nodir/x}}{{$local_part}}}}""", "preserve_message_logs")
    mid = deliver(tern_bin, conf, spool, ["good@test.example", "bad@test.example"])
    log = open(os.path.join(spool, "msglog", mid)).read().splitlines()
    assert log[0][20:] == "good@test.example: t transport succeeded"
    assert log[1][20:].startswith("bad@test.example R=all T=t defer (")
    # the failure is kept; once complete the log moves to msglog.OLD
    os.makedirs(os.path.join(pub, "nodir"), mode=0o777)
    os.chmod(os.path.join(pub, "nodir"), 0o777)
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    assert not os.path.exists(os.path.join(spool, "msglog", mid))
    old = open(os.path.join(spool, "msglog.OLD", mid)).read().splitlines()
    assert old[-1][20:] == "bad@test.example: t transport succeeded"


@pytest.mark.parametrize("mode,name,ok", [("inhome", "home/box", True), ("inhome", "elsewhere", False),
                                          ("belowhome", "home/link/box", False), ("belowhome", "home/sub/box", True)])
def test_create_file(tern_bin, tmp_path, pub, mode, name, ok):
    home = os.path.join(pub, "home")
    os.makedirs(os.path.join(home, "sub"))
    os.symlink(pub, os.path.join(home, "link"))
    for d in (home, os.path.join(home, "sub")):
        os.chmod(d, 0o777)
    conf, spool = config(tmp_path, pub, f"""  driver = appendfile
  file = {pub}/{name}
  home_directory = {home}
  create_file = {mode}""")
    deliver(tern_bin, conf, spool, ["a@test.example"])
    assert os.path.exists(os.path.join(pub, name)) == ok
    if not ok:
        assert "is not within the home directory" in mainlog(spool)[0]
