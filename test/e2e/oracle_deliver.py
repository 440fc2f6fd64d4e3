"""oracle_deliver.py - deliver one spooled message with tern and, when it
is installed, with the Exim 4.96 oracle, on the same configuration, and
hand back what each did: masked mainlog lines and the files written
under a public directory (with the mbox "From " line's date masked).

A test asserts exact bytes on Tern's result and, where the oracle ran,
that Exim's result is the same.
"""
import glob
import os
import re
import subprocess

from delivery_util import PublicDir, mainlog, spool_config, write_message

EXIM = "/usr/sbin/exim4"
FROM_DATE = re.compile(r"^(From \S+) \w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4}$", re.M)


class Result:
    def __init__(self, rc, out, err, log, files, spool):
        self.rc, self.out, self.err, self.log, self.files, self.spool = rc, out, err, log, files, spool


def files_under(pub):
    """{relative path: text} of every file under pub, dates masked."""
    out = {}
    for f in sorted(glob.glob(pub + "/**", recursive=True)):
        if os.path.isfile(f):
            out[f[len(pub) + 1:]] = FROM_DATE.sub(r"\1 DATE", open(f, errors="replace").read())
    return out


def deliver(prog, base, body, rcpts, extra_main="", msgbody="body line\n", args=("-M",), headers=None):
    """Spool a message in base/<name of prog> and deliver it; PUB in body
    is replaced by a world-writable directory for the delivery user."""
    work = os.path.join(base, os.path.basename(prog))
    pub = PublicDir()
    try:
        spool = os.path.join(work, "spool")
        os.makedirs(spool, exist_ok=True)
        conf = os.path.join(work, "conf")
        with open(conf, "w") as f:
            f.write(spool_config(spool, body.replace("PUB", pub.path), extra_main.replace("PUB", pub.path)))
        os.chmod(conf, 0o644)
        mid = write_message(spool, rcpts, body=msgbody, headers=headers)
        p = subprocess.run([prog, "-C", conf, *args, mid], capture_output=True, text=True, timeout=60)
        return Result(p.returncode, p.stdout, p.stderr, mainlog(spool), files_under(pub.path), spool)
    finally:
        pub.cleanup()


def deliver_both(tern_bin, base, body, rcpts, same_log=True, **kw):
    """Tern's result, after checking the oracle's (if installed) matches
    it: the same files, and (same_log) the same mainlog lines."""
    mine = deliver(tern_bin, str(base), body, rcpts, **kw)
    if os.path.exists(EXIM):
        theirs = deliver(EXIM, str(base), body, rcpts, **kw)
        assert mine.files == theirs.files
        if same_log:
            assert mine.log == theirs.log
    return mine
