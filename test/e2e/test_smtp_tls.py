"""test_smtp_tls.py - the server side of TLS: STARTTLS (RFC 3207) and
implicit TLS on tls_on_connect_ports (RFC 8314).

Real clients only: Python's ssl/smtplib, `openssl s_client -starttls smtp`,
and raw sockets for hostile input. A test CA, server certificates (with
SANs) and client certificates are made at test time with the openssl CLI.
Replies that do not depend on the TLS library are compared with Exim 4.96
(/usr/sbin/exim4, a GnuTLS build, so cipher names differ) under -bh.
"""
import os
import re
import shutil
import socket
import smtplib
import ssl
import subprocess
import tempfile
import time

import pytest

from smtp_util import Env, TERN, free_port

EXIM = "/usr/sbin/exim4"
QUEUE = "queue_only\n"  # messages stay on the spool for inspection


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_cert(d, name, cn, san=None, ca=True):
    """name.key/name.pem signed by the test CA (or self-signed if ca is False)."""
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
            "-subj", cn, cwd=d)
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=%s\n" % san if san else "basicConstraints=CA:FALSE\n")
    if ca:
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".pem", "-days", "30", "-extfile", ext, cwd=d)
    else:
        openssl("x509", "-req", "-in", name + ".csr", "-signkey", name + ".key", "-out",
                name + ".pem", "-days", "30", cwd=d)


@pytest.fixture(scope="module")
def pki():
    """A CA, two server certificates and two client certificates."""
    if not shutil.which("openssl"):
        pytest.skip("no openssl command to make test certificates")
    d = tempfile.mkdtemp(prefix="tern-tls-", dir="/tmp")
    os.chmod(d, 0o755)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "30", "-subj", "/CN=Tern Test CA", cwd=d)
    make_cert(d, "server", "/CN=mail.test.example",
              "DNS:mail.test.example,DNS:localhost,IP:127.0.0.1")
    make_cert(d, "other", "/CN=other.test.example", "DNS:other.test.example")
    for ext in ("pem", "key"):  # named for SNI lookups by file name
        shutil.copy(os.path.join(d, "other." + ext), os.path.join(d, "other.test.example." + ext))
    make_cert(d, "client", "/C=GB/O=Tern Test/CN=client.test.example")
    make_cert(d, "rogue", "/CN=rogue.test.example", ca=False)
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o644)  # SNI re-expansion reads them as the tern user
    yield d
    shutil.rmtree(d, True)


def tls_conf(pki, extra=""):
    return ("tls_certificate = {0}/server.pem\ntls_privatekey = {0}/server.key\n"
            "pipelining_connect_advertise_hosts = :\n".format(pki) + extra)


def client_ctx(pki, cert=None, verify=True):
    ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.pem"))
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(os.path.join(pki, cert + ".pem"), os.path.join(pki, cert + ".key"))
    return ctx


def upgrade(c, ctx, name="localhost"):
    """STARTTLS on a raw smtp_util.Client; the socket is TLS afterwards."""
    assert c.cmd("STARTTLS") == "220 TLS go ahead\r\n"
    assert c.buf == b""
    c.sock = ctx.wrap_socket(c.sock, server_hostname=name)


def ehlo_lines(reply):
    return [l[4:] for l in reply.splitlines()[1:]]


def wait_log(env, pred, timeout=10):
    """The first main log line satisfying pred, waiting for the connection child."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for l in env.log():
            if pred(l):
                return l
        time.sleep(0.05)
    raise AssertionError("no such log line in %r" % env.log())


def spool_header(env):
    ids = env.messages()
    assert len(ids) == 1, ids
    for p in env.input_files():
        if p.endswith(ids[0] + "-H"):
            with open(p) as f:
                return f.read()


# ---- advertising and the STARTTLS command ----

def test_ehlo_before_and_after(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki))
    with env.daemon() as d:
        c = d.client()
        before = ehlo_lines(c.cmd("EHLO x"))
        assert "STARTTLS" in before and "PIPELINING" in before
        upgrade(c, client_ctx(pki))
        after = ehlo_lines(c.cmd("EHLO x"))
        assert after == [l for l in before if l != "STARTTLS"]
        assert c.cmd("STARTTLS") == "503 STARTTLS command used when not advertised\r\n"
        assert c.cmd("QUIT") == "221 test.example closing connection\r\n"
        c.close()


def test_starttls_refusals(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki, "tls_advertise_hosts = 127.0.0.2\n"))
    with env.daemon() as d:
        c = d.client()
        assert c.cmd("STARTTLS now") == "501 unexpected argument data\r\n"
        assert "STARTTLS" not in ehlo_lines(c.cmd("EHLO x"))
        assert c.cmd("STARTTLS") == "503 STARTTLS command used when not advertised\r\n"
        assert c.cmd("QUIT").startswith("221 ")


def test_acl_smtp_starttls_deny(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki, "acl_smtp_starttls = acl_tls\nbegin acl\nacl_tls:\n"
                                      "  deny hosts = 127.0.0.1\n  accept\n"))
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        assert c.cmd("STARTTLS") == "550 Administrative prohibition\r\n"
        assert c.cmd("NOOP") == "250 OK\r\n"  # still in clear, still serving
        assert c.cmd("QUIT").startswith("221 ")
    assert "H=(x) [127.0.0.1] rejected STARTTLS " in env.log()
    assert "H=(x) [127.0.0.1] rejected STARTTLS " in env.log("reject")


BH_DIALOGUES = {
    "arguments_and_order": "STARTTLS x\r\nSTARTTLS\r\nEHLO x\r\nSTARTTLS foo\r\nQUIT\r\n",
    "acl_deny": "EHLO x\r\nSTARTTLS\r\nNOOP\r\nQUIT\r\n",
}


@pytest.mark.parametrize("name", sorted(BH_DIALOGUES))
def test_refusals_match_exim(tmp_path, pki, name):
    """Replies and log lines before any handshake, against Exim 4.96 under -bh."""
    env = Env(tmp_path, tls_conf(pki, "acl_smtp_starttls = acl_tls\n"
                                      "log_selector = +smtp_protocol_error +smtp_syntax_error\n"
                                      "begin acl\nacl_tls:\n  deny hosts = 1.2.3.4\n  accept\n"))

    def bh(binary, conf):
        p = subprocess.run([binary, "-C", conf, "-bh", "1.2.3.4"],
                           input=BH_DIALOGUES[name].encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
        return [l for l in p.stdout.decode(errors="replace").splitlines()
                if l and not l.startswith(("****", ">>>", "220 ", "250"))]
    got = bh(TERN, env.conf)
    assert got[-1] == "221 test.example closing connection"
    if not os.path.exists(EXIM):
        pytest.skip("no /usr/sbin/exim4 to compare with")
    oracle = os.path.join(env.dir, "exim.conf")
    with open(env.conf) as f, open(oracle, "w") as o:
        o.write("exim_user = root\n" + f.read().replace(env.spool, env.dir + "/exim"))
    assert got == bh(EXIM, oracle)


# ---- a message over TLS ----

def test_smtplib_message_log_received_spool(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki, QUEUE + "acl_smtp_rcpt = accept\n"))
    with env.daemon() as d:
        s = smtplib.SMTP("localhost", d.port, local_hostname="client.example", timeout=10)
        s.starttls(context=client_ctx(pki))
        assert s.sock.version() == "TLSv1.3"
        s.sendmail("a@b.example", ["u@test.example"], "Subject: tls\r\n\r\nbody\r\n")
        s.quit()
    line = wait_log(env, lambda l: " <= " in l)
    assert re.sub(r"^\S+ ", "", line) == (
        "<= a@b.example H=(client.example) [127.0.0.1] P=esmtps "
        "X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S=%s" % line.split("S=")[1])
    h = spool_header(env)
    assert "-received_protocol esmtps\n" in h
    assert "-tls_cipher TLS1.3:TLS_AES_256_GCM_SHA384:256\n" in h
    assert "-tls_ver TLS1.3\n" in h
    assert "-tls_certificate_verified" not in h
    # Exim's default received_header_text: two spaces before "(TLS1.3)"
    assert re.search(r"by test\.example with esmtps  \(TLS1\.3\) tls TLS_AES_256_GCM_SHA384\n"
                     r"\t\(Exim 4\.96\)\n", h), h


@pytest.mark.parametrize("remember", [False, True])
def test_session_forgotten_after_starttls(tmp_path, pki, remember):
    """RFC 3207 4.2: HELO and EHLO are forgotten (P=smtps after a HELO in
    TLS, as Exim 4.96 logs it) unless tls_remember_esmtp is set."""
    env = Env(tmp_path, tls_conf(pki, QUEUE + "acl_smtp_rcpt = accept\n" +
                                 ("tls_remember_esmtp\n" if remember else "")))
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        upgrade(c, client_ctx(pki))
        if not remember:
            assert c.cmd("HELO y") == "250 test.example Hello y [127.0.0.1]\r\n"
        assert c.cmd("MAIL FROM:<a@b.example>") == "250 OK\r\n"
        assert c.cmd("RCPT TO:<u@test.example>") == "250 Accepted\r\n"
        c.cmd("DATA")
        assert c.cmd("Subject: f\r\n\r\nbody\r\n.").startswith("250 OK id=")
        c.cmd("QUIT")
    want = "H=[127.0.0.1] P=esmtps" if remember else "H=(y) [127.0.0.1] P=smtps"
    wait_log(env, lambda l: " <= a@b.example %s X=TLS1.3:" % want in l)


def test_tls12_cipher_names(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki, QUEUE + "acl_smtp_rcpt = accept\n"
                                 "tls_require_ciphers = ECDHE_RSA_AES128_GCM_SHA256\n"))
    ctx = client_ctx(pki)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with env.daemon() as d:
        s = smtplib.SMTP("localhost", d.port, local_hostname="c", timeout=10)
        s.starttls(context=ctx)
        assert s.sock.cipher()[0] == "ECDHE-RSA-AES128-GCM-SHA256"
        s.sendmail("a@b.example", ["u@test.example"], "Subject: x\r\n\r\nbody\r\n")
        s.quit()
    line = wait_log(env, lambda l: " <= " in l)
    assert " P=esmtps X=TLS1.2:ECDHE-RSA-AES128-GCM-SHA256:128 CV=no " in line
    assert "(TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n" in spool_header(env)


def test_variables_and_encrypted_condition(tmp_path, pki):
    conf = tls_conf(pki, QUEUE + "acl_smtp_mail = acl_mail\nacl_smtp_rcpt = acl_rcpt\n"
                    "log_selector = +tls_peerdn +tls_sni\n"
                    "tls_try_verify_hosts = *\ntls_verify_certificates = %s/ca.pem\n"
                    "begin acl\n"
                    "acl_mail:\n"
                    "  deny !encrypted = *\n    message = encryption required\n"
                    "  deny encrypted = *RC4*:*CBC*\n    message = weak\n"
                    "  accept encrypted = TLS1.3:*\n"
                    "acl_rcpt:\n"
                    "  accept logwrite = V cipher=$tls_in_cipher std=$tls_in_cipher_std "
                    "ver=$tls_in_ver bits=$tls_in_bits dn=$tls_in_peerdn "
                    "cv=$tls_in_certificate_verified sni=$tls_in_sni old=$tls_cipher/$tls_bits/"
                    "$tls_peerdn/$tls_sni/$tls_certificate_verified "
                    "pem=${if match{$tls_in_peercert}{^-----BEGIN CERTIFICATE}{yes}{no}}/"
                    "${if match{$tls_in_ourcert}{^-----BEGIN CERTIFICATE}{yes}{no}}\n" % pki)
    env = Env(tmp_path, conf)
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        assert c.cmd("MAIL FROM:<a@b.example>") == "550 encryption required\r\n"
        upgrade(c, client_ctx(pki, "client"), "mail.test.example")
        c.cmd("EHLO x")
        assert c.cmd("MAIL FROM:<a@b.example>") == "250 OK\r\n"
        assert c.cmd("RCPT TO:<u@test.example>") == "250 Accepted\r\n"
        c.cmd("DATA")
        assert c.cmd("Subject: v\r\n\r\nbody\r\n.").startswith("250 OK id=")
        c.cmd("QUIT")
    v = wait_log(env, lambda l: l.startswith("V cipher="))
    dn = "/C=GB/O=Tern Test/CN=client.test.example"
    assert v.endswith(
        "V cipher=TLS1.3:TLS_AES_256_GCM_SHA384:256 std=TLS_AES_256_GCM_SHA384 ver=TLS1.3 "
        "bits=256 dn=%s cv=1 sni=mail.test.example old=TLS1.3:TLS_AES_256_GCM_SHA384:256/256/"
        "%s/mail.test.example/1 pem=yes/yes" % (dn, dn))
    line = wait_log(env, lambda l: " <= " in l)
    assert (" P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes DN=\"%s\" "
            "SNI=mail.test.example S=" % dn) in line
    h = spool_header(env)
    assert "-tls_certificate_verified\n" in h and "-tls_sni mail.test.example\n" in h
    assert "-tls_peerdn %s\n" % dn in h


def test_auth_only_under_tls(tmp_path, pki):
    conf = tls_conf(pki, QUEUE + "acl_smtp_rcpt = accept\n"
                    "auth_advertise_hosts = ${if def:tls_in_cipher {*}{}}\n"
                    "begin authenticators\nPLAIN:\n  driver = plaintext\n  public_name = PLAIN\n"
                    "  server_prompts = :\n  server_condition = ${if eq{$auth3}{secret}}\n"
                    "  server_set_id = $auth2\n")
    env = Env(tmp_path, conf)
    with env.daemon() as d:
        s = smtplib.SMTP("localhost", d.port, local_hostname="c", timeout=10)
        s.ehlo()
        assert not s.has_extn("auth")
        s.starttls(context=client_ctx(pki))
        s.ehlo()
        assert s.has_extn("auth")
        s.login("user", "secret")
        s.sendmail("a@b.example", ["u@test.example"], "Subject: a\r\n\r\nbody\r\n")
        s.quit()
    line = wait_log(env, lambda l: " <= " in l)
    assert " P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=PLAIN:user S=" in line


class SClient:
    """openssl s_client -starttls smtp, driven one command at a time (a
    pipelined EHLO would be a synchronization error, as in Exim)."""

    def __init__(self, port, pki, *args):
        self.p = subprocess.Popen(
            ["openssl", "s_client", "-starttls", "smtp", "-connect", "127.0.0.1:%d" % port,
             "-CAfile", os.path.join(pki, "ca.pem"), "-verify_return_error",
             "-verify_hostname", "mail.test.example", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def say(self, line, last):
        """one command, then its reply (whose last line starts with last)"""
        self.p.stdin.write(line + b"\r\n")
        self.p.stdin.flush()
        out = b""
        while True:
            l = self.p.stdout.readline()
            out += l
            if not l or l.startswith(last):
                return out.decode()

    def session_info(self):
        """what s_client printed before the first command's reply"""
        return self.say(b"EHLO s", b"250 ")

    def close(self):
        self.p.stdin.close()
        self.p.wait(10)


def test_openssl_s_client(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki, QUEUE + "acl_smtp_rcpt = accept\n"))
    with env.daemon() as d:
        c = SClient(d.port, pki, "-quiet")
        assert c.say(b"EHLO s", b"250 ").startswith("250-test.example Hello s [127.0.0.1]\r\n")
        assert c.say(b"MAIL FROM:<a@b.example>", b"250") == "250 OK\r\n"
        assert c.say(b"RCPT TO:<u@test.example>", b"250") == "250 Accepted\r\n"
        assert c.say(b"DATA", b"354").startswith("354 ")
        assert c.say(b"Subject: s\r\n\r\nbody\r\n.", b"250").startswith("250 OK id=")
        assert c.say(b"QUIT", b"221") == "221 test.example closing connection\r\n"
        c.close()
    wait_log(env, lambda l: " <= a@b.example H=(s) [127.0.0.1] P=esmtps X=TLS1.3:" in l)


def make_ocsp_proof(pki):
    """A current OCSP response for server.pem, signed by the test CA."""
    out = os.path.join(pki, "server.ocsp.der")
    if os.path.exists(out):
        return out
    serial = subprocess.run(["openssl", "x509", "-in", "server.pem", "-noout", "-serial"],
                            cwd=pki, capture_output=True, text=True).stdout.strip().split("=")[1]
    expiry = time.strftime("%y%m%d%H%M%SZ", time.gmtime(time.time() + 30 * 86400))
    with open(os.path.join(pki, "index.txt"), "w") as f:
        f.write("V\t%s\t\t%s\tunknown\t/CN=mail.test.example\n" % (expiry, serial))
    openssl("ocsp", "-issuer", "ca.pem", "-cert", "server.pem", "-reqout", "ocsp.req", "-no_nonce",
            cwd=pki)
    openssl("ocsp", "-index", "index.txt", "-rsigner", "ca.pem", "-rkey", "ca.key", "-CA", "ca.pem",
            "-reqin", "ocsp.req", "-respout", out, "-ndays", "1", cwd=pki)
    os.chmod(out, 0o644)
    return out


@pytest.mark.parametrize("stapled", [True, False])
def test_ocsp_stapling(tmp_path, pki, requires_module, stapled):
    requires_module("OCSP")
    extra = "tls_ocsp_file = %s\n" % make_ocsp_proof(pki) if stapled else ""
    env = Env(tmp_path, tls_conf(pki, extra + "acl_smtp_mail = acl_mail\nbegin acl\nacl_mail:\n"
                                 "  accept logwrite = ocsp=$tls_in_ocsp\n"))
    with env.daemon() as d:
        c = SClient(d.port, pki, "-status", "-ign_eof")  # -ign_eof: "Q..." is not a command
        info = c.session_info()
        assert c.say(b"MAIL FROM:<a@b.example>", b"250") == "250 OK\r\n"
        c.say(b"QUIT", b"221")
        c.close()
    if stapled:
        assert "OCSP Response Status: successful (0x0)" in info
        assert "Cert Status: good" in info
    else:
        assert "OCSP response: no response sent" in info
    # 2: proof sent, not verified by us; 0: nothing to staple (Exim's values)
    wait_log(env, lambda l: l == "ocsp=%d" % (2 if stapled else 0))


# ---- implicit TLS ----

def test_tls_on_connect_ports(tmp_path, pki):
    tport = free_port()
    env2 = Env(tmp_path, tls_conf(pki, QUEUE + "acl_smtp_rcpt = accept\n"
                                  "tls_on_connect_ports = %d\n" % tport))
    port = free_port()
    pid = os.path.join(env2.dir, "pid")
    p = subprocess.Popen([TERN, "-C", env2.conf, "-bdf", "-oX",
                          "127.0.0.1.%d:127.0.0.1.%d" % (port, tport), "-oP", pid])
    try:
        wait_log(env2, lambda l: "daemon started" in l)
        s = None
        for _ in range(100):
            try:
                s = smtplib.SMTP_SSL("localhost", tport, local_hostname="c", timeout=10,
                                     context=client_ctx(pki))
                break
            except ConnectionRefusedError:
                time.sleep(0.05)
        code, text = s.ehlo()
        assert code == 250 and b"STARTTLS" not in text
        s.sendmail("a@b.example", ["u@test.example"], "Subject: smtps\r\n\r\nbody\r\n")
        s.quit()
    finally:
        p.terminate()
        p.wait(10)
    assert any(l.endswith("listening for SMTP on [127.0.0.1]:%d and for SMTPS on "
                          "[127.0.0.1]:%d" % (port, tport)) for l in env2.log())
    wait_log(env2, lambda l: " <= a@b.example H=(c) [127.0.0.1] P=esmtps X=TLS1.3:" in l)


def test_bs_tls_on_connect(tmp_path, pki):
    """-bs -tls-on-connect, as run from inetd on an SMTPS port."""
    env = Env(tmp_path, tls_conf(pki, QUEUE + "acl_smtp_rcpt = accept\n"))
    a, b = socket.socketpair()
    p = subprocess.Popen([TERN, "-C", env.conf, "-bs", "-tls-on-connect"], stdin=b, stdout=b)
    b.close()
    t = client_ctx(pki).wrap_socket(a, server_hostname="localhost")
    f = t.makefile("rb")
    assert f.readline().startswith(b"220 test.example ESMTP Exim 4.96 ")
    t.sendall(b"EHLO x\r\nQUIT\r\n")
    out = f.read().decode()
    assert "STARTTLS" not in out and out.endswith("221 test.example closing connection\r\n")
    assert p.wait(10) == 0


# ---- certificates: SNI, self-signed, client verification ----

def peer_cn(sock):
    cert = sock.getpeercert()
    return dict(x[0] for x in cert["subject"])["commonName"]


def test_sni_selects_certificate(tmp_path, pki):
    # the example of doc/tls.md: a file per name, a default otherwise
    conf = ("tls_certificate = ${if exists{P/$tls_in_sni.pem}{P/$tls_in_sni.pem}{P/server.pem}}\n"
            "tls_privatekey = ${if exists{P/$tls_in_sni.key}{P/$tls_in_sni.key}{P/server.key}}\n"
            "log_selector = +tls_sni\nacl_smtp_rcpt = accept\n".replace("P/", pki + "/") + QUEUE)
    env = Env(tmp_path, conf)
    with env.daemon() as d:
        for name, cn in (("other.test.example", "other.test.example"),
                         ("mail.test.example", "mail.test.example")):
            c = d.client()
            c.cmd("EHLO x")
            upgrade(c, client_ctx(pki), name)
            assert peer_cn(c.sock) == cn
            c.cmd("EHLO x")
            c.cmd("QUIT")
            c.close()


@pytest.mark.parametrize("name,seen", [("other.test.example/../../../etc/x", ""),
                                       ("..other.test.example", ""), ("a" * 254, ""),
                                       ("plain.test.example", "plain.test.example")])
def test_hostile_sni_is_ignored(tmp_path, pki, name, seen):
    """A server name that is not a plain host name never reaches a file name."""
    conf = ("tls_certificate = ${if exists{P/$tls_in_sni.pem}{P/$tls_in_sni.pem}{P/server.pem}}\n"
            "tls_privatekey = ${if exists{P/$tls_in_sni.key}{P/$tls_in_sni.key}{P/server.key}}\n"
            .replace("P/", pki + "/") + "acl_smtp_mail = acl_mail\nbegin acl\nacl_mail:\n"
            "  accept logwrite = sni=<$tls_in_sni>\n")
    env = Env(tmp_path, conf)
    with env.daemon() as d:
        c = SClient(d.port, pki, "-quiet", "-servername", name)
        assert c.say(b"EHLO s", b"250 ").startswith("250-")  # verified as mail.test.example
        assert c.say(b"MAIL FROM:<a@b.example>", b"250") == "250 OK\r\n"
        c.say(b"QUIT", b"221")
        c.close()
    wait_log(env, lambda l: l == "sni=<%s>" % seen)


def test_renewed_certificate_is_used_without_restart(tmp_path, pki):
    """Preloaded credentials are reloaded when their files change."""
    env = Env(tmp_path, "")
    live = os.path.join(env.dir, "live")
    os.mkdir(live)
    for ext in ("pem", "key"):
        shutil.copy(os.path.join(pki, "server." + ext), os.path.join(live, "cert." + ext))
        os.chmod(os.path.join(live, "cert." + ext), 0o600)  # root only: read by the daemon
    with open(env.conf, "a") as f:
        f.write("tls_certificate = %s/cert.pem\ntls_privatekey = %s/cert.key\n" % (live, live))

    def served_cn(d):
        c = d.client()
        c.cmd("EHLO x")
        upgrade(c, client_ctx(pki, verify=False))
        cn = peer_cn_der(c.sock)
        c.cmd("QUIT")
        c.close()
        return cn
    with env.daemon() as d:
        assert served_cn(d) == "mail.test.example"
        for ext in ("pem", "key"):  # a renewal writes new files and renames them in
            tmp = os.path.join(live, "new." + ext)
            shutil.copy(os.path.join(pki, "other." + ext), tmp)
            os.chmod(tmp, 0o600)
            os.rename(tmp, os.path.join(live, "cert." + ext))
        assert served_cn(d) == "other.test.example"


def peer_cn_der(sock):
    der = sock.getpeercert(binary_form=True)
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject",
                          "-nameopt", "multiline"], input=der, capture_output=True).stdout.decode()
    return re.search(r"commonName\s+= (\S+)", out).group(1)


def test_self_signed_when_no_certificate(tmp_path):
    env = Env(tmp_path, "pipelining_connect_advertise_hosts = :\n")
    with env.daemon() as d:
        c = d.client()
        assert "STARTTLS" in ehlo_lines(c.cmd("EHLO x"))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        upgrade(c, ctx)
        der = c.sock.getpeercert(binary_form=True)
        text = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject"],
                              input=der, capture_output=True).stdout.decode()
        assert "CN = test.example" in text
        assert c.cmd("EHLO x").startswith("250-test.example Hello x [127.0.0.1]")
        c.cmd("QUIT")


def verify_conf(pki, which):
    return tls_conf(pki, QUEUE + "acl_smtp_rcpt = accept\n%s = 127.0.0.1\n"
                    "tls_verify_certificates = %s/ca.pem\nlog_selector = +tls_peerdn\n"
                    % (which, pki))


def tls_session_or_error(d, ctx):
    """EHLO over TLS; the reply, or None when the server ended the handshake."""
    c = d.client()
    c.cmd("EHLO x")
    try:
        upgrade(c, ctx)
        return c.cmd("EHLO x")
    except (ssl.SSLError, EOFError, ConnectionResetError, BrokenPipeError):
        return None


def test_verify_hosts_requires_good_certificate(tmp_path, pki):
    env = Env(tmp_path, verify_conf(pki, "tls_verify_hosts"))
    with env.daemon() as d:
        assert tls_session_or_error(d, client_ctx(pki)) is None
        assert tls_session_or_error(d, client_ctx(pki, "rogue")) is None
        assert tls_session_or_error(d, client_ctx(pki, "client")).startswith("250-")
    wait_log(env, lambda l: l.startswith(
        "TLS error on connection from (x) [127.0.0.1] (SSL_accept): ") and
        "peer did not return a certificate" in l)
    wait_log(env, lambda l: l == "[127.0.0.1] SSL verify error: depth=0 error=self-signed "
             "certificate cert=/CN=rogue.test.example")
    assert len([l for l in env.log() if "TLS error on connection" in l]) == 2


def test_try_verify_hosts_accepts_bad_certificate(tmp_path, pki):
    env = Env(tmp_path, verify_conf(pki, "tls_try_verify_hosts"))
    with env.daemon() as d:
        s = smtplib.SMTP("localhost", d.port, local_hostname="c", timeout=10)
        s.starttls(context=client_ctx(pki, "rogue"))
        s.sendmail("a@b.example", ["u@test.example"], "Subject: r\r\n\r\nbody\r\n")
        s.quit()
    line = wait_log(env, lambda l: " <= " in l)
    assert " X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no DN=\"/CN=rogue.test.example\" S=" in line
    assert "[127.0.0.1] SSL verify error: depth=0 error=self-signed certificate " \
           "cert=/CN=rogue.test.example" in env.log()


def test_alpn(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki))
    with env.daemon() as d:
        ctx = client_ctx(pki)
        ctx.set_alpn_protocols(["smtp"])
        c = d.client()
        c.cmd("EHLO x")
        upgrade(c, ctx)
        assert c.sock.selected_alpn_protocol() == "smtp"
        c.cmd("QUIT")
        ctx = client_ctx(pki)
        ctx.set_alpn_protocols(["http/1.1"])  # ALPACA: a web client sent to the mail port
        assert tls_session_or_error(d, ctx) is None
    wait_log(env, lambda l: l.startswith("TLS error on connection from (x) [127.0.0.1] "
                                         "(SSL_accept): ") and "no application protocol" in l)


def test_unusable_certificate_gives_454(tmp_path, pki):
    env = Env(tmp_path, "tls_certificate = /nonexistent/cert.pem\n"
                        "pipelining_connect_advertise_hosts = :\n")
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        assert c.cmd("STARTTLS") == "454 TLS currently unavailable\r\n"
        assert c.cmd("NOOP") == "250 OK\r\n"
        c.cmd("QUIT")
    wait_log(env, lambda l: l.startswith(
        "TLS error on connection from (x) [127.0.0.1] (SSL_CTX_use_certificate_chain_file "
        "file=/nonexistent/cert.pem): "))


# ---- hostile input ----

def test_pipelined_commands_after_starttls_are_discarded(tmp_path, pki):
    """The CVE-2011-0411 class: commands sent in clear behind STARTTLS must
    not run inside the TLS session."""
    env = Env(tmp_path, tls_conf(pki, QUEUE + "acl_smtp_rcpt = accept\n"))
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        c.send("STARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\n")
        assert c.reply() == "220 TLS go ahead\r\n"
        c.sock = client_ctx(pki).wrap_socket(c.sock, server_hostname="localhost")
        c.cmd("EHLO x")
        assert c.cmd("RCPT TO:<u@test.example>") == "503 sender not yet given\r\n"
        c.cmd("QUIT")


def test_pipelined_starttls_without_pipelining_is_sync_error(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki, "pipelining_advertise_hosts = :\n"))
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        c.send("STARTTLS\r\nMAIL FROM:<a@b>\r\n")
        assert c.rest() == "554 SMTP synchronization error\r\n"
    assert ('SMTP protocol synchronization error (next input sent too soon: pipelining was not '
            'advertised): rejected "STARTTLS" H=(x) [127.0.0.1] next input="MAIL FROM:<a@b>\\r\\n"'
            in env.log())


def test_garbage_instead_of_client_hello(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki))
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        assert c.cmd("STARTTLS") == "220 TLS go ahead\r\n"
        c.send("GET / HTTP/1.0\r\n\r\n")
        c.rest()  # an alert, then the server closes
        c2 = d.client()  # still serving
        assert c2.cmd("QUIT").startswith("221 ")
    line = wait_log(env, lambda l: l.startswith("TLS error on connection from (x) [127.0.0.1] "
                                                "(SSL_accept): "))
    assert line.endswith("SSL routines::http request")


def test_client_stops_mid_handshake(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki, "smtp_receive_timeout = 1s\n"))
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        assert c.cmd("STARTTLS") == "220 TLS go ahead\r\n"
        c.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # a ClientHello's first bytes
        assert c.rest() == ""  # the server gives up after smtp_receive_timeout
        c = d.client()
        c.cmd("EHLO x")
        assert c.cmd("STARTTLS") == "220 TLS go ahead\r\n"
        c.send(b"\x16\x03\x01")
        c.close()
    wait_log(env, lambda l: l == "TLS error on connection from (x) [127.0.0.1] (SSL_accept): "
                                 "timed out")
    # OpenSSL 3 reports a TCP close inside a TLS record as an error of its own
    wait_log(env, lambda l: l == "TLS error on connection from (x) [127.0.0.1] (SSL_accept): "
                                 "error:0A000126:SSL routines::unexpected eof while reading")


def test_close_notify_mid_data_stores_nothing(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki, QUEUE + "acl_smtp_rcpt = accept\n"))
    with env.daemon() as d:
        c = d.client()
        c.cmd("EHLO x")
        upgrade(c, client_ctx(pki))
        c.cmd("EHLO x")
        c.cmd("MAIL FROM:<a@b.example>")
        c.cmd("RCPT TO:<u@test.example>")
        assert c.cmd("DATA").startswith("354 ")
        c.send("Subject: cut\r\n\r\nhalf a body\r\n")
        c.sock.unwrap()  # close_notify, then TCP close
        c.sock.close()
        c2 = d.client()
        assert c2.cmd("QUIT").startswith("221 ")
    wait_log(env, lambda l: l == "SMTP connection from (x) [127.0.0.1] lost while reading "
                                 "message data")
    assert env.messages() == [] and env.input_files() == []


def test_bV_and_bP(tmp_path, pki):
    env = Env(tmp_path, tls_conf(pki, "tls_on_connect_ports = 465\n"))
    p = env.run(["-bV"])
    assert "OpenSSL" in p.stdout.decode().split("Support for:")[1].splitlines()[0].split()
    p = env.run(["-d", "-bV"])
    assert "Library version: OpenSSL: Compile: OpenSSL 3" in (p.stdout + p.stderr).decode()
    p = env.run(["-bP", "tls_certificate", "tls_on_connect_ports", "tls_advertise_hosts"])
    assert p.stdout.decode() == ("tls_certificate = %s/server.pem\ntls_on_connect_ports = 465\n"
                                 "tls_advertise_hosts = *\n" % pki)
