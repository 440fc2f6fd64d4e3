"""test_delay_warning_options.py - delay warnings and frozen-message
timeouts: the default warning text (one and several addresses),
warn_message_file, delay_warning_condition, errors_reply_to on
warnings, timeout_frozen_after. A message spooled two hours back is
deferred by a pipe that exits 75; the warning reaches the sender's
mailbox and is parsed with Python's email module. Where the Exim 4.96
oracle is installed it runs the same configuration and what it writes
must be the same (dates, ids, boundaries, the MTA's name masked)."""
import email

from oracle_deliver import SENDER_BOX, accept_conf, deliver_both

CONF = accept_conf("slow : slow2 : sender", SENDER_BOX + """t_slow:
  driver = pipe
  command = /bin/sh -c 'exit 75'
  user = tern
t_slow2:
  driver = pipe
  command = /bin/sh -c 'exit 75'
  user = tern
""", retry="* * F,5d,1h")
TWO_HOURS = 7300


def warned(tern_bin, tmp_path, main, rcpts=("slow@test.example",), settle="bounces"):
    r = deliver_both(tern_bin, tmp_path, CONF, list(rcpts), extra_main="delay_warning = 1h\n" + main,
                     age=TWO_HOURS, settle=settle, same_log=False)
    if "bounces" not in r.files:
        return r, None
    return r, email.message_from_string(r.files["bounces"].split("\n", 1)[1])


TAIL = ("No action is required on your part. Delivery attempts will continue for\n"
        "some time, and this warning may be repeated at intervals if the message\n"
        "remains undelivered. Eventually the mail delivery software will give up,\n"
        "and when that happens, the message will be returned to you.\n")


def test_default_warning_one_address(tern_bin, tmp_path):
    r, msg = warned(tern_bin, tmp_path, "")
    assert msg["Subject"].startswith("Warning: message ") and msg["Subject"].endswith(" delayed 2 hours")
    text = msg.get_payload()[0].get_payload()
    assert text.startswith("This message was created automatically by mail delivery software.\n"
                           "A message that you sent has not yet been delivered to one or more of its\n"
                           "recipients after more than 2 hours on the queue on test.example.\n\n")
    assert ("The subject of the message is: test\n\n"
            "The address to which the message has not yet been delivered is:\n\n"
            "  slow@test.example\n    Delay reason: local delivery failed\n\n" + TAIL) in text
    types = [p.get_content_type() for p in msg.get_payload()]
    assert types == ["text/plain", "message/delivery-status", "text/rfc822-headers"]


def test_default_warning_two_addresses(tern_bin, tmp_path):
    r, msg = warned(tern_bin, tmp_path, "", rcpts=("slow@test.example", "slow2@test.example"))
    text = msg.get_payload()[0].get_payload()
    assert ("The addresses to which the message has not yet been delivered are:\n\n"
            "  slow2@test.example\n    Delay reason: local delivery failed\n"
            "  slow@test.example\n    Delay reason: local delivery failed\n") in text


def test_delay_warning_condition_and_reply_to(tern_bin, tmp_path):
    r, msg = warned(tern_bin, tmp_path, "delay_warning_condition = ${if eq{$h_subject:}{test}{no}{yes}}",
                    settle=None)
    assert msg is None and not any(line.startswith("<= <>") for line in r.log)
    r, msg = warned(tern_bin, tmp_path, "errors_reply_to = help@test.example")
    assert [k for k, _ in msg.items()][1:4] == ["Reply-To", "Auto-Submitted", "From"]


def test_warn_message_file(tern_bin, tmp_path):
    tmpl = tmp_path / "warn.tmpl"
    tmpl.write_text("Subject: still waiting ($warn_message_delay)\n****\n"
                    "Your message to $warn_message_recipients is late.\n****\nWe keep trying.\n")
    tmpl.chmod(0o644)
    tmp_path.chmod(0o755)
    r, msg = warned(tern_bin, tmp_path, f"warn_message_file = {tmpl}")
    assert msg["Subject"] == "still waiting (2 hours)"
    text = msg.get_payload()[0].get_payload()
    assert text == ("Your message to sender@x.example is late.\n\n"
                    "  slow@test.example\n    Delay reason: local delivery failed\n\nWe keep trying.\n")


def test_timeout_frozen_after(tern_bin, tmp_path):
    r = deliver_both(tern_bin, tmp_path, CONF, ["slow@test.example"], extra_main="timeout_frozen_after = 1h",
                     age=TWO_HOURS, frozen=True, args=("-q",), settle="bounces", same_log=False)
    assert r.log[:3] == [r.log[0], "cancelled by timeout_frozen_after", r.log[2]]
    assert r.log[0].startswith("Start queue run") and r.log[2].startswith("<= <> R=")
    msg = email.message_from_string(r.files["bounces"].split("\n", 1)[1])
    assert msg["X-Failed-Recipients"] == "slow@test.example"
    assert "failed:\n\n  slow@test.example\n" in msg.get_payload()[0].get_payload()
    # not yet past the timeout: the message stays frozen, untouched
    (tmp_path / "later").mkdir()
    r = deliver_both(tern_bin, tmp_path / "later", CONF, ["slow@test.example"],
                     extra_main="timeout_frozen_after = 3h", age=TWO_HOURS, frozen=True, args=("-q",),
                     same_log=False)
    assert [line.split(":")[0] for line in r.log] == ["Start queue run", "Message is frozen", "End queue run"]
    assert r.files == {}


def test_auto_thaw(tern_bin, tmp_path):
    # frozen a minute ago, auto_thaw 30s: a queue run thaws and tries it
    r = deliver_both(tern_bin, tmp_path, CONF, ["slow@test.example"], extra_main="auto_thaw = 30s",
                     age=100, frozen=True, args=("-q",), same_log=False)
    assert r.log[1:3] == ["Unfrozen by auto-thaw",
                          "== slow@test.example R=r T=t_slow defer (-1): Child process of t_slow transport "
                          "returned 75 (could mean temporary error) from command: /bin/sh"]
