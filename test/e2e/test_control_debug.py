"""control = debug (Exim 4.96): debug output from an ACL into
<log directory>/debuglog<tag>, with opts=, stop, kill, pretrigger= and
trigger=; refused options are ACL errors."""
import os

import pytest

CONF = """\
primary_hostname = test.example
spool_directory = {d}/spool
log_file_path = {d}/%slog
acl_smtp_helo = ahelo
acl_smtp_mail = amail
begin acl
ahelo:
  accept control = {helo}
amail:
  accept {mail}
begin routers
begin transports
"""
DIALOGUE = "HELO x.example\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n"


def session(run_tern, tmp_path, helo, mail="", args=("-bs",)):
    os.chmod(tmp_path, 0o777)
    conf = tmp_path / "conf"
    conf.write_text(CONF.format(d=tmp_path, helo=helo, mail=mail))
    rc, out, err = run_tern(["-C", str(conf), *args], input=DIALOGUE)
    return out, sorted(f for f in os.listdir(tmp_path) if f.startswith("debuglog"))


def test_tag_and_opts(run_tern, tmp_path):
    out, files = session(run_tern, tmp_path, "debug/tag=.$sender_helo_name/opts=+expand", "condition = ${if eq{1}{1}}")
    assert files == ["debuglog.x.example"]
    text = (tmp_path / files[0]).read_text()
    assert "expanding: ${if eq{1}{1}}\n" in text and "   result: true\n" in text
    assert "250 OK\n" in out


def test_kill_removes_the_file(run_tern, tmp_path):
    _, files = session(run_tern, tmp_path, "debug/opts=+expand", "control = debug/kill")
    assert files == []


def test_stop_keeps_the_file_and_ends_output(run_tern, tmp_path):
    _, files = session(run_tern, tmp_path, "debug/opts=+expand", "control = debug/stop\n  condition = ${if eq{2}{2}}")
    assert files == ["debuglog"]
    assert "eq{2}{2}" not in (tmp_path / "debuglog").read_text()


def test_pretrigger_holds_output_until_triggered(run_tern, tmp_path):
    _, files = session(run_tern, tmp_path, "debug/opts=+expand/pretrigger=100000", "condition = ${if eq{3}{3}}")
    assert files == ["debuglog"] and (tmp_path / "debuglog").read_text() == ""
    (tmp_path / "debuglog").unlink()
    _, files = session(run_tern, tmp_path, "debug/opts=+expand/pretrigger=100000",
                       "condition = ${if eq{3}{3}}\n  control = debug/trigger=now")
    assert "eq{3}{3}" in (tmp_path / "debuglog").read_text()


def test_pretrigger_keeps_the_newest_bytes(run_tern, tmp_path):
    _, _ = session(run_tern, tmp_path, "debug/opts=+expand/pretrigger=40",
                   "condition = ${if eq{4}{4}}\n  control = debug/trigger=now")
    text = (tmp_path / "debuglog").read_text()
    assert 0 < len(text) <= 40


def test_unknown_options_are_ignored(run_tern, tmp_path):
    out, files = session(run_tern, tmp_path, "debug/bogus")
    assert files == ["debuglog"] and "250 OK\n" in out


@pytest.mark.parametrize("bad", ["debug/tag=..x", "debug/pretrigger=0", "debug/pretrigger=x"])
def test_bad_options_are_acl_errors(run_tern, tmp_path, bad):
    out, files = session(run_tern, tmp_path, bad)
    assert "451 Temporary local problem - please try later\n" in out
    assert files == []


def test_host_checking_writes_no_file(run_tern, tmp_path):
    _, files = session(run_tern, tmp_path, "debug/opts=+expand", args=("-bh", "192.0.2.1"))
    assert files == []
