"""test_router_generic.py - the generic router options (local_part_prefix
and _suffix with their _optional and "*" wildcards, require_files, the
verify family, address_data, cannot_route_message, pass_router,
redirect_router, ignore_target_hosts, hosts_randomize, initgroups)
compared byte for byte with Exim 4.96 in -bt, -bv and -bvs, then checked
in real deliveries."""
import os
import re
import subprocess

import pytest

from delivery_util import PublicDir, mainlog, run, spool_config, write_message
from router_cases import GENERIC, config, stderr_lines


def differential(tern_bin, exim_oracle, tmp_path, routers, addresses, mode):
    (tmp_path / "exists").write_text("")
    os.makedirs(tmp_path / "spool" / "log", exist_ok=True)
    conf = tmp_path / "c.conf"
    conf.write_text(config(tmp_path, routers))
    erc, eout, eerr = exim_oracle(["-C", str(conf), mode, *addresses])
    trc, tout, terr = run(tern_bin, ["-C", str(conf), mode, *addresses])
    assert tout == eout, terr
    assert stderr_lines(terr) == stderr_lines(eerr)
    assert trc == erc


@pytest.mark.parametrize("mode", ["-bt", "-bv", "-bvs"])
@pytest.mark.parametrize("case", sorted(GENERIC))
def test_matches_exim(tern_bin, exim_oracle, tmp_path, case, mode):
    differential(tern_bin, exim_oracle, tmp_path, *GENERIC[case], mode)


def test_route_list_randomize(tern_bin, tmp_path):
    """"randomize" on a route_list item shuffles its hosts for each address"""
    hosts = [f"127.0.0.{i}" for i in range(2, 7)]
    conf = tmp_path / "c.conf"
    conf.write_text(config(tmp_path, f"""m1:
  driver = manualroute
  route_list = * {":".join(hosts)} randomize
  transport = s
"""))
    orders = set()
    for _ in range(30):
        rc, out, err = run(tern_bin, ["-C", str(conf), "-bt", "x@one.example"])
        assert rc == 0, err
        got = re.findall(r"^  host (\S+) ", out, re.M)
        assert sorted(got) == hosts
        orders.add(tuple(got))
    assert len(orders) > 1  # 30 equal shuffles of 5 hosts: chance 120**-29


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def deliver(tern_bin, tmp_path, routers, transports, rcpts):
    spool = str(tmp_path / "spool")
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, f"begin routers\n{routers}\nbegin transports\n{transports}"))
    mid = write_message(spool, rcpts)
    rc, _, err = run(tern_bin, ["-C", str(conf), "-M", mid])
    assert rc == 0, err
    return mainlog(spool)


def test_affix_variables_reach_the_transport(tern_bin, tmp_path, pub):
    log = deliver(tern_bin, tmp_path, """users:
  driver = accept
  local_part_prefix = *+
  local_part_suffix = -*
  local_parts = tern
  address_data = data-$local_part
  transport = mbox
  user = tern
""", f"""mbox:
  driver = appendfile
  file = {pub}/${{local_part_prefix}}_${{local_part_prefix_v}}_${{local_part}}_${{local_part_suffix}}_${{local_part_suffix_v}}_$address_data
""", ["a+b+Tern-x-y@test.example"])
    assert log == ["=> tern <a+b+Tern-x-y@test.example> R=users T=mbox", "Completed"]
    assert os.listdir(pub) == ["a+b+_a+b_tern_-x-y_x-y_data-tern"]


def test_cannot_route_message_in_log(tern_bin, tmp_path, pub):
    log = deliver(tern_bin, tmp_path, """nobody:
  driver = accept
  local_parts = nobody-here
  cannot_route_message = no such user: $local_part
  transport = mbox
""", f"mbox:\n  driver = appendfile\n  file = {pub}/x\n", ["who@test.example"])
    assert log[0] == "** who@test.example: no such user: who"


@pytest.mark.parametrize("initgroups,tuser,want", [
    (True, "", "104 103"), (False, "", "104"), (True, "  user = postgres\n", "104")])
def test_initgroups(tern_bin, tmp_path, pub, initgroups, tuser, want):
    """the router's initgroups gives the user's supplementary groups, unless
    the transport sets the user itself"""
    try:
        import pwd
        pw = pwd.getpwnam("postgres")
        groups = subprocess.run(["id", "-G", "postgres"], capture_output=True, text=True).stdout.split()
    except KeyError:
        pytest.skip("no postgres user")
    if len(groups) < 2:
        pytest.skip("postgres has no supplementary group")
    want = want.replace("104", str(pw.pw_gid)).replace("103", groups[1])
    log = deliver(tern_bin, tmp_path, f"""run:
  driver = accept
  local_parts = run
  user = postgres
{"  initgroups" if initgroups else "  no_initgroups"}
  transport = pipe
""", f"""pipe:
  driver = pipe
  command = /bin/sh -c "id -G > {pub}/groups"
{tuser}""", ["run@test.example"])
    assert log == ["=> run <run@test.example> R=run T=pipe", "Completed"]
    assert open(os.path.join(pub, "groups")).read().split() == want.split()


def test_verify_recipient_replies(tern_bin, exim_oracle, tmp_path):
    """ACL "verify = recipient": cannot_route_message (of the last router
    considered) and :fail: texts are the 550 replies, deferrals a 451, as
    Exim's (-bh)"""
    conf = tmp_path / "c.conf"
    conf.write_text(spool_config(str(tmp_path / "spool"), """acl_smtp_rcpt = rcpt
begin acl
rcpt:
  require verify = recipient
  accept
begin routers
f:
  driver = redirect
  local_parts = f
  allow_fail
  data = :fail: gone away
d:
  driver = redirect
  local_parts = d
  data = ${lookup{x}lsearch{/nonexistent}}
users:
  driver = accept
  local_parts = tern
  cannot_route_message = Unknown user $local_part
  transport = t
begin transports
t:
  driver = appendfile
  file = /dev/null
"""))
    session = ("HELO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<nobody@test.example>\r\n"
               "RCPT TO:<f@test.example>\r\nRCPT TO:<d@test.example>\r\nRCPT TO:<tern@test.example>\r\nQUIT\r\n")
    _, eout, _ = exim_oracle(["-C", str(conf), "-bh", "127.0.0.1"], input=session)
    p = subprocess.run([tern_bin, "-C", str(conf), "-bh", "127.0.0.1"], input=session,
                       capture_output=True, text=True, timeout=30)

    def replies(out):
        return [line for line in out.splitlines() if line[:3].isdigit() and not line.startswith("220")]
    assert replies(p.stdout) == replies(eout)
    assert replies(p.stdout)[2:6] == ["550 Unknown user nobody", "550 gone away",
                                      "451 Temporary local problem - please try later", "250 Accepted"]
