"""test_redirect_options.py - the redirect router's options: forbid_pipe,
forbid_file, forbid_include, forbid_blackhole, pipe/file transports left
unset, check_ancestor, qualify_preserve_domain, qualify_domain,
skip_syntax_errors, plus -bt's order and duplicate marking, NULs and
quotes in redirection data; compared byte for byte with Exim 4.96, then
checked in real deliveries. (allow_pipe and allow_file are not 4.96
options: both reject them.)"""
import os

import pytest

from delivery_util import mainlog, run, spool_config, write_message
from router_cases import REDIRECT, config, redirect_files, stderr_lines
from test_router_generic import differential, pub  # noqa: F401 (fixture)


@pytest.mark.parametrize("mode", ["-bt", "-bv"])
@pytest.mark.parametrize("case", sorted(REDIRECT))
def test_matches_exim(tern_bin, exim_oracle, tmp_path, case, mode):
    redirect_files(tmp_path)
    differential(tern_bin, exim_oracle, tmp_path, *REDIRECT[case], mode)


@pytest.mark.parametrize("option", ["allow_pipe", "allow_file"])
def test_no_allow_pipe_or_file(tern_bin, exim_oracle, tmp_path, option):
    conf = tmp_path / "c.conf"
    conf.write_text(config(tmp_path, f"r:\n  driver = redirect\n  {option}\n  data = x\n"))
    erc, _, eerr = exim_oracle(["-C", str(conf), "-bt", "x"])
    trc, _, terr = run(tern_bin, ["-C", str(conf), "-bt", "x"])
    assert trc == erc == 1
    assert f'option "{option}" unknown' in terr and f'option "{option}" unknown' in eerr


def deliver(tern_bin, tmp_path, pub, routers, rcpts):
    spool = str(tmp_path / "spool")
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, f"""begin routers
{routers}
users:
  driver = accept
  local_parts = tern : other
  transport = mbox
  user = tern
begin transports
mbox:
  driver = appendfile
  file = {pub}/$local_part
  user = tern
file:
  driver = appendfile
  user = tern
pipe:
  driver = pipe
  user = tern
"""))
    mid = write_message(spool, rcpts)
    rc, _, err = run(tern_bin, ["-C", str(conf), "-M", mid])
    assert rc == 0, err
    return mainlog(spool), mid, spool


def test_forbidden_pipe_and_file_fail_at_delivery(tern_bin, tmp_path, pub):
    log, _, _ = deliver(tern_bin, tmp_path, pub, f"""fwd:
  driver = redirect
  local_parts = fwd
  forbid_pipe
  forbid_file
  pipe_transport = pipe
  file_transport = file
  data = |/bin/cat, {pub}/saved, tern
nopt:
  driver = redirect
  local_parts = nopt
  forbid_pipe
  data = |/bin/cat, other
""", ["fwd@test.example", "nopt@test.example"])
    assert not os.path.exists(os.path.join(pub, "saved"))
    assert f"** {pub}/saved <fwd@test.example> R=fwd T=file: delivery to file forbidden" in log
    assert "** |/bin/cat <fwd@test.example> R=fwd T=pipe: delivery to pipe forbidden" in log
    assert "** |/bin/cat <nopt@test.example> R=nopt: delivery to pipe forbidden" in log
    assert "=> tern <fwd@test.example> R=users T=mbox" in log
    assert "=> other <nopt@test.example> R=users T=mbox" in log


def test_missing_pipe_transport_defers_only_the_pipe(tern_bin, tmp_path, pub):
    log, mid, spool = deliver(tern_bin, tmp_path, pub, """fwd:
  driver = redirect
  local_parts = fwd
  data = |/bin/cat, tern
""", ["fwd@test.example"])
    assert log[:2] == ["== |/bin/cat <fwd@test.example> R=fwd defer (-30): pipe_transport unset in fwd router",
                       "=> tern <fwd@test.example> R=users T=mbox"]
    assert os.path.exists(os.path.join(spool, "input", mid + "-H"))


def test_skip_syntax_errors_logs_and_delivers_the_rest(tern_bin, tmp_path, pub):
    log, _, _ = deliver(tern_bin, tmp_path, pub, """list:
  driver = redirect
  local_parts = list
  skip_syntax_errors
  data = a@@b, tern, x y@z.example
""", ["list@test.example"])
    assert log == ['list router: skipped error: domain missing or malformed in "a@@b"',
                   'list router: skipped error: missing or malformed local part (expected word or "<") '
                   'in "x y@z.example"',
                   "=> tern <list@test.example> R=users T=mbox", "Completed"]


def test_check_ancestor_delivers_once(tern_bin, tmp_path, pub):
    """joe is aliased to tern, whose forward file points back at joe"""
    log, _, _ = deliver(tern_bin, tmp_path, pub, """alias:
  driver = redirect
  local_parts = joe
  data = tern
forward:
  driver = redirect
  local_parts = tern
  check_ancestor
  data = joe, other
""", ["joe@test.example"])
    assert sorted(log[:2]) == ["=> other <joe@test.example> R=users T=mbox",
                               "=> tern <joe@test.example> R=users T=mbox"]
    assert open(os.path.join(pub, "tern")).read().count("Subject: test") == 1


def test_syntax_errors_to(tern_bin, tmp_path, pub):
    """the skipped items are reported to syntax_errors_to, after the
    expanded syntax_errors_text, in Exim 4.96's words"""
    spool = str(tmp_path / "spool")
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, f"""begin routers
list:
  driver = redirect
  local_parts = list
  skip_syntax_errors
  syntax_errors_to = other@test.example
  syntax_errors_text = Your list $local_part has errors:
  data = a@@b, tern, x y@z.example
users:
  driver = accept
  local_parts = tern : other
  transport = mbox
begin transports
mbox:
  driver = appendfile
  file = {pub}/$local_part
  user = tern
"""))
    mid = write_message(spool, ["list@test.example"],
                        headers=["Message-Id: <orig@x.example>\n", "Subject: test\n"])
    rc, _, err = run(tern_bin, ["-C", str(conf), "-M", mid])
    assert rc == 0, err
    log = mainlog(spool)
    assert log[2].startswith(f"<= <> R={mid} U=root P=local S=")
    assert "=> other <other@test.example> R=users T=mbox" in log
    assert "=> tern <list@test.example> R=users T=mbox" in log
    import email
    report = email.message_from_string(open(os.path.join(pub, "other")).read().split("\n", 1)[1])
    assert report["From"] == "Mail Delivery System <Mailer-Daemon@test.example>"
    assert report["Subject"] == "error(s) in forwarding or filtering"
    assert report["Auto-Submitted"] == "auto-replied"
    assert report["References"] == "<orig@x.example>"
    assert report.get_payload() == """Your list list has errors:

The list router encountered the following error(s):

  domain missing or malformed in the address
  "a@@b"

  missing or malformed local part (expected word or "<") in the address
  "x y@z.example"

Other addresses were processed normally.

"""


def test_no_syntax_errors_mail_when_testing(tern_bin, tmp_path):
    """-bt logs the skipped items on stderr and sends nothing"""
    spool = tmp_path / "spool"
    conf = tmp_path / "c.conf"
    conf.write_text(spool_config(str(spool), """begin routers
list:
  driver = redirect
  skip_syntax_errors
  syntax_errors_to = other@test.example
  data = a@@b
"""))
    rc, out, err = run(tern_bin, ["-C", str(conf), "-bt", "list@test.example"])
    assert (rc, out) == (2, "list@test.example is undeliverable: syntax error in redirection data\n")
    assert err == 'LOG: MAIN\n  list router: skipped error: domain missing or malformed in "a@@b"\n'
    assert not os.path.exists(spool / "input") or os.listdir(spool / "input") == []


def test_skip_syntax_errors_abandons_a_bad_filter(tern_bin, exim_oracle, tmp_path, pub):
    """a filter with a syntax error is abandoned, logged, and the router
    declines (the error's own wording is the filter's: not compared). The
    file is where user tern can read it: Exim reads it as that user."""
    with open(os.path.join(pub, "filter"), "w") as f:
        f.write('# Exim filter\nif $h_subject: contains "x"\n  deliver tern\nendif\n')
    os.chmod(os.path.join(pub, "filter"), 0o644)
    conf = tmp_path / "c.conf"
    conf.write_text(config(tmp_path, f"""f:
  driver = redirect
  local_parts = f
  file = {pub}/filter
  allow_filter
  skip_syntax_errors
  user = tern
any:
  driver = accept
  transport = t
"""))
    erc, eout, eerr = exim_oracle(["-C", str(conf), "-bt", "f@test.example"])
    trc, tout, terr = run(tern_bin, ["-C", str(conf), "-bt", "f@test.example"])
    assert (trc, tout) == (erc, eout) == (0, "f@test.example\n  router = any, transport = t\n")
    assert terr.startswith("LOG: MAIN\n  f router: skipped error: ") and eerr.startswith(terr[:35])
