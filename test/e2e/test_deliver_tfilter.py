"""test_deliver_tfilter.py - transport_filter on the local transports
(appendfile mbox and Maildir, pipe, lmtp): the message goes through the
command as the delivering user, escaping and line ends apply to what the
command writes, and a command that fails, cannot run, hangs past
transport_filter_timeout, writes nothing or writes 50 MB gets the result
and the log line Exim 4.96 gives (checked with exim4 -C)."""
import os
import pwd

import pytest

from delivery_util import PublicDir, mainlog, run, spool_config, write_message

TERN_UID = pwd.getpwnam("tern").pw_uid
LMTP_SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lmtp_server.py")


@pytest.fixture
def pub():
    d = PublicDir()
    yield d.path
    d.cleanup()


def script(pub, name, text):
    path = os.path.join(pub, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + text + "\n")
    os.chmod(path, 0o755)
    return path


def config(tmp_path, pub, transport):
    spool = str(tmp_path / "spool")
    body = f"""begin routers
all:
  driver = accept
  transport = t
  user = tern
begin transports
t:
{transport}
begin retry
* * F,1h,10m
"""  # a retry rule: a deferral stays queued (without one it would time out at once, as in Exim)
    conf = tmp_path / "tern.conf"
    conf.write_text(spool_config(spool, body))
    return str(conf), spool


def deliver(tern_bin, conf, spool, body="body line\nsecond\n"):
    mid = write_message(spool, ["a@test.example"], body=body)
    rc, _, err = run(tern_bin, ["-C", conf, "-M", mid])
    assert rc == 0, err
    return mid


def paniclog(spool):
    path = os.path.join(spool, "log", "paniclog")
    return open(path).read() if os.path.exists(path) else ""


def queued(spool, mid):
    return os.path.exists(os.path.join(spool, "input", mid + "-H"))


def mbox(pub, filt, extra=""):
    return f"""  driver = appendfile
  file = {pub}/box
  transport_filter = {filt}
{extra}"""


def test_mbox_filtered_then_escaped(tern_bin, tmp_path, pub):
    """The command's output, not its input, gets the "From " escaping."""
    filt = script(pub, "up", 'tr a-z A-Z | sed "s/^BODY/From body/"; echo "uid=$(id -u)"')
    conf, spool = config(tmp_path, pub, mbox(pub, filt))
    deliver(tern_bin, conf, spool)
    assert mainlog(spool) == ["=> a <a@test.example> R=all T=t", "Completed"]
    text = open(os.path.join(pub, "box")).read()
    first, rest = text.split("\n", 1)
    assert first.startswith("From sender@x.example ")
    assert rest == (f"FROM: A@B.EXAMPLE\nSUBJECT: TEST\n\n>From body LINE\nSECOND\nuid={TERN_UID}\n\n")


def test_maildir_filter_adds_header(tern_bin, tmp_path, pub):
    filt = script(pub, "hdr", 'echo "X-Filtered: yes"; cat')
    conf, spool = config(tmp_path, pub, f"""  driver = appendfile
  directory = {pub}/md
  maildir_format
  transport_filter = {filt} -x""")
    deliver(tern_bin, conf, spool)
    new = os.path.join(pub, "md", "new")
    files = os.listdir(new)
    assert len(files) == 1
    assert open(os.path.join(new, files[0])).read() == \
        "X-Filtered: yes\nFrom: a@b.example\nSubject: test\n\nbody line\nsecond\n"


def test_pipe_filtered(tern_bin, tmp_path, pub):
    filt = script(pub, "rev", "tr a-z A-Z")
    conf, spool = config(tmp_path, pub, f"""  driver = pipe
  command = /bin/sh -c "cat > {pub}/piped"
  message_prefix =
  message_suffix =
  transport_filter = {filt}""")
    deliver(tern_bin, conf, spool)
    assert mainlog(spool) == ["=> a <a@test.example> R=all T=t", "Completed"]
    assert open(os.path.join(pub, "piped")).read() == \
        "FROM: A@B.EXAMPLE\nSUBJECT: TEST\n\nBODY LINE\nSECOND\n"


def test_lmtp_filtered(tern_bin, tmp_path, pub):
    """Dot-stuffing and CRLF apply to the filter's output; one that ends
    mid-line gets its line ended before the dot."""
    filt = script(pub, "up", "tr a-z A-Z")
    conf, spool = config(tmp_path, pub, f"""  driver = lmtp
  command = {LMTP_SERVER} {pub}
  transport_filter = {filt}""")
    deliver(tern_bin, conf, spool, body="body line\n.dot\nno newline")
    assert mainlog(spool) == ["=> a <a@test.example> R=all T=t", "Completed"]
    assert open(os.path.join(pub, "a@test.example")).read() == \
        "MAIL FROM:<sender@x.example>\nFROM: A@B.EXAMPLE\nSUBJECT: TEST\n\nBODY LINE\n.DOT\nNO NEWLINE\n"


def test_lmtp_filter_fails(tern_bin, tmp_path, pub):
    filt = script(pub, "bad", "cat >/dev/null; exit 2")
    conf, spool = config(tmp_path, pub, f"""  driver = lmtp
  command = {LMTP_SERVER} {pub}
  transport_filter = {filt}""")
    mid = deliver(tern_bin, conf, spool)
    assert mainlog(spool) == ["== a@test.example R=all T=t defer (-24): Filter process failure"]
    assert queued(spool, mid)


def test_mbox_filter_fails(tern_bin, tmp_path, pub):
    filt = script(pub, "bad", "cat >/dev/null; exit 3")
    conf, spool = config(tmp_path, pub, mbox(pub, filt))
    mid = deliver(tern_bin, conf, spool)
    line = f"== a@test.example R=all T=t defer (-24): transport filter process failed (3) while writing to {pub}/box"
    assert mainlog(spool) == [line]
    assert line in paniclog(spool)
    assert os.path.getsize(os.path.join(pub, "box")) == 0
    assert queued(spool, mid)


def test_filter_cannot_run(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, mbox(pub, f"{pub}/missing"))
    deliver(tern_bin, conf, spool)
    assert mainlog(spool) == [f"== a@test.example R=all T=t defer (-24): transport filter process failed (127) "
                              f"while writing to {pub}/box: unable to execute command"]


def test_filter_not_absolute(tern_bin, tmp_path, pub):
    conf, spool = config(tmp_path, pub, mbox(pub, "tr a-z A-Z"))
    deliver(tern_bin, conf, spool)
    assert mainlog(spool) == ["== a@test.example R=all T=t defer (-1): t transport: transport_filter must start "
                              "with an absolute path"]


def test_pipe_filter_fails(tern_bin, tmp_path, pub):
    filt = script(pub, "bad", "exit 3")
    conf, spool = config(tmp_path, pub, f"""  driver = pipe
  command = /bin/sh -c "cat > {pub}/piped"
  transport_filter = {filt}""")
    mid = deliver(tern_bin, conf, spool)
    assert mainlog(spool) == ["== a@test.example R=all T=t defer (-24): Transport filter process failed (3)"]
    assert queued(spool, mid)


def test_mbox_filter_hangs(tern_bin, tmp_path, pub):
    """Past transport_filter_timeout the command (and what it started) is
    killed and the delivery deferred; the mailbox is left as it was."""
    filt = script(pub, "hang", "sleep 60")
    conf, spool = config(tmp_path, pub, mbox(pub, filt, "  transport_filter_timeout = 1s"))
    mid = deliver(tern_bin, conf, spool)
    assert mainlog(spool) == [f"== a@test.example R=all T=t defer (110): Connection timed out: "
                              f"error while writing to {pub}/box"]
    assert os.path.getsize(os.path.join(pub, "box")) == 0
    assert queued(spool, mid)


def test_pipe_filter_hangs_fails(tern_bin, tmp_path, pub):
    """pipe: a filter timeout is a failure unless timeout_defer is set."""
    filt = script(pub, "hang", "sleep 60")
    conf, spool = config(tmp_path, pub, f"""  driver = pipe
  command = /bin/sh -c "cat > {pub}/piped"
  transport_filter = {filt}
  transport_filter_timeout = 1s""")
    deliver(tern_bin, conf, spool)
    assert mainlog(spool)[0] == "** a@test.example R=all T=t: transport filter timeout while writing to pipe"


def test_filter_writes_nothing(tern_bin, tmp_path, pub):
    filt = script(pub, "none", "cat >/dev/null")
    conf, spool = config(tmp_path, pub, mbox(pub, filt))
    deliver(tern_bin, conf, spool)
    assert mainlog(spool) == ["=> a <a@test.example> R=all T=t", "Completed"]
    text = open(os.path.join(pub, "box")).read()
    assert text.startswith("From sender@x.example ") and text.count("\n") == 2 and text.endswith("\n\n")


def test_filter_not_reading_input(tern_bin, tmp_path, pub):
    """A command that never reads the message is not an error (Exim)."""
    filt = script(pub, "hello", "echo hello")
    conf, spool = config(tmp_path, pub, mbox(pub, filt))
    deliver(tern_bin, conf, spool, body="x" * 1000000 + "\n")
    assert mainlog(spool) == ["=> a <a@test.example> R=all T=t", "Completed"]
    assert open(os.path.join(pub, "box")).read().split("\n", 1)[1] == "hello\n\n"


def test_filter_writes_50mb(tern_bin, tmp_path, pub):
    size = 50 * 1024 * 1024
    filt = script(pub, "big", f"cat >/dev/null; yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c {size}")
    conf, spool = config(tmp_path, pub, f"""  driver = appendfile
  directory = {pub}/md
  maildir_format
  transport_filter = {filt}""")
    deliver(tern_bin, conf, spool)
    assert mainlog(spool) == ["=> a <a@test.example> R=all T=t", "Completed"]
    new = os.path.join(pub, "md", "new")
    files = os.listdir(new)
    assert len(files) == 1 and os.path.getsize(os.path.join(new, files[0])) == size
