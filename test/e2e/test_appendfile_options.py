"""test_appendfile_options.py - appendfile options end to end: escaping
(check_string, escape_string), maildir_tag, quota with and without
quota_is_inclusive, quota_warn_threshold and quota_warn_message, and
locking (use_lockfile, lockfile_timeout, use_fcntl_lock,
lock_fcntl_timeout, check_owner). Each case runs on Tern and, where
installed, on the Exim 4.96 oracle with the same configuration."""
import email
import fcntl
import os
import pwd
import threading

from oracle_deliver import accept_conf, deliver_both

TERN = pwd.getpwnam("tern")
MSG = "From me\nsecond\n>From x\n.dot\n"   # $message_size 61 with the default headers
HEAD = "From: a@b.example\nSubject: test\n"


def conf(transports, local_parts):
    inbox = "t_inbox:\n  driver = appendfile\n  file = PUB/inbox\n  user = tern\n"
    return accept_conf(local_parts, inbox + transports)


def mbox(name, opts=""):
    return f"t_{name}:\n  driver = appendfile\n  file = PUB/$local_part_data\n  user = tern\n{opts}\n"


def maildir(name, opts=""):
    return (f"t_{name}:\n  driver = appendfile\n  directory = PUB/$local_part_data\n  maildir_format\n"
            f"  user = tern\n{opts}\n")


def test_check_and_escape_string(tern_bin, tmp_path):
    body = conf(mbox("esc", "  check_string = .\n  escape_string = ..X") + mbox("plain")
                + maildir("md", "  check_string = sec\n  escape_string = SEC") + maildir("mdplain"),
                "esc : plain : md : mdplain")
    r = deliver_both(tern_bin, tmp_path, body, [f"{x}@test.example" for x in ("esc", "plain", "md", "mdplain")],
                     msgbody=MSG)
    # setting check_string replaces the mbox default "From " escaping
    assert r.files["esc"] == f"From sender@x.example DATE\n{HEAD}\nFrom me\nsecond\n>From x\n..Xdot\n\n"
    assert r.files["plain"] == f"From sender@x.example DATE\n{HEAD}\n>From me\nsecond\n>From x\n.dot\n\n"
    # Maildir has no escaping unless asked for
    assert r.files["md/new/NAME"] == f"{HEAD}\nFrom me\nSECond\n>From x\n.dot\n"
    assert r.files["mdplain/new/NAME"] == f"{HEAD}\n{MSG}"


def test_maildir_tag(tern_bin, tmp_path):
    body = conf(maildir("mdt", "  maildir_tag = ,S=$message_size"), "mdt")
    r = deliver_both(tern_bin, tmp_path, body, ["mdt@test.example"], msgbody=MSG)
    assert list(r.files) == ["mdt/new/NAME,S=61"]
    assert r.log == ["=> mdt <mdt@test.example> R=r T=t_mdt", "Completed"]


def test_quota_inclusive_counts_the_message(tern_bin, tmp_path):
    body = conf(mbox("q60", "  quota = 60") + mbox("q61", "  quota = 61") + maildir("m60", "  quota = 60")
                + maildir("m61", "  quota = 61"), "q60 : q61 : m60 : m61")
    r = deliver_both(tern_bin, tmp_path, body, [f"{x}@test.example" for x in ("q60", "q61", "m60", "m61")],
                     msgbody=MSG)
    assert r.log == [
        "== q60@test.example R=r T=t_q60 defer (-22): mailbox is full "
        "(MTA-imposed quota exceeded while writing to PUB/q60)",
        "=> q61 <q61@test.example> R=r T=t_q61",
        "== m60@test.example R=r T=t_m60 defer (-22): mailbox is full "
        "(MTA-imposed quota exceeded while writing to tmp/NAME)",
        "=> m61 <m61@test.example> R=r T=t_m61"]
    assert r.files["q60"] == ""  # opened (created) before the check, as Exim does
    assert set(r.files) == {"q60", "q61", "m61/new/NAME"}


def test_quota_not_inclusive(tern_bin, tmp_path):
    def fill(pub):
        for name, size in (("under", 100), ("over", 101)):
            with open(os.path.join(pub, name), "w") as f:
                f.write("x" * size)
            os.chown(os.path.join(pub, name), TERN.pw_uid, TERN.pw_gid)
    opts = "  quota = 100\n  quota_is_inclusive = false"
    body = conf(mbox("under", opts) + mbox("over", opts), "under : over")
    r = deliver_both(tern_bin, tmp_path, body, ["under@test.example", "over@test.example"], msgbody=MSG,
                     prepare=fill)
    # only a mailbox already past the quota refuses
    assert r.log == ["=> under <under@test.example> R=r T=t_under",
                     "== over@test.example R=r T=t_over defer (-22): mailbox is full "
                     "(MTA-imposed quota exceeded while writing to PUB/over)"]
    assert r.files["over"] == "x" * 101
    assert r.files["under"].startswith("x" * 100 + "From sender@x.example DATE\n")


WARN = "  quota_warn_message = To: inbox@test.example\\nSubject: quota for $local_part\\n\\nsize $message_size\\n"


def test_quota_warn_threshold_crossed(tern_bin, tmp_path):
    # the mbox copy is 110 bytes: From line 47, header 32, blank line, 29 of body, suffix 1
    body = conf(mbox("w109", "  quota_warn_threshold = 109\n" + WARN) + mbox("w110", "  quota_warn_threshold = 110\n" + WARN),
                "w109 : w110 : inbox")
    r = deliver_both(tern_bin, tmp_path, body, ["w109@test.example", "w110@test.example"], msgbody=MSG,
                     same_log=False, settle="inbox")
    warn = email.message_from_string(r.files["inbox"].split("\n", 1)[1])
    assert warn["To"] == "inbox@test.example" and warn["Subject"] == "quota for w109"
    assert warn["From"] == "Mail Delivery System <Mailer-Daemon@test.example>"
    assert warn["Auto-Submitted"] == "auto-replied"
    assert warn.get_payload() == "size 61\n\n"
    assert [h for h, _ in warn.items()] == ["Received", "Auto-Submitted", "From", "To", "Subject", "Message-Id", "Date"]
    assert sum(1 for line in r.log if line.startswith("<= <> R=")) == 1
    assert "=> w109 <w109@test.example> R=r T=t_w109" in r.log


def test_quota_warn_percent_and_default_message(tern_bin, tmp_path):
    body = conf(mbox("w", "  quota = 1000\n  quota_warn_threshold = 10%")
                + mbox("nq", "  quota_warn_threshold = 10%"), "w : nq")
    r = deliver_both(tern_bin, tmp_path, body, ["w@test.example", "nq@test.example"], msgbody=MSG,
                     same_log=False, settle="w")
    # the warning goes to the mailbox's owner, after the message itself
    first, warning = r.files["w"].split("\n\nFrom MAILER-DAEMON DATE\n")
    warn = email.message_from_string(warning)
    assert warn["To"] == "w@test.example" and warn["Subject"] == "Your mailbox"
    assert warn.get_payload() == ("This message is automatically created by mail delivery software (MTA).\n\n"
                                  "The size of your mailbox has exceeded a warning threshold that is\n"
                                  "set by the system administrator.\n\n")
    # a percentage without quota is ignored
    assert "MAILER-DAEMON" not in r.files["nq"]


def own_box(pub, name, lockfile=False):
    path = os.path.join(pub, name)
    for p in [path] + ([path + ".lock"] if lockfile else []):
        open(p, "w").close()
        os.chown(p, TERN.pw_uid, TERN.pw_gid)
    return path


LOCKS = "  lock_retries = 1\n  lock_interval = 1s\n"


def test_lock_file_held_defers(tern_bin, tmp_path):
    body = conf(mbox("lk", LOCKS) + mbox("nolf", LOCKS + "  no_use_lockfile"), "lk : nolf")
    r = deliver_both(tern_bin, tmp_path, body, ["lk@test.example", "nolf@test.example"],
                     prepare=lambda pub: [own_box(pub, "lk", True), own_box(pub, "nolf", True)] and None)
    assert r.log == ["== lk@test.example R=r T=t_lk defer (-9): failed to lock mailbox PUB/lk (lock file)",
                     "=> nolf <nolf@test.example> R=r T=t_nolf"]
    assert r.files["lk"] == "" and r.files["lk.lock"] == "" and r.files["nolf.lock"] == ""


def test_stale_lock_file_removed(tern_bin, tmp_path):
    body = conf(mbox("lk", "  lock_retries = 4\n  lock_interval = 1s\n  lockfile_timeout = 1s"), "lk")
    r = deliver_both(tern_bin, tmp_path, body, ["lk@test.example"], prepare=lambda pub: own_box(pub, "lk", True) and None)
    assert r.log == ["=> lk <lk@test.example> R=r T=t_lk", "Completed"]
    assert list(r.files) == ["lk"]


def hold_fcntl(path, release_after=None):
    f = open(path, "r+")
    fcntl.lockf(f, fcntl.LOCK_EX)
    if release_after:
        threading.Timer(release_after, f.close).start()
    return f.close


def test_fcntl_lock_held_defers(tern_bin, tmp_path):
    body = conf(mbox("lk", LOCKS) + mbox("nofc", LOCKS + "  no_use_fcntl_lock"), "lk : nofc")

    def prepare(pub):
        a = hold_fcntl(own_box(pub, "lk"))
        b = hold_fcntl(own_box(pub, "nofc"))
        return lambda: (a(), b())
    r = deliver_both(tern_bin, tmp_path, body, ["lk@test.example", "nofc@test.example"], prepare=prepare)
    assert r.log == ["== lk@test.example R=r T=t_lk defer (-9): failed to lock mailbox PUB/lk (fcntl/flock)",
                     "=> nofc <nofc@test.example> R=r T=t_nofc"]


def test_lock_fcntl_timeout_waits_for_the_lock(tern_bin, tmp_path):
    # lock_retries = 0: a non-blocking try fails at once; a blocking one
    # (lock_fcntl_timeout) gets the lock when the holder lets it go
    body = conf(mbox("nb", "  lock_retries = 0") + mbox("bl", "  lock_retries = 0\n  lock_fcntl_timeout = 30s"),
                "nb : bl")

    def prepare(pub):
        a = hold_fcntl(own_box(pub, "nb"))
        hold_fcntl(own_box(pub, "bl"), release_after=0.5)
        return a
    r = deliver_both(tern_bin, tmp_path, body, ["nb@test.example", "bl@test.example"], prepare=prepare)
    assert r.log == ["== nb@test.example R=r T=t_nb defer (-9): failed to lock mailbox PUB/nb (fcntl/flock)",
                     "=> bl <bl@test.example> R=r T=t_bl"]


def test_check_owner_and_mode(tern_bin, tmp_path):
    def prepare(pub):
        for name, mode, mine in (("own", 0o666, False), ("nocheck", 0o600, False), ("wide", 0o644, True),
                                 ("narrow", 0o400, True), ("narrowok", 0o400, True)):
            path = own_box(pub, name) if mine else os.path.join(pub, name)
            open(path, "a").close()
            os.chmod(path, mode)
    body = conf(mbox("own") + mbox("nocheck", "  no_check_owner") + mbox("wide") + mbox("narrow")
                + mbox("narrowok", "  no_mode_fail_narrower"), "own : nocheck : wide : narrow : narrowok")
    r = deliver_both(tern_bin, tmp_path, body, [f"{x}@test.example" for x in ("own", "nocheck", "wide", "narrow", "narrowok")],
                     prepare=prepare)
    assert r.log == [f"== own@test.example R=r T=t_own defer (-6): mailbox PUB/own has wrong uid (0 != {TERN.pw_uid})",
                     "== nocheck@test.example R=r T=t_nocheck defer (13): Permission denied: "
                     "while opening mailbox PUB/nocheck",
                     "=> wide <wide@test.example> R=r T=t_wide",
                     "== narrow@test.example R=r T=t_narrow defer (-7): mailbox PUB/narrow has the wrong mode 400 "
                     "(600 expected)",
                     "== narrowok@test.example R=r T=t_narrowok defer (13): Permission denied: "
                     "while opening mailbox PUB/narrowok"]
    assert r.files["wide"].startswith("From sender@x.example DATE\n")


def test_quota_no_check_and_malformed(tern_bin, tmp_path):
    body = conf(mbox("nc", "  quota = 60/no_check") + mbox("bad", "  quota = 60/bogus"), "nc : bad")
    r = deliver_both(tern_bin, tmp_path, body, ["nc@test.example", "bad@test.example"], msgbody=MSG)
    assert r.log == ["=> nc <nc@test.example> R=r T=t_nc",
                     '== bad@test.example R=r T=t_bad defer (-1): Malformed value "60/bogus" '
                     '(expansion of "60/bogus") in t_bad transport']
