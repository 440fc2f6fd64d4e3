"""postfix.py - Postfix 3.7 as a benchmark peer, run from Debian's .deb
unpacked into a private tree (lib/postfix-tree) because the postfix
package cannot be installed beside exim4.

Each instance is a temp directory like the other MTAs' (see benchlib.Mta)
holding its own config directory (main.cf, master.cf), queue directory,
data directory and log; every *_directory parameter points into the
instance or the tree, so /etc/postfix and /var/spool/postfix are never
used. It is started with `postfix -c DIR start` and stopped with
`postfix -c DIR stop`.  The configuration mirrors benchlib.config_text:
accept everything from 127.0.0.1, deliver box@bench.example to one
Maildir as the tern user (the virtual(8) agent), or relay everything to
a loopback sink (relayhost), or keep it (accept only: every message is
put on hold, so the queue manager never sees it)."""
import os
import pwd
import shutil
import subprocess

import benchlib as b

HERE = os.path.dirname(os.path.abspath(__file__))
SETUP = os.path.join(HERE, "postfix-tree")
_tree = {}  # the tree's path once postfix-tree succeeded, or the reason it failed


def _setup():
    if not _tree:
        p = subprocess.run([SETUP], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode == 0:
            _tree["path"] = p.stdout.strip().splitlines()[-1]
        else:
            _tree["why"] = (p.stderr.strip().splitlines() or ["postfix-tree failed"])[-1]
    return _tree.get("path")


def available():
    return _setup() is not None


def why():
    _setup()
    return _tree.get("why", "")


MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
local     unix  - n n -  - local
virtual   unix  - n n -  - virtual
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


class Postfix(b.Mta):
    name = "Postfix"

    def __init__(self):
        super().__init__()
        self.tree = _setup()
        self.conf = os.path.join(self.dir, "conf")
        self.queue = os.path.join(self.dir, "queue")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "log")
        for d in (self.conf, self.queue, self.data, self.log):
            os.makedirs(d, exist_ok=True)
        shutil.chown(self.data, "postfix")
        shutil.chown(self.log, "postfix")
        # meta_directory: what postfix-script and post-install read
        for f in ("postfix-files", "postfix-script", "post-install"):
            shutil.copy(os.path.join(self.tree, "etc/postfix", f), self.conf)
        shutil.copy(os.path.join(self.tree, "usr/share/postfix/dynamicmaps.cf"), self.conf)
        os.makedirs(os.path.join(self.conf, "postfix-files.d"))
        os.makedirs(os.path.join(self.conf, "dynamicmaps.cf.d"))

    def env(self):
        e = dict(os.environ)
        e["LD_LIBRARY_PATH"] = os.path.join(self.tree, "usr/lib/postfix")
        return e

    def write_config(self, queue_only=True, relay_port=None):
        t = self.tree
        tern = pwd.getpwnam("tern")
        lib = os.path.join(t, "usr/lib/postfix")
        lines = [
            "compatibility_level = 3.6",
            "config_directory = " + self.conf,
            "meta_directory = " + self.conf,
            "queue_directory = " + self.queue,
            "data_directory = " + self.data,
            "daemon_directory = " + os.path.join(t, "usr/lib/postfix/sbin"),
            "command_directory = " + os.path.join(t, "usr/sbin"),
            "shlib_directory = " + lib,
            # the daemons' libraries are in the tree, not in their RUNPATH
            "import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C "
            "LD_LIBRARY_PATH=" + lib,
            "mail_owner = postfix",
            "setgid_group = postdrop",
            "maillog_file = " + os.path.join(self.log, "maillog"),
            "maillog_file_prefixes = " + self.log,
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "myhostname = mta.bench.test",
            "mydestination =",
            "mynetworks = 127.0.0.0/8",
            "alias_maps =",
            "alias_database =",
            "local_recipient_maps =",
            # Tern and Exim do no reverse lookup of the client either
            "smtpd_peername_lookup = no",
            "smtp_host_lookup = native",
            "smtputf8_enable = no",
            "biff = no",
        ]
        if queue_only:
            lines.append("smtpd_client_restrictions = check_client_access static:HOLD")
        if relay_port:
            lines.append("relayhost = [127.0.0.1]:%d" % relay_port)
        else:
            lines += ["virtual_mailbox_domains = bench.example",
                      "virtual_mailbox_base = " + self.md,
                      "virtual_mailbox_maps = inline:{ %s=box/ }" % b.RCPT,
                      "virtual_uid_maps = static:%d" % tern.pw_uid,
                      "virtual_gid_maps = static:%d" % tern.pw_gid]
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(port=self.port))

    def postfix(self, verb, preexec_fn=None):
        p = subprocess.run([os.path.join(self.tree, "usr/sbin/postfix"), "-c", self.conf, verb],
                           env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, preexec_fn=preexec_fn, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("postfix %s: %s" % (verb, p.stdout.strip()))

    def start(self, strace_out=None, preexec_fn=None):
        if strace_out:
            raise RuntimeError("Postfix: trace it by attaching to its processes")
        self.postfix("start", preexec_fn)
        self.proc = True
        b.wait_port(self.port)

    def master_pid(self):
        try:
            with open(os.path.join(self.queue, "pid", "master.pid")) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def daemon_pid(self):
        return self.master_pid()

    def stop(self):
        if self.proc is None:
            return
        try:
            self.postfix("stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            pid = self.master_pid()
            if pid:
                b.kill_pid(pid)
        self.proc = None

    def queue_count(self):
        n = 0
        for sub in ("maildrop", "incoming", "active", "deferred", "hold"):
            for _, _, files in os.walk(os.path.join(self.queue, sub)):
                n += len(files)
        return n

    def session_pids(self):
        """smtpd processes (the per-connection servers)."""
        out = []
        for pid in b.children(self.master_pid() or -1):
            try:
                with open("/proc/%d/comm" % pid) as f:
                    if f.read().strip() == "smtpd":
                        out.append(pid)
            except OSError:
                pass
        return out
