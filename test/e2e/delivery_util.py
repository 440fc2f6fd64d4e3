"""delivery_util.py - helpers for the delivery tests: write a message into
a spool directory in Exim 4.96's -H/-D format, run tern -M on it, read the
mainlog with ids and times masked.

The spool writer follows the format Exim 4.96 writes (checked against
files from `exim4 -odq`), so the same spool can be fed to the oracle.
"""
import os
import random
import re
import shutil
import string
import subprocess
import tempfile
import time

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def new_id():
    """A fresh Exim-style message id (random, well-formed)."""
    def b62(n, w):
        s = ""
        for _ in range(w):
            s = B62[n % 62] + s
            n //= 62
        return s
    return "%s-%s-%s" % (b62(int(time.time()), 6), b62(random.randrange(62 ** 6), 6),
                         b62(random.randrange(62 ** 2), 2))


def write_message(spool, recipients, sender="sender@x.example", headers=None,
                  body="body line\n", nonrecipients=(), msgid=None):
    """Write -H and -D for a message into spool/input; returns the id."""
    msgid = msgid or new_id()
    inp = os.path.join(spool, "input")
    os.makedirs(inp, exist_ok=True)
    os.makedirs(os.path.join(spool, "log"), exist_ok=True)
    headers = headers or ["From: a@b.example\n", "Subject: test\n"]
    now = int(time.time())
    h = [f"{msgid}-H\n", "root 0 0\n", f"<{sender}>\n", f"{now} 0\n",
         "-received_time_usec .000001\n", "-ident root\n", "-received_protocol local\n",
         f"-body_linecount {body.count(chr(10))}\n", "-deliver_firsttime\n"]
    if nonrecipients:
        h.append(_tree(sorted(nonrecipients)))
    else:
        h.append("XX\n")
    h.append(f"{len(recipients)}\n")
    h += [r + "\n" for r in recipients]
    h.append("\n")
    for line in headers:
        h.append("%03d  %s" % (len(line), line))
    with open(os.path.join(inp, f"{msgid}-D"), "w") as f:
        f.write(f"{msgid}-D\n{body}")
    with open(os.path.join(inp, f"{msgid}-H"), "w") as f:
        f.write("".join(h))
    return msgid


def _tree(items):
    """Exim's balanced-tree layout for the non-recipients list."""
    if not items:
        return ""
    mid = len(items) // 2
    left, right = items[:mid], items[mid + 1:]
    return "%s%s %s\n%s%s" % ("Y" if left else "N", "Y" if right else "N", items[mid],
                               _tree(left), _tree(right))


def spool_config(spool, body, extra_main=""):
    """A config with spool and logs in spool, plus the given sections."""
    return f"""spool_directory = {spool}
log_file_path = {spool}/log/%slog
exim_user = root
exim_group = root
primary_hostname = test.example
qualify_domain = test.example
never_users = root
keep_environment =
{extra_main}
{body}
"""


def mainlog(spool):
    """The mainlog lines with timestamps and ids removed."""
    path = os.path.join(spool, "log", "mainlog")
    if not os.path.exists(path):
        return []
    out = []
    for line in open(path, errors="replace"):
        line = re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? ", "", line.rstrip("\n"))
        line = re.sub(r"^[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2} ", "", line)
        out.append(line)
    return out


class PublicDir:
    """A world-writable directory outside pytest's private tmp (the
    delivery user must reach it); removed by cleanup()."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="tern-da-")
        os.chmod(self.path, 0o1777)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


def run(binary, args, timeout=60, **kw):
    p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout, **kw)
    return p.returncode, p.stdout, p.stderr
