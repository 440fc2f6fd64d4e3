"""test_route_one_time.py - the redirect router's one_time option: when an
address it generated is deferred, the parent is marked done and the
deferred address becomes a recipient of its own in -H (with the parent's
number, so later log lines still name the parent), so the redirection is
not made again even if its data changes. -H layout and log lines as
Exim 4.96 writes them (checked with exim4 -C)."""
import os

import pytest

from delivery_util import PublicDir, mainlog, run, spool_config, write_message


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def config(tmp_path, pub, one_time="one_time", extra=""):
    spool = str(tmp_path / "spool")
    body = f"""begin routers
list:
  driver = redirect
  local_parts = list
  file = {pub}/list
  {one_time}
{extra}
users:
  driver = accept
  local_parts = ok : def : other : new
  transport = ${{if and{{{{eq{{$local_part}}{{def}}}}{{!exists{{{pub}/go}}}}}}{{broken}}{{box}}}}
  user = tern
begin transports
box:
  driver = appendfile
  file = {pub}/$local_part
broken:
  driver = appendfile
  file = /proc/nodir/$local_part
begin retry
* * F,1h,1s
"""
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, body))
    with open(os.path.join(pub, "list"), "w") as f:
        f.write("ok@test.example, def@test.example\n")
    return str(conf), spool


def header_recipients(spool, mid):
    text = open(os.path.join(spool, "input", mid + "-H")).read()
    lines = text.split("\n")
    i = next(i for i, l in enumerate(lines) if l.isdigit() and i > 8)
    tree = [l for l in lines[9:i] if l[:2] in ("NN", "NY", "YN", "YY")]
    return sorted(l[3:] for l in tree), lines[i + 1:i + 1 + int(lines[i])]


def test_one_time_promotes_deferred_child(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub)
    mid = write_message(spool, ["list@test.example", "other@test.example"])
    rc, _, err = run(tern_bin, ["-C", conf, "-qf"])   # first queue run
    assert rc == 0, err
    log = [l for l in mainlog(spool) if "queue run" not in l]
    assert log[0] == "=> ok <list@test.example> R=users T=box"
    assert log[1].startswith("== def@test.example <list@test.example> R=users T=broken defer (")
    assert log[2:] == ["=> other <other@test.example> R=users T=box"]
    done, rcpts = header_recipients(spool, mid)
    assert done == ["list@test.example", "ok@test.example", "other@test.example"]
    assert rcpts == ["list@test.example", "other@test.example", "def@test.example  0,0  0,0#3"]
    # the list changes; the redirection is not made again
    with open(os.path.join(pub, "list"), "w") as f:
        f.write("new@test.example\n")
    open(os.path.join(pub, "go"), "w").close()
    rc, _, err = run(tern_bin, ["-C", conf, "-qf"])   # second queue run
    assert rc == 0, err
    log = [l for l in mainlog(spool) if "queue run" not in l][3:]
    assert log == ["=> def <list@test.example> R=users T=box", "Completed"]
    assert not os.path.exists(os.path.join(pub, "new"))
    assert open(os.path.join(pub, "ok")).read().count("Subject: test") == 1
    assert open(os.path.join(pub, "def")).read().count("Subject: test") == 1


def test_without_one_time_redirect_is_redone(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, one_time="")
    mid = write_message(spool, ["list@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    done, rcpts = header_recipients(spool, mid)
    assert done == ["ok@test.example"] and rcpts == ["list@test.example"]
    with open(os.path.join(pub, "list"), "w") as f:
        f.write("ok@test.example, def@test.example, new@test.example\n")
    open(os.path.join(pub, "go"), "w").close()
    run(tern_bin, ["-C", conf, "-M", mid])
    assert os.path.exists(os.path.join(pub, "new"))


def test_one_time_twice_deferred_not_added_again(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub)
    mid = write_message(spool, ["list@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    run(tern_bin, ["-C", conf, "-M", mid])
    assert mainlog(spool)[-1].startswith("== def@test.example <list@test.example> R=users T=broken defer (")
    done, rcpts = header_recipients(spool, mid)
    assert done == ["list@test.example", "ok@test.example"]
    assert rcpts == ["list@test.example", "def@test.example  0,0  0,0#3"]


@pytest.mark.parametrize("opt,msg", [
    ("unseen", '"unseen" may not be used with "one_time"'),
    ("headers_add = X-A: b", '"headers_add" and "headers_remove" are not permitted with "one_time"'),
])
def test_one_time_config_errors(tern_bin, tmp_path, pub, opt, msg):
    conf, spool = config(tmp_path, pub, one_time="one_time\n  " + opt)
    rc, out, err = run(tern_bin, ["-C", conf, "-bV"])
    assert rc != 0 and msg in out + err
