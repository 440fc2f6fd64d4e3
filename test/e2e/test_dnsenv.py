"""test_dnsenv.py - the hermetic DNS environment answers what the zones say.

Checks, from inside the namespace, each kind of answer DNS-using tests
rely on (MX, A, AAAA, PTR, TXT, CNAME chains, SRV, TLSA, DNSBL,
NXDOMAIN, SERVFAIL, REFUSED), through dig and through the plain libc
resolver (getaddrinfo, gethostbyaddr, res_query), plus the plumbing:
sockets inside the netns, daemons started in it, and the host's
/etc/resolv.conf left alone.
"""
import os
import shutil
import socket
import time

import pytest

from dnsenv import DnsEnv, dns_env, unavailable  # noqa: F401

PY = "/usr/bin/python3"
needs_dig = pytest.mark.skipif(not shutil.which("dig"),
                               reason="dig not installed (bind9-dnsutils)")


def dig(env, *args):
    """dig - (status, answer lines) of one dig query inside the env."""
    r = env.run(["dig", "+tries=1", "+time=3", "+nocmd", "+noall", "+comments",
                 "+answer"] + list(args))
    assert r.returncode == 0, r.stderr
    status = r.stdout.split("status: ", 1)[1].split(",", 1)[0]
    answers = [ln.split(None, 4)[3:] for ln in r.stdout.splitlines()
               if ln and not ln.startswith(";")]
    return status, [" ".join(a) for a in answers]


def py(env, code):
    """py - stdout of a python3 snippet run inside the env."""
    r = env.run([PY, "-c", code])
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@needs_dig
def test_mx_priorities(dns_env):
    status, ans = dig(dns_env, "mx.test.example", "MX")
    assert status == "NOERROR"
    assert sorted(ans) == ["MX 10 mx1.mx.test.example.", "MX 20 mx2.mx.test.example.",
                           "MX 20 mx3.mx.test.example.", "MX 30 mx4.mx.test.example."]
    assert sorted(dig(dns_env, "lmx.test.example", "MX")[1]) == \
        ["MX 10 a.lmx.test.example.", "MX 20 b.lmx.test.example."]
    assert dig(dns_env, "nullmx.test.example", "MX")[1] == ["MX 0 ."]


def test_getaddrinfo_a_aaaa_and_cname(dns_env):
    code = ("import socket\n"
            "for n in ('mail.test.example', 'dual.test.example', 'alias.test.example',"
            " 'ext.test.example', 'v6only.test.example'):\n"
            "    r = socket.getaddrinfo(n, 25, proto=socket.IPPROTO_TCP)\n"
            "    print(n, ' '.join(sorted(a[4][0] for a in r)))\n")
    out = py(dns_env, code).splitlines()
    assert out == ["mail.test.example 127.0.0.1 ::1",
                   "dual.test.example 127.0.0.2 2001:db8::2",
                   "alias.test.example 127.0.0.1 ::1",
                   "ext.test.example 127.0.0.9",
                   "v6only.test.example 2001:db8::6"]


def test_reverse_lookups(dns_env):
    code = ("import socket\n"
            "for a in ('127.0.0.2', '127.0.0.3', '192.0.2.1', '2001:db8::1', '127.0.0.6'):\n"
            "    h, al, _ = socket.gethostbyaddr(a)\n"
            "    print(a, h, *sorted(al))\n"
            "try:\n"
            "    socket.gethostbyaddr('127.0.0.5')\n"
            "except socket.herror as e:\n"
            "    print('127.0.0.5', e.args[0])\n")
    out = py(dns_env, code).splitlines()
    assert out[:4] == ["127.0.0.2 mail2.test.example", "127.0.0.3 mismatch.test.example",
                       "192.0.2.1 host1.test.example", "2001:db8::1 host1.test.example"]
    six = out[4].split()        # two PTRs: glibc returns one of them
    assert six[0] == "127.0.0.6" and six[1] in ("dual.test.example", "mail2.test.example")
    assert out[5] == "127.0.0.5 1"          # HOST_NOT_FOUND


@needs_dig
@pytest.mark.parametrize("name,expect", [
    ("pass.spf.test.example", '"v=spf1 ip4:127.0.0.1 ip6:::1 -all"'),
    ("fail.spf.test.example", '"v=spf1 -all"'),
    ("softfail.spf.test.example", '"v=spf1 ~all"'),
    ("neutral.spf.test.example", '"v=spf1 ?all"'),
    ("_dmarc.reject.dmarc.test.example", '"v=DMARC1; p=reject;'),
    ("_dmarc.quarantine.dmarc.test.example", '"v=DMARC1; p=quarantine;'),
    ("_dmarc.none.dmarc.test.example", '"v=DMARC1; p=none"'),
    ("sel1._domainkey.test.example", '"v=DKIM1; k=rsa; p=MIIB'),
    ("ed1._domainkey.test.example", '"v=DKIM1; k=ed25519; p='),
    ("2.0.0.127.bl.test", '"127.0.0.2 is listed'),
])
def test_txt_records(dns_env, name, expect):
    status, ans = dig(dns_env, name, "TXT")
    assert status == "NOERROR"
    assert len(ans) == 1 and ans[0].startswith("TXT " + expect), ans


@needs_dig
def test_dkim_key_matches_private_key(dns_env):
    zones = os.path.join(os.path.dirname(__file__), "zones", "keys")
    pub = dns_env.run(["openssl", "pkey", "-in", os.path.join(zones, "dkim-rsa.private"),
                       "-pubout", "-outform", "DER"], text=False).stdout
    import base64
    _, ans = dig(dns_env, "sel1._domainkey.test.example", "TXT")
    txt = "".join(part.strip('"') for part in ans[0][4:].split('" "'))
    assert txt.split("p=", 1)[1] == base64.b64encode(pub).decode()


@needs_dig
@pytest.mark.parametrize("name,qtype,status,answer", [
    ("_submission._tcp.test.example", "SRV", "NOERROR", ["SRV 0 1 587 mail.test.example."]),
    ("_25._tcp.mail.test.example", "TLSA", "NOERROR", None),
    ("3.0.0.127.bl.test", "A", "NOERROR", ["A 127.0.0.10", "A 127.0.0.3"]),
    ("1.0.0.127.bl.test", "A", "NXDOMAIN", []),
    ("nosuch.test.example", "A", "NXDOMAIN", []),
    ("www.example.com", "A", "NXDOMAIN", []),       # nothing leaves the box
    ("noaddr.test.example", "A", "NOERROR", []),    # NODATA
    ("host.servfail.example", "A", "SERVFAIL", []),
    ("tosf.test.example", "A", "SERVFAIL", []),
    ("loop1.test.example", "A", "SERVFAIL", []),    # CNAME loop
    ("refused.test.example", "MX", "REFUSED", []),
])
def test_statuses(dns_env, name, qtype, status, answer):
    got_status, ans = dig(dns_env, name, qtype)
    assert got_status == status
    if answer is not None:
        assert sorted(ans) == answer
    else:
        assert ans and ans[0].startswith("TLSA 3 1 1 ")


def test_libc_errors(dns_env):
    code = ("import socket\n"
            "for n in ('nosuch.test.example', 'host.servfail.example', 'refused.test.example'):\n"
            "    try:\n"
            "        socket.getaddrinfo(n, None)\n"
            "        print(n, 'ok')\n"
            "    except socket.gaierror as e:\n"
            "        print(n, e.errno == socket.EAI_NONAME, e.errno == socket.EAI_AGAIN)\n")
    assert py(dns_env, code).splitlines() == ["nosuch.test.example True False",
                                              "host.servfail.example False True",
                                              "refused.test.example False True"]


def test_res_query_mx(dns_env):
    # The resolver call Tern makes: res_query against /etc/resolv.conf.
    code = ("import ctypes, socket\n"
            "lib = ctypes.CDLL('libresolv.so.2')\n"
            "buf = ctypes.create_string_buffer(4096)\n"
            "herr = ctypes.CDLL(None).__h_errno_location\n"
            "herr.restype = ctypes.POINTER(ctypes.c_int)\n"
            "for n in (b'lmx.test.example', b'nosuch.test.example', b'host.servfail.example'):\n"
            "    r = lib.res_query(n, 1, 15, buf, 4096)\n"
            "    if r > 0:\n"
            "        print('rcode', buf.raw[3] & 15, 'ancount', int.from_bytes(buf.raw[6:8], 'big'))\n"
            "    else:\n"
            "        print('h_errno', herr()[0])\n")
    out = py(dns_env, code).splitlines()
    assert out == ["rcode 0 ancount 2",   # NOERROR, two MX answers
                   "h_errno 1",           # HOST_NOT_FOUND
                   "h_errno 2"]           # TRY_AGAIN


def test_only_loopback_and_private_files(dns_env):
    r = dns_env.run(["ip", "-o", "link"])
    assert [ln.split(":")[1].strip() for ln in r.stdout.splitlines()] == ["lo"]
    assert dns_env.run(["cat", "/etc/resolv.conf"]).stdout.startswith("nameserver 127.0.0.1\n")
    assert "test.example" not in open("/etc/resolv.conf").read()


def test_sockets_and_daemons_inside(dns_env):
    srv = dns_env.listen(25, "127.0.0.2")
    cli = dns_env.connect(25, "127.0.0.2", source="127.0.0.3")
    conn, peer = srv.accept()
    assert peer[0] == "127.0.0.3"
    cli.sendall(b"EHLO x\r\n")
    assert conn.recv(100) == b"EHLO x\r\n"
    for s in (conn, cli, srv):
        s.close()

    port = 20000 + os.getpid() % 20000
    echo = ("import socket\n"
            "s = socket.create_server(('127.0.0.1', %d)); print('up', flush=True)\n"
            "c, _ = s.accept(); c.sendall(socket.gethostbyname('mail2.test.example').encode())\n"
            % port)
    import subprocess
    p = dns_env.popen([PY, "-c", echo], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline() == "up\n"
        with dns_env.connect(port) as c:
            assert c.recv(100) == b"127.0.0.2"
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
        p.stdout.close()


def test_host_untouched_and_fast():
    why = unavailable()
    if why or os.environ.get("TERN_DNS_ENV"):
        pytest.skip(why or "already inside a namespace")
    before = {f: open(f).read() for f in ("/etc/resolv.conf", "/etc/hosts")}
    t0 = time.monotonic()
    env = DnsEnv().start()
    took = time.monotonic() - t0
    try:
        work = env.workdir
        assert env.run(["cat", "/etc/resolv.conf"]).stdout.startswith("nameserver 127.0.0.1")
        upid = int(open(os.path.join(work, "unbound.pid")).read())
        assert os.path.exists("/proc/%d" % upid)
    finally:
        env.stop()
    # Budget: 2 s (about 0.6 s idle); the margin absorbs a loaded machine.
    assert took < 5.0, "setup took %.2fs" % took
    assert not os.path.exists(work)
    assert not os.path.exists("/proc/%d" % upid) or \
        b"unbound" not in open("/proc/%d/cmdline" % upid, "rb").read()
    assert before == {f: open(f).read() for f in before}


def test_dnssec_ad_bit_through_libc(dns_env):
    # resolv.conf says trust-ad, so glibc asks for and passes on the AD bit:
    # set for the signed secure.example, clear for unsigned test.example.
    code = ("import ctypes\n"
            "lib = ctypes.CDLL('libresolv.so.2')\n"
            "buf = ctypes.create_string_buffer(4096)\n"
            "for n, t in ((b'_25._tcp.mail.secure.example', 52), (b'mail.secure.example', 1),"
            " (b'mail.test.example', 1)):\n"
            "    r = lib.res_query(n, 1, t, buf, 4096)\n"
            "    print(r > 0, bool(buf.raw[3] & 0x20))\n")
    assert py(dns_env, code).splitlines() == ["True True", "True True", "True False"]
