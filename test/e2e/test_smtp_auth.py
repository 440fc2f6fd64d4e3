"""test_smtp_auth.py - SMTP AUTH server side (RFC 4954): plaintext (PLAIN,
LOGIN) and cram_md5 authenticators, advertising, replies and log lines.

Real clients: Python smtplib logs in with each mechanism against the daemon.
Raw dialogues under -bh are compared line by line with Exim 4.96
(/usr/sbin/exim4) run on the same config, when it is installed.
"""
import base64
import os
import re
import shutil
import smtplib
import subprocess

import pytest

from smtp_util import Env, TERN

EXIM = "/usr/sbin/exim4"

CONF = r"""
acl_smtp_rcpt = acl_rcpt
auth_advertise_hosts = *
begin acl
acl_rcpt:
  accept authenticated = *
  deny message = not authenticated
begin authenticators
PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = ${if and{{eq{$auth2}{user}}{eq{$auth3}{secret}}}}
  server_set_id = $auth2
LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = ${if and{{eq{$auth1}{user}}{eq{$auth2}{secret}}}}
  server_set_id = $auth1
CRAM:
  driver = cram_md5
  public_name = CRAM-MD5
  server_secret = ${if eq{$auth1}{user}{secret}fail}
  server_set_id = $auth1
"""


def b64(s):
    return base64.b64encode(s.encode()).decode()


PLAIN_OK = b64("\0user\0secret")
PLAIN_BAD = b64("\0user\0bad")


def bh(binary, conf, dialogue):
    """Run binary -bh 1.2.3.4 and keep the replies and LOG: lines."""
    p = subprocess.run([binary, "-C", conf, "-bh", "1.2.3.4"], input=dialogue.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    out = []
    for l in p.stdout.decode(errors="replace").splitlines():
        if not l or l.startswith(("****", ">>>", "220 ")):
            continue
        out.append(re.sub(r"^334 PD\S+", "334 CHALLENGE", l))
    return out


def env_for(tmp_path, extra=""):
    return Env(tmp_path, extra + CONF)


def oracle_conf(env):
    """The same config for Exim, with its own spool and log."""
    d = os.path.join(env.dir, "exim")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "configure")
    with open(env.conf) as f:
        text = f.read()
    text = text.replace(env.spool, d + "/spool")
    with open(path, "w") as f:
        f.write("exim_user = root\n" + text)
    return path


DIALOGUES = {
    "plain_ok_then_again": "EHLO x\r\nAUTH PLAIN %s\r\nAUTH PLAIN %s\r\nMAIL FROM:<a@b>\r\n"
                           "RCPT TO:<c@d>\r\nQUIT\r\n" % (PLAIN_OK, PLAIN_OK),
    "failures": "EHLO x\r\nAUTH PLAIN %s\r\nAUTH FOO\r\nAUTH\r\nAUTH PLAIN !!!\r\n"
                "AUTH PLAIN\r\n*\r\nAUTH LOGIN\r\ndXNlcg==\r\nc2VjcmV0\r\nQUIT\r\n" % PLAIN_BAD,
    "login_initial": "EHLO x\r\nAUTH LOGIN dXNlcg==\r\nc2VjcmV0\r\n"
                     "MAIL FROM:<a@b> AUTH=<x@y>\r\nQUIT\r\n",
    "cram_cancel_and_empty": "EHLO x\r\nAUTH CRAM-MD5\r\n*\r\nAUTH PLAIN =\r\n"
                             "AUTH PLAIN AHVzZXI=\r\nQUIT\r\n",
    "in_transaction": "EHLO x\r\nMAIL FROM:<a@b>\r\nAUTH PLAIN %s\r\nRSET\r\n"
                      "AUTH CRAM-MD5 abcd\r\nQUIT\r\n" % PLAIN_BAD,
    "cram_bad": "EHLO x\r\nAUTH CRAM-MD5\r\ndXNlcg==\r\nAUTH CRAM-MD5\r\nYWJj\r\nQUIT\r\n",
    "not_advertised": "AUTH PLAIN\r\nHELO x\r\nAUTH PLAIN %s\r\nQUIT\r\n" % PLAIN_OK,
    "mail_auth_param": "EHLO x\r\nMAIL FROM:<a@b> AUTH=<x@y>\r\nRSET\r\n"
                       "MAIL FROM:<a@b> AUTH=x+2By\r\nRSET\r\nMAIL FROM:<a@b> AUTH=x+ZZ\r\nQUIT\r\n",
}


@pytest.mark.parametrize("name", sorted(DIALOGUES))
def test_dialogue_matches_exim(tmp_path, name):
    env = env_for(tmp_path)
    got = bh(TERN, env.conf, DIALOGUES[name])
    if not os.path.exists(EXIM):
        pytest.skip("no /usr/sbin/exim4 to compare with")
    want = bh(EXIM, oracle_conf(env), DIALOGUES[name])
    assert got == want


def test_defer_and_advertise_condition(tmp_path):
    env = env_for(tmp_path)
    with open(env.conf) as f:
        text = f.read()
    text = text.replace("{eq{$auth3}{secret}}", "{eq{$auth3}{${lookup{x}lsearch{/nonexist}}}}")
    text = text.replace("  server_set_id = $auth1\n", "  server_set_id = $auth1\n"
                        "  server_advertise_condition = ${if eq{$sender_host_address}"
                        "{1.2.3.4}{no}{yes}}\n")
    with open(env.conf, "w") as f:
        f.write(text)
    d = "EHLO x\r\nAUTH PLAIN %s\r\nAUTH CRAM-MD5\r\nQUIT\r\n" % PLAIN_BAD
    got = bh(TERN, env.conf, d)
    assert "250-AUTH PLAIN" in got
    assert "435 Unable to authenticate at present" in got
    assert "504 CRAM-MD5 authentication mechanism not supported" in got
    if os.path.exists(EXIM):
        assert got == bh(EXIM, oracle_conf(env), d)


def test_mailauth_acl(tmp_path):
    env = Env(tmp_path, "acl_smtp_mailauth = acl_ma\nacl_smtp_mail = acl_mail\n" +
              CONF.replace("begin acl\n", "begin acl\nacl_ma:\n  deny authenticated = *\n"
                           "  accept\nacl_mail:\n  warn logwrite = AS=$authenticated_sender\n"
                           "  accept\n"))
    d = ("EHLO x\r\nMAIL FROM:<a@b> AUTH=<x@y>\r\nRSET\r\nAUTH PLAIN %s\r\n"
         "MAIL FROM:<a@b> AUTH=<>\r\nRSET\r\nMAIL FROM:<a@b> AUTH=e+3Dx@y\r\nQUIT\r\n" % PLAIN_OK)
    got = bh(TERN, env.conf, d)
    assert "LOG: AS=<x@y>" in got
    assert "LOG: ignoring AUTH=e+3Dx@y from H=(x) [1.2.3.4] (rejected by ACL)" in got
    if os.path.exists(EXIM):
        assert got == bh(EXIM, oracle_conf(env), d)


@pytest.mark.parametrize("mech", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_smtplib_login(tmp_path, mech):
    env = env_for(tmp_path, "queue_only\n")
    with env.daemon() as d:
        s = smtplib.SMTP("127.0.0.1", d.port, timeout=10)
        s.ehlo("client.example")
        assert mech in s.esmtp_features["auth"].split()
        s.user, s.password = "user", "secret"
        code, text = s.auth(mech, getattr(s, "auth_" + mech.lower().replace("-", "_")))
        assert (code, text) == (235, b"Authentication succeeded")
        s.sendmail("a@b.example", ["c@d.example"], b"Subject: t\r\n\r\nhi\r\n")
        s.quit()
    # (a bounce, <= <>, may follow: the daemon delivers at once)
    arrivals = [l for l in env.log() if " <= " in l and " <= <> " not in l]
    assert len(arrivals) == 1
    name = {"PLAIN": "PLAIN", "LOGIN": "LOGIN", "CRAM-MD5": "CRAM"}[mech]
    assert " P=esmtpa A=%s:user S=" % name in arrivals[0]


def test_smtplib_wrong_password(tmp_path):
    env = env_for(tmp_path)
    with env.daemon() as d:
        s = smtplib.SMTP("127.0.0.1", d.port, timeout=10)
        s.ehlo("client.example")
        with pytest.raises(smtplib.SMTPAuthenticationError) as e:
            s.login("user", "wrong")
        assert e.value.smtp_code == 535
        s.quit()
    assert any("authenticator failed for" in l and "535 Incorrect authentication data" in l
               for l in env.log())
