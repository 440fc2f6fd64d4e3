"""oracle_deliver.py - deliver one spooled message with tern and, when it
is installed, with the Exim 4.96 oracle, on the same configuration, and
hand back what each did: mainlog lines and the files written under a
public directory (PUB), with what must differ masked: the directory's
name, the mbox "From " line's date, Maildir unique file names.

A test asserts exact bytes on Tern's result and, where the oracle ran,
that Exim's result is the same.
"""
import glob
import pwd
import os
import re
import subprocess
import time

from delivery_util import PublicDir, mainlog, spool_config, write_message

EXIM = "/usr/sbin/exim4"
REMOTE_USER = "Debian-exim"  # the smtp transport's user in remote tests
FROM_DATE = re.compile(r"(From \S+) \w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4}$", re.M)
# what a generated message (quota warning, bounce) says of the MTA itself
MTA_NAME = [(re.compile(r"\((Exim 4\.96|Tern [^)]*)\)"), "(MTA)"), (re.compile(r"software \((Exim|Tern)\)"), "software (MTA)"),
            (re.compile(r"1[0-9A-Za-z]{5}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}\b"), "ID"),
            (re.compile(r"\d+-eximdsn-\d+"), "BOUNDARY"),
            (re.compile(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [-+]\d{4}"), "RFCDATE")]
# Maildir file names differ between the two (only the tag part is compared)
MAILDIR_NAME = re.compile(r"(new|tmp|cur)/\d+\.[A-Za-z0-9]+\.test\.example")


# the sender's mailbox, where bounces and warnings land
SENDER_BOX = "t_sender:\n  driver = appendfile\n  file = PUB/bounces\n  user = tern\n"


def accept_conf(local_parts, transports, routers="", retry="* * F,1d,1h"):
    """one accept router sending each local part to transport t_<local
    part>, after the given routers; a retry rule; the transports"""
    return (f"begin routers\n{routers}r:\n  driver = accept\n  local_parts = {local_parts}\n"
            f"  transport = t_$local_part_data\nbegin retry\n{retry}\nbegin transports\n{transports}")


class Result:
    def __init__(self, rc, out, err, log, files, spool):
        self.rc, self.out, self.err, self.log, self.files, self.spool = rc, out, err, log, files, spool


def mask(text):
    """text with dates, message ids and the MTA's name masked"""
    text = FROM_DATE.sub(r"\1 DATE", text)
    for pattern, by in MTA_NAME:
        text = pattern.sub(by, text)
    return text


def files_under(pub):
    """{relative path: text} of every file under pub, masked."""
    out = {}
    for f in sorted(glob.glob(pub + "/**", recursive=True)):
        if os.path.isfile(f) and not f[len(pub) + 1:].startswith("work-"):
            out[MAILDIR_NAME.sub(r"\1/NAME", f[len(pub) + 1:])] = mask(open(f, errors="replace").read())
    return out


def age_message(hpath, age, frozen):
    """date a spooled message back by age seconds; maybe freeze it"""
    text = open(hpath).read()
    text = re.sub(r"\n(\d+) 0\n", lambda m: "\n%d 0\n" % (int(m.group(1)) - age), text, count=1)
    if frozen:
        text = text.replace("-deliver_firsttime\n", "-frozen %d\n" % (int(time.time()) - 60))
    with open(hpath, "w") as f:
        f.write(text)


def deliver(prog, base, body, rcpts, extra_main="", msgbody="body line\n", args=("-M",), headers=None,
            prepare=None, settle=None, remote=False, age=0, frozen=False, sender="sender@x.example"):
    """Spool a message in base/<name of prog> and deliver it; PUB in body
    is replaced by a world-writable directory for the delivery user.
    prepare(pub) runs just before the delivery; if it returns a
    callable, that runs just after. settle: a file (or list) under PUB to wait for
    (up to 10s, until it exists with no lock file beside it), written by
    a message delivered in the background (Exim delivers the messages it
    generates so). remote: the work directory is a public one, whose
    spool the smtp transport's user (Debian-exim, as Debian's Exim will
    not run it as root) can write. age: seconds to date the message
    back; frozen: spool it frozen; sender: the envelope sender ("" for a
    bounce). args ending in "-M" get the id."""
    pub = PublicDir()
    work = os.path.join(pub.path, "work-" + os.path.basename(prog)) if remote else \
        os.path.join(base, os.path.basename(prog))
    try:
        spool = os.path.join(work, "spool")
        os.makedirs(spool, exist_ok=True)
        conf = os.path.join(work, "conf")
        text = spool_config(spool, body.replace("PUB", pub.path), extra_main.replace("PUB", pub.path))
        with open(conf, "w") as f:
            f.write(text)
        if remote:
            os.chmod(work, 0o755)
            os.chown(spool, pwd.getpwnam(REMOTE_USER).pw_uid, -1)
        os.chmod(conf, 0o644)
        mid = write_message(spool, rcpts, sender=sender, body=msgbody, headers=headers)
        if age or frozen:
            age_message(os.path.join(spool, "input", mid + "-H"), age, frozen)
        after = prepare(pub.path) if prepare else None
        ids = [mid] if args[-1] in ("-M", "-Mg") else []
        p = subprocess.run([prog, "-C", conf, *args, *ids], capture_output=True, text=True, timeout=60)
        if after:
            after()
        wants = [os.path.join(pub.path, s) for s in ([settle] if isinstance(settle, str) else settle or [])]
        for _ in range(100 if wants else 0):
            if all(os.path.exists(w) and not os.path.exists(w + ".lock") for w in wants):
                break
            time.sleep(0.1)
        log = [re.sub(r"pid=\d+", "pid=PID", MAILDIR_NAME.sub(r"\1/NAME", line.replace(pub.path, "PUB")))
               for line in mainlog(spool)
               # the oracle's transport user cannot share the root-made hints files here
               if not (remote and line.startswith("failed to open database lock file"))]
        return Result(p.returncode, p.stdout, p.stderr, log, files_under(pub.path), spool)
    finally:
        pub.cleanup()


def deliver_both(tern_bin, base, body, rcpts, same_log=True, **kw):
    """Tern's result, after checking the oracle's (if installed) matches
    it: the same files, and (same_log) the same mainlog lines."""
    mine = deliver(tern_bin, str(base), body, rcpts, **kw)
    if os.path.exists(EXIM):
        theirs = deliver(EXIM, str(base), body, rcpts, **kw)
        assert mine.files == theirs.files, (mine.files, theirs.files)
        if same_log:
            assert mine.log == theirs.log, (mine.log, theirs.log)
    return mine
