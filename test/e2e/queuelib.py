"""queuelib.py - helpers for the queue tests: spools written by Exim 4.96
itself (exim4 -odq -bs), twin copies for differential runs, and the one
configuration both Exim and Tern read."""
import os
import pathlib
import re
import shutil
import subprocess

TERN = os.environ.get("TERN_BIN", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "tern"))
EXIM = "/usr/sbin/exim4"
HAVE_EXIM = os.path.exists(EXIM)

CONFIG = """keep_environment =
spool_directory = {dir}/spool
log_file_path = {dir}/log/%slog
exim_user = root
exim_group = root
primary_hostname = test.example
qualify_domain = test.example
acl_smtp_rcpt = accept
never_users =
{extra}
begin routers
r:
  driver = accept
  transport = t
begin transports
t:
  driver = appendfile
  file = {dir}/mbox
  user = nobody
"""


def make_site(path, extra=""):
    """A directory with spool/, log/ and conf; returns the conf path."""
    path = pathlib.Path(path)
    (path / "spool").mkdir(parents=True, exist_ok=True)
    (path / "log").mkdir(exist_ok=True)
    conf = path / "conf"
    conf.write_text(CONFIG.format(dir=path, extra=extra))
    return str(conf)


def exim_message(conf, sender, rcpts, body="body\n"):
    """One message put on the queue by Exim (-odq -bs); returns its id."""
    lines = ["HELO x", f"MAIL FROM:<{sender}>"] + [f"RCPT TO:<{r}>" for r in rcpts]
    lines += ["DATA", "Subject: t", ""] + body.rstrip("\n").split("\n") + [".", "QUIT"]
    out = subprocess.run([EXIM, "-C", conf, "-odq", "-bs"], input="\r\n".join(lines) + "\r\n",
                         capture_output=True, text=True, check=True).stdout
    return re.search(r"250 OK id=(\S+)", out).group(1)


def twin(src_dir, dst_dir, extra=""):
    """Copy src_dir's spool into a second site; returns the new conf."""
    conf = make_site(dst_dir, extra)
    shutil.rmtree(pathlib.Path(dst_dir) / "spool")
    shutil.copytree(pathlib.Path(src_dir) / "spool", pathlib.Path(dst_dir) / "spool")
    return conf


def run(prog, conf, *args, user=None):
    cmd = [prog, "-C", conf, *args]
    if user:
        cmd = ["su", user, "-s", "/bin/sh", "-c", " ".join(cmd)]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
    return p.returncode, p.stdout, p.stderr


def mainlog(site):
    """mainlog lines without timestamps and Exim's environment warnings."""
    path = pathlib.Path(site) / "log" / "mainlog"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        if "purging the environment" in line or "Suggested action" in line:
            continue
        out.append(re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", "", line))
    return out


def masked_err(text):
    return text.replace("exim: ", "PROG: ").replace("tern: ", "PROG: ")
