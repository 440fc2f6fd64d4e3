"""test_deliver_shadow.py - shadow_transport and shadow_condition: after a
successful local delivery the shadow transport runs for the same address,
its outcome shows only as ST= on the "=>" line (Exim 4.96's format, checked
with exim4 -C), and it never changes the real delivery's result."""
import os

import pytest

from delivery_util import PublicDir, mainlog, run, spool_config, write_message


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def config(tmp_path, pub, main_opts="  shadow_transport = shadow"):
    spool = str(tmp_path / "spool")
    body = f"""begin routers
all:
  driver = accept
  transport = ${{if eq{{$local_part}}{{broken}}{{broken}}{{box}}}}
  user = tern
begin transports
box:
  driver = appendfile
  file = {pub}/$local_part
{main_opts}
broken:
  driver = appendfile
  file = {pub}/nodir/$local_part
  shadow_transport = shadow
shadow:
  driver = appendfile
  file = {pub}/shadow
badshadow:
  driver = pipe
  command = /bin/sh -c "exit 1"
"""
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, body))
    return str(conf), spool


def deliver(tern_bin, conf, spool, rcpts):
    mid = write_message(spool, rcpts)
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    return mid


def test_shadow_copy_and_log(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub)
    deliver(tern_bin, conf, spool, ["a@test.example", "b@test.example"])
    assert mainlog(spool) == ["=> a <a@test.example> R=all T=box ST=shadow",
                              "=> b <b@test.example> R=all T=box ST=shadow", "Completed"]
    main = open(os.path.join(pub, "a")).read()
    shadow = open(os.path.join(pub, "shadow")).read()
    assert shadow.count("\nSubject: test\n") == 2 and "Subject: test" in main


def test_shadow_failure_does_not_matter(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, "  shadow_transport = badshadow")
    deliver(tern_bin, conf, spool, ["a@test.example"])
    assert mainlog(spool) == [
        "=> a <a@test.example> R=all T=box ST=badshadow (Child process of badshadow transport "
        "returned 1 from command: /bin/sh)", "Completed"]
    assert os.path.exists(os.path.join(pub, "a"))


def test_shadow_condition(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, "  shadow_transport = shadow\n"
                                        "  shadow_condition = ${if eq{$local_part}{b}{no}{yes}}")
    deliver(tern_bin, conf, spool, ["a@test.example", "b@test.example"])
    assert mainlog(spool) == ["=> a <a@test.example> R=all T=box ST=shadow",
                              "=> b <b@test.example> R=all T=box", "Completed"]
    assert open(os.path.join(pub, "shadow")).read().count("\nSubject: test\n") == 1


def test_shadow_not_found(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, "  shadow_transport = nosuch")
    deliver(tern_bin, conf, spool, ["a@test.example"])
    assert mainlog(spool) == ['shadow transport "nosuch" not found ',
                              "=> a <a@test.example> R=all T=box", "Completed"]
    assert 'shadow transport "nosuch" not found' in open(os.path.join(spool, "log", "paniclog")).read()


def test_no_shadow_for_failed_delivery(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub)
    mid = deliver(tern_bin, conf, spool, ["broken@test.example"])
    log = mainlog(spool)
    assert log[0].startswith("== broken@test.example R=all T=broken defer (")
    assert "ST=" not in log[0]
    # no retry rules: the deferral times out at once, as in Exim (test_retry_local.py)
    assert log[1] == "** broken@test.example: retry timeout exceeded"
    assert [l for l in log if "ST=" in l] == ["=> sender <sender@x.example> R=all T=box ST=shadow"]  # the bounce
