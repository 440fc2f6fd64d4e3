"""test_pipe_options.py - pipe transport options about the command's exit
and output: return_output, return_fail_output, ignore_status,
log_output, freeze_exec_fail, and the wording of status failures. The
bounces are parsed with Python's email module; each case also runs on
the Exim 4.96 oracle (where installed) and the files (mailboxes and
bounces, dates and ids masked) must be the same."""
import email

from oracle_deliver import SENDER_BOX, accept_conf, deliver_both


def conf(transports, local_parts):
    return accept_conf(local_parts + " : sender", SENDER_BOX + transports)


def pipe(name, command, opts=""):
    return f"t_{name}:\n  driver = pipe\n  command = {command}\n  user = tern\n{opts}\n"


def bounce_text(r):
    """the text part of the one bounce delivered to the sender"""
    box = r.files["bounces"]
    assert box.count("\nFrom MAILER-DAEMON") == 0 and box.startswith("From MAILER-DAEMON DATE\n")
    msg = email.message_from_string(box.split("\n", 1)[1])
    assert msg["Subject"] == "Mail delivery failed: returning message to sender"
    part = msg.get_payload()[0] if msg.is_multipart() else msg
    return msg, part.get_payload()


INTRO = ("This message was created automatically by mail delivery software.\n\n"
         "A message that you sent could not be delivered to one or more of its\n"
         "recipients. This is a permanent error. The following address(es) failed:\n\n")


def test_return_output_fails_and_returns_the_output(tern_bin, tmp_path):
    body = conf(pipe("ro", "/bin/sh -c 'echo out-ro; echo line2'", "  return_output")
                + pipe("quiet", "/bin/true", "  return_output"), "ro : quiet")
    r = deliver_both(tern_bin, tmp_path, body, ["ro@test.example", "quiet@test.example"], settle="bounces",
                     same_log=False)
    assert r.log[:2] == ["** ro@test.example R=r T=t_ro: return message generated",
                         "=> quiet <quiet@test.example> R=r T=t_quiet"]  # no output: delivered
    msg, text = bounce_text(r)
    assert msg["X-Failed-Recipients"] == "ro@test.example"
    assert text == INTRO + ("  ro@test.example\n\n"
                            "The following text was generated during the delivery attempt:\n\n"
                            "------ ro@test.example ------\n\nout-ro\nline2\n")


def test_return_fail_output(tern_bin, tmp_path):
    body = conf(pipe("rfo", "/bin/sh -c 'echo out-rfo; exit 1'", "  return_fail_output")
                + pipe("ok", "/bin/sh -c 'echo fine'", "  return_fail_output"), "rfo : ok")
    r = deliver_both(tern_bin, tmp_path, body, ["rfo@test.example", "ok@test.example"], settle="bounces",
                     same_log=False)
    # the log names the program (argv[0]), never the output
    assert r.log[:2] == ["** rfo@test.example R=r T=t_rfo: Child process of t_rfo transport returned 1 "
                         "from command: /bin/sh",
                         "=> ok <ok@test.example> R=r T=t_ok"]
    msg, text = bounce_text(r)
    assert text == INTRO + ("  rfo@test.example\n    local delivery failed\n\n"
                            "The following text was generated during the delivery attempt:\n\n"
                            "------ rfo@test.example ------\n\nout-rfo\n")


def test_status_failure_bounce_hides_the_command(tern_bin, tmp_path):
    body = conf(pipe("sh", "exit 2", "  use_shell"), "sh")
    r = deliver_both(tern_bin, tmp_path, body, ["sh@test.example"], settle="bounces", same_log=False)
    assert r.log[0] == "** sh@test.example R=r T=t_sh: Child process of t_sh transport returned 2 from command: /bin/sh"
    assert bounce_text(r)[1] == INTRO + "  sh@test.example\n    local delivery failed\n"


def test_ignore_status_and_log_output(tern_bin, tmp_path):
    body = conf(pipe("ign", "/bin/sh -c 'exit 3'", "  ignore_status")
                + pipe("lo", "/bin/sh -c 'echo logged-line; echo second'", "  log_output")
                + pipe("lf", "/bin/sh -c 'echo why; exit 1'", "  log_fail_output")
                + pipe("t75", "/bin/sh -c 'exit 75'"), "ign : lo : lf : t75")
    r = deliver_both(tern_bin, tmp_path, body, [f"{x}@test.example" for x in ("ign", "lo", "lf", "t75")],
                     settle="bounces", same_log=False)
    assert r.log[:6] == [
        "=> ign <ign@test.example> R=r T=t_ign",
        "<lo@test.example>: t_lo transport output: logged-line",
        "=> lo <lo@test.example> R=r T=t_lo",
        "<lf@test.example>: t_lf transport output: why",
        "** lf@test.example R=r T=t_lf: Child process of t_lf transport returned 1 from command: /bin/sh",
        "== t75@test.example R=r T=t_t75 defer (-1): Child process of t_t75 transport returned 75 "
        "(could mean temporary error) from command: /bin/sh"]


def test_freeze_exec_fail(tern_bin, tmp_path):
    body = conf(pipe("fx", "/nonexistent/cmd arg1", "  freeze_exec_fail") + pipe("fxno", "/nonexistent/cmd"),
                "fx : fxno")
    r = deliver_both(tern_bin, tmp_path, body, ["fx@test.example", "fxno@test.example"], settle="bounces",
                     same_log=False)
    assert r.log[:2] == [
        '== fx@test.example R=r T=t_fx defer (-1): pipe process failed to exec "/nonexistent/cmd arg1"',
        "** fxno@test.example R=r T=t_fxno: Child process of t_fxno transport returned 127 (could mean "
        "unable to exec or command does not exist) from command: /nonexistent/cmd"]
    assert "Frozen" in r.log
    hdr = open(r.spool + "/input/" + [f for f in __import__("os").listdir(r.spool + "/input") if f.endswith("-H")][0]).read()
    assert "\n-frozen " in hdr


def test_command_expansion_failure(tern_bin, tmp_path):
    body = conf(pipe("x", "/bin/sh -c 'kill -9 $$'"), "x")
    r = deliver_both(tern_bin, tmp_path, body, ["x@test.example"], same_log=False)
    # Exim 4.96 logs "defer (0)" here; Tern's log shows -1 for an unset errno
    assert r.log == ["== x@test.example R=r T=t_x defer (-1): Expansion of \"kill -9 $$\" from command "
                     "\"/bin/sh -c 'kill -9 $$'\" in t_x transport failed: $ not followed by letter, digit, or {"]
