"""gen_smtp_golden.py - regenerate smtp_golden.py from Debian's Exim 4.96.

Not run by the test suite: run it by hand where /usr/sbin/exim4 exists.
Each case is (name, extra config, command-line args, input bytes); the
oracle's stdout and its LOG: lines (stderr without the >>> debug lines)
are recorded with ids and dates masked. STARTTLS is left out of the cases:
its handshake needs a real peer (test_smtp_tls.py covers it).
"""
import os
import pprint
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtp_util import mask  # noqa: E402

R = "acl_smtp_rcpt = accept"
A40 = "a " * 40
CASES = [
    ("helo_errors_and_addresses", R, ["-bh", "1.2.3.4"],
     b"HELO\r\nEHLO foo\r\nMAIL FROM:<a@b.c> SIZE=100 BODY=8BITMIME\r\nRCPT TO:<@r1,@r2:x@y.z>\r\n"
     b"RCPT TO:<\"q x\"@y.z>\r\nRCPT TO:<>\r\nRCPT TO:<x@>\r\nRCPT TO: x@y.z\r\nRCPT TO:<x>\r\n"
     b"RCPT TO:x@y.z FOO=bar\r\nMAIL FROM:<>\r\nRSET\r\n"),
    ("ehlo_extensions_dsn_etrn", R + "\nacl_smtp_etrn = accept\nacl_smtp_expn = accept\n"
     "acl_smtp_vrfy = accept\ndsn_advertise_hosts = *\nmessage_size_limit = 0\nrecipients_max = 2",
     ["-bh", "1.2.3.4"],
     b"EHLO foo\r\nHELP\r\nETRN x\r\nVRFY a@b\r\nEXPN a@b\r\nMAIL FROM:<a@b.c> RET=HDRS ENVID=abc+2Bd\r\n"
     b"RCPT TO:<x@y.z> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+40y.z\r\n"
     b"RCPT TO:<x@y.z> NOTIFY=NEVER,FAILURE\r\nRCPT TO:<x2@y.z>\r\nRCPT TO:<x3@y.z>\r\n"
     b"BDAT 3\r\nabcBDAT 0 LAST\r\nQUIT\r\n"),
    ("message_too_big", R + "\nmessage_size_limit = 200", ["-bh", "1.2.3.4"],
     b"HELO foo\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: x\r\n\r\n"
     + (b"0123456789" * 10 + b"\r\n") * 3 + b".\r\nQUIT\r\n"),
    ("message_accepted", R, ["-bh", "1.2.3.4"],
     b"HELO foo\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n"),
    ("synprot_limit", R, ["-bh", "1.2.3.4"],
     b"HELO foo\r\nNOOP\r\nMAIL FROM:<a@b.c> SIZE=5000\r\nX1\r\nX2\r\nX3\r\nX4\r\nQUIT\r\n"),
    ("sender_already_given", R, ["-bh", "1.2.3.4"],
     b"HELO foo\r\nHELO bar\r\nMAIL FROM:<a@b.c>\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nQUIT\r\n"),
    ("connect_deny", "acl_smtp_connect = deny", ["-bh", "1.2.3.4"], b"HELO foo\r\nQUIT\r\n"),
    ("connect_drop_message", "acl_smtp_connect = drop message = go away", ["-bh", "1.2.3.4"],
     b"HELO foo\r\nQUIT\r\n"),
    ("rcpt_drop", "acl_smtp_rcpt = drop", ["-bh", "1.2.3.4"],
     b"EHLO foo\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nQUIT\r\n"),
    ("rcpt_defer", "acl_smtp_rcpt = defer", ["-bh", "1.2.3.4"],
     b"EHLO foo\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nQUIT\r\n"),
    ("mail_deny_custom_code", "acl_smtp_mail = deny message = 599 5.1.1 custom", ["-bh", "1.2.3.4"],
     b"EHLO foo\r\nMAIL FROM:<a@b.c>\r\nQUIT\r\n"),
    ("helo_deny", "acl_smtp_helo = deny", ["-bh", "1.2.3.4"], b"EHLO foo\r\nHELO foo\r\nQUIT\r\n"),
    ("data_deny_no_rcpt_acl", "acl_smtp_data = deny", ["-bh", "1.2.3.4"],
     b"EHLO foo\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: s\r\n\r\nx\r\n.\r\nQUIT\r\n"),
    ("data_acl_deny", R + "\nacl_smtp_data = deny", ["-bh", "1.2.3.4"],
     b"EHLO foo\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: s\r\n\r\nx\r\n.\r\nQUIT\r\n"),
    ("predata_deny", R + "\nacl_smtp_predata = deny", ["-bh", "1.2.3.4"],
     b"EHLO foo\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nQUIT\r\n"),
    ("rcpt_before_mail", "", ["-bh", "1.2.3.4"],
     b"HELO foo\r\nRCPT TO:<a@b>\r\nDATA\r\nVRFY\r\nQUIT\r\n"),
    ("unknown_commands", "", ["-bh", "1.2.3.4"], b"HELO foo\r\nFOO\r\nBAR\r\nBAZ\r\nQUX\r\n"),
    ("mail_params", "", ["-bh", "1.2.3.4"],
     b"EHLO foo\r\nMAIL FROM:<a@b.c> XYZ=1\r\nMAIL FROM:<x>\r\nMAIL FROM:<a@b.c> SIZE=99999999999\r\n"
     b"MAIL FROM:<a@b.c> BODY=FOO\r\nQUIT\r\n"),
    ("nul_and_8bit", "", ["-bh", "1.2.3.4"],
     b"HELO foo\r\nNOOP a\0b\r\nMAIL FROM:<a\xe9@b.c>\r\nQUIT\r\n"),
    ("long_line", "", ["-bh", "1.2.3.4"], b"HELO foo\r\n" + b"X" * 20000 + b"\r\nNOOP\r\nQUIT\r\n"),
    ("bs_two_messages", R, ["-bs"],
     b"HELO foo\r\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\nDATA\r\nFrom: me\r\n\r\nhi\r\n.\r\nEHLO bar\r\n"
     b"MAIL FROM:<a@b.c>\r\nRCPT TO:<y@z.z>\r\nRCPT TO:<y2@z.z>\r\nDATA\r\nSubject: s\r\n"
     b"Message-ID: <abc@d>\r\n\r\nhi\r\n..dot\r\n.\r\nVRFY x\r\nEXPN x\r\nETRN x\r\nHELP\r\nNOOP\r\n"
     b"RSET\r\nFOO\r\nQUIT\r\n"),
    ("helo_chars_unqualified_banner", R + "\nhelo_allow_chars = _\nsender_unqualified_hosts = 1.2.3.4\n"
     "recipient_unqualified_hosts = 1.2.3.4\nsmtp_banner = my banner here\n"
     "smtp_max_synprot_errors = 1\nsmtp_max_unknown_commands = 1", ["-bh", "1.2.3.4"],
     b"EHLO foo_bar\r\nEHLO x_y\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nQUIT\r\n"),
    ("helo_accept_junk", "helo_accept_junk_hosts = 1.2.3.4", ["-bh", "1.2.3.4"],
     b"EHLO foo_bar\r\nMAIL FROM:<a@b>\r\nQUIT\r\n"),
    ("synprot_max_one", "smtp_max_synprot_errors = 1\nsmtp_max_unknown_commands = 5",
     ["-bh", "1.2.3.4"], b"EHLO foo\r\nX\r\nY\r\n"),
    ("bs_oM_flags", R, ["-bs", "-oMa", "10.0.0.1", "-oMr", "testproto", "-oMs", "host.name",
                        "-oMt", "idt"],
     b"EHLO foo\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: s\r\n\r\nb\r\n.\r\n"
     b"QUIT\r\n"),
    ("bm_dot_ends", "", ["-bm", "a@b.c", "y"], b"Subject: hi\n\nbody\n.\nmore\n"),
    ("t_extract", "", ["-t", "-i"],
     b"To: a@b.c, Name <c@d.e>\nBcc: z@y\nSubject: hi\n\nbody\n.\nmore\n"),
    ("eof_in_body", R, ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: s\r\n\r\nbody\r\n"),
    ("eof_in_header", R, ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: s\r\n"),
    ("eof_before_header", R, ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n"),
    ("eof_no_quit", "", ["-bh", "1.2.3.4"], b"EHLO x\r\n"),
    ("bs_eof_no_quit", "", ["-bs"], b"EHLO x\r\n"),
    ("bs_no_rcpt_acl", "", ["-bs"],
     b"HELO foo\r\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"),
    # ---- the reception audit (test/e2e/README.md, "Option -> test")
    ("quit_acl_message", R + "\nacl_smtp_quit = acl_q\nbegin acl\nacl_q:\n  accept logwrite = quit: "
     "$smtp_command\n         message = see you", ["-bh", "1.2.3.4"], b"EHLO x\r\nQUIT\r\n"),
    ("notquit_acl_eof", R + "\nacl_smtp_notquit = acl_nq\nbegin acl\nacl_nq:\n  warn logwrite = "
     "notquit: $smtp_notquit_reason", ["-bh", "1.2.3.4"], b"EHLO x\r\nMAIL FROM:<a@b.c>\r\n"),
    ("etrn_acl", "acl_smtp_etrn = acl_e\nbegin acl\nacl_e:\n  deny condition = ${if eq{$smtp_command_argument}"
     "{#bad}}\n       message = no etrn for $smtp_command_argument\n  accept", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nETRN #bad\r\nETRN good.example\r\nETRN\r\nQUIT\r\n"),
    ("vrfy_expn_acls", "acl_smtp_vrfy = acl_v\nacl_smtp_expn = acl_x\nbegin acl\nacl_v:\n  deny message = "
     "no vrfy\nacl_x:\n  accept", ["-bh", "1.2.3.4"], b"EHLO x\r\nVRFY a@b\r\nEXPN list\r\nQUIT\r\n"),
    ("vrfy_expn_no_acls", "", ["-bh", "1.2.3.4"], b"EHLO x\r\nVRFY a@b\r\nEXPN list\r\nQUIT\r\n"),
    ("active_hostname", R + "\nsmtp_active_hostname = active.example", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nHELO y\r\nFOO\r\nQUIT\r\n"),
    ("recipients_max_reject", R + "\nrecipients_max = 2\nrecipients_max_reject = true", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<r1@y.z>\r\nRCPT TO:<r2@y.z>\r\nRCPT TO:<r3@y.z>\r\n"
     b"QUIT\r\n"),
    ("error_details", "smtp_return_error_details = true\nacl_smtp_rcpt = acl_r\nbegin acl\nacl_r:\n"
     "  require verify = recipient\n  accept\nbegin routers\nno:\n  driver = redirect\n"
     "  allow_fail\n  data = :fail: no such user here", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nQUIT\r\n"),
    ("no_error_details", "acl_smtp_rcpt = acl_r\nbegin acl\nacl_r:\n  require verify = recipient\n"
     "  accept\nbegin routers\nno:\n  driver = redirect\n  allow_fail\n  data = :fail: no such user here",
     ["-bh", "1.2.3.4"], b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nQUIT\r\n"),
    ("control_local_part_case", "acl_smtp_rcpt = acl_r\nbegin acl\nacl_r:\n  deny local_parts = Keep\n"
     "       control = caseful_local_part\n       message = caseful $local_part\n"
     "  deny control = caselower_local_part\n       message = lower $local_part", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<Keep@y.z>\r\nRCPT TO:<MiXed@y.z>\r\nQUIT\r\n"),
    ("control_fakereject", "acl_smtp_rcpt = accept\nacl_smtp_data = acl_d\nbegin acl\nacl_d:\n"
     "  accept control = fakereject/this is not really rejected", ["-bs"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: s\r\n\r\nb\r\n.\r\n"
     b"QUIT\r\n"),
    ("control_fakedefer", "acl_smtp_rcpt = accept\nacl_smtp_data = acl_d\nbegin acl\nacl_d:\n"
     "  accept control = fakedefer", ["-bs"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: s\r\n\r\nb\r\n.\r\n"
     b"QUIT\r\n"),
    ("control_freeze_queue", "acl_smtp_rcpt = acl_r\nbegin acl\nacl_r:\n  accept local_parts = f\n"
     "         control = freeze/no_tell\n  accept control = queue_only\n"
     "         control = no_mbox_unspool", ["-bs"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<f@y.z>\r\nDATA\r\nSubject: s\r\n\r\nb\r\n.\r\n"
     b"MAIL FROM:<a@b.c>\r\nRCPT TO:<q@y.z>\r\nDATA\r\nSubject: s\r\n\r\nb\r\n.\r\nQUIT\r\n"),
    ("delay_in_bh", R + "\nacl_smtp_mail = acl_m\nbegin acl\nacl_m:\n  accept delay = 3s", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nQUIT\r\n"),
    ("log_reject_target", "acl_smtp_rcpt = acl_r\nbegin acl\nacl_r:\n  deny local_parts = quiet\n"
     "       log_reject_target =\n  deny local_parts = rej\n       log_reject_target = reject\n"
     "  deny", ["-bs"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<quiet@y.z>\r\nRCPT TO:<rej@y.z>\r\nRCPT TO:<main@y.z>\r\n"
     b"QUIT\r\n"),
    ("endpass", "acl_smtp_rcpt = acl_r\nbegin acl\nacl_r:\n  accept local_parts = a : b\n         endpass\n"
     "         local_parts = a\n         message = endpass reached\n  accept", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<a@y.z>\r\nRCPT TO:<b@y.z>\r\nRCPT TO:<c@y.z>\r\nQUIT\r\n"),
    ("data_variables", R + "\nacl_smtp_data = acl_d\nbegin acl\nacl_d:\n  deny message = lines=$body_linecount "
     "size=$message_size rcpts=$recipients end=${sg{$message_body_end}{\\n}{|}}", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<x2@y.z>\r\nDATA\r\nSubject: s\r\n\r\n"
     b"one\r\ntwo\r\nthree\r\n.\r\nQUIT\r\n"),
    ("bare_cr_lf", R + "\nacl_smtp_data = acl_d\nbegin acl\nacl_d:\n  deny message = lines=$body_linecount "
     "body=${sg{${sg{$message_body}{\\r}{<CR>}}}{\\n}{<LF>}}", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: s\r\n\r\n"
     b"a\rb\r\nc\nd\r\n\r\n.\r\nQUIT\r\n"),
    ("error_details_defer", "smtp_return_error_details = true\nacl_smtp_rcpt = acl_r\nbegin acl\n"
     "acl_r:\n  require verify = recipient\n  accept\nbegin routers\nno:\n  driver = redirect\n"
     "  data = :fail: no such user here", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nQUIT\r\n"),
    ("no_chunking_advertised", R + "\nchunking_advertise_hosts =", ["-bh", "1.2.3.4"],
     b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nBDAT 3 LAST\r\nabcQUIT\r\n"),
    ("not_smtp_start_deny", "acl_not_smtp_start = deny message = no local mail", ["-bm", "a@b.c"],
     b"Subject: hi\n\nbody\n"),
    ("not_smtp_deny", "acl_not_smtp = acl_n\nbegin acl\nacl_n:\n  deny message = lines=$body_linecount",
     ["-bm", "-oep", "a@b.c"], b"Subject: hi\n\nbody\nmore\n"),
    ("auth_acl_deny", "acl_smtp_auth = acl_a\nbegin acl\nacl_a:\n  deny message = no $smtp_command_argument"
     "\nbegin authenticators\nplain:\n  driver = plaintext\n  public_name = PLAIN\n  server_condition = yes",
     ["-bh", "1.2.3.4"], b"EHLO x\r\nAUTH PLAIN AHVzZXIAcGFzcw==\r\nQUIT\r\n"),
    ("smtp_command_variables", "acl_smtp_mail = acl_m\nacl_smtp_rcpt = acl_r\nacl_smtp_data = acl_d\n"
     "acl_smtp_predata = acl_p\nbegin acl\nacl_m:\n  warn logwrite = m [$smtp_command] [$smtp_command_argument]"
     "\n  accept\nacl_r:\n  warn logwrite = r [$smtp_command] [$smtp_command_argument]\n  accept\n"
     "acl_p:\n  warn logwrite = p [$smtp_command]\n  accept\nacl_d:\n  deny message = d [$smtp_command]",
     ["-bh", "1.2.3.4"], b"EHLO x\r\nMAIL FROM:<a@b.c> SIZE=10\r\nRCPT TO:<x@y.z>\r\nDATA\r\n"
     b"Subject: s\r\n\r\nb\r\n.\r\nQUIT\r\n"),
    ("bhc_mode", R, ["-bhc", "1.2.3.4"], b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nQUIT\r\n"),
    ("long_messages_wrapped", "acl_smtp_rcpt = acl_r\nacl_smtp_mail = deny message = 550 5.7.1 %s\n"
     "begin acl\nacl_r:\n  deny message = 550 5.7.1 %s" % (A40 * 2, A40 * 2),
     ["-bh", "1.2.3.4"], b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nQUIT\r\n"),
    ("wrong_first_digit", "acl_smtp_mail = deny message = 451 4.3.0 not a 5xx code",
     ["-bh", "1.2.3.4"], b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nQUIT\r\n"),
    ("rcpt_message_wrapped", "acl_smtp_rcpt = acl_r\nbegin acl\nacl_r:\n  deny message = 550 5.7.1 %s" % (A40 * 2),
     ["-bh", "1.2.3.4"], b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nQUIT\r\n"),
]


def run(name, conf, args, data):
    d = tempfile.mkdtemp()
    with open(d + "/conf", "w") as f:
        f.write("primary_hostname = test.example\nspool_directory = %s/spool\n"
                "log_file_path = %s/%%slog\nexim_user = root\nexim_group = root\n"
                "keep_environment =\n%s\n" % (d, d, conf))
    p = subprocess.run(["/usr/sbin/exim4", "-C", d + "/conf", "-odq"] + args, input=data,
                       capture_output=True)
    err = b"\n".join(l for l in p.stderr.splitlines() if not l.startswith(b">>>"))
    log = b""
    if os.path.exists(d + "/mainlog"):
        with open(d + "/mainlog", "rb") as f:
            log = b"\n".join(l[20:] for l in f.read().splitlines()
                             if b"environment" not in l and b"keep_environment" not in l)
    return {"name": name, "conf": conf, "args": args, "input": data, "out": mask(p.stdout),
            "err": mask(err), "mainlog": mask(log)}


if __name__ == "__main__":
    cases = [run(*c) for c in CASES]
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp_golden.py"), "w") as f:
        f.write('"""smtp_golden.py - Exim 4.96 dialogues recorded by gen_smtp_golden.py."""\n')
        f.write("CASES = " + pprint.pformat(cases, width=100) + "\n")
