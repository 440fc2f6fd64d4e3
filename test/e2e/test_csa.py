"""verify = csa (Client SMTP Authorization) and $csa_status through the
hermetic DNS (zones/test.example.zone, section CSA; 127.0.0.1 has a
record in the reverse tree). Each case runs `tern -bh` inside the
namespace and, where Exim is installed, the same dialogue through Exim
4.96: replies and log lines must be identical."""

import os
import pathlib
import subprocess

import pytest

from dnsenv import dns_env  # noqa: F401

REPO = pathlib.Path(__file__).resolve().parents[2]
TERN = os.environ.get("TERN_BIN", str(REPO / "build" / "tern"))
EXIM = "/usr/sbin/exim4"

CONF = """\
spool_directory = {spool}
exim_user = root
exim_group = root
primary_hostname = x.test
hosts_require_helo =
{opts}
acl_smtp_mail = acl_mail
begin acl
acl_mail:
  {check}
  deny message = csa=$csa_status
begin routers
begin transports
"""


def conf(tmp_path, check="deny !verify = csa", opts=""):
    p = tmp_path / "conf"
    p.write_text(CONF.format(spool=tmp_path / "spool", check=check, opts=opts))
    os.chmod(p, 0o644)
    return str(p)


def bh(env, c, ip, helo, prog=TERN):
    hello = f"EHLO {helo}\r\n" if helo else ""
    r = env.run([prog, "-C", c, "-bh", ip], input=hello + "MAIL FROM:<a@b.example>\r\nQUIT\r\n",
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return [ln for ln in r.stdout.splitlines()
            if ln.startswith("LOG: ") or ln.startswith("550 ")]


def check(env, c, ip, helo):
    mine = bh(env, c, ip, helo)
    if os.path.exists(EXIM):
        assert mine == bh(env, c, ip, helo, EXIM)
    return mine


FAILED = "client SMTP authorization failed"
CASES = [
    # client, HELO, the reply
    ("127.0.0.1", "yes.csa.test.example", "csa=ok"),
    ("127.0.0.2", "yes.csa.test.example", FAILED + " (client address mismatch)"),
    ("127.0.0.1", "no.csa.test.example", FAILED + " (host name not authorized)"),
    ("127.0.0.1", "unk.csa.test.example", "csa=unknown"),
    ("127.0.0.1", "v6.csa.test.example", FAILED + " (no authorized addresses)"),
    ("127.0.0.1", "ver2.csa.test.example", "csa=unknown"),
    ("127.0.0.2", "strict.csa.test.example", "csa=ok"),
    # NXDOMAIN ends the search; NODATA searches the parents
    ("127.0.0.2", "host.strict.csa.test.example", "csa=unknown"),
    ("127.0.0.2", "nodata.strict.csa.test.example", FAILED + " (explicit authorization required)"),
    ("127.0.0.2", "nodata.lax.csa.test.example", "csa=unknown"),
    ("127.0.0.1", "defer.csa.test.example", "csa=defer"),
    ("127.0.0.1", "tdefer.csa.test.example", "csa=defer"),
    ("127.0.0.1", "none.csa.test.example", "csa=unknown"),
    ("127.0.0.1", "nosuch.invalid", "csa=unknown"),
    # address literals and bare addresses: the reverse tree
    ("127.0.0.2", "[127.0.0.2]", "csa=unknown"),
    ("127.0.0.1", "127.0.0.1", "csa=ok"),
]


@pytest.mark.parametrize("ip,helo,reply", CASES)
def test_csa_results(dns_env, tmp_path, ip, helo, reply):
    out = check(dns_env, conf(tmp_path), ip, helo)
    assert out == [f"LOG: H=({helo}) [{ip}] rejected MAIL <a@b.example>: {reply}",
                   f"550 {reply}"]


@pytest.mark.parametrize("helo,reply", [
    ("yes.csa.test.example", "client SMTP authorization ok"),
    ("unk.csa.test.example", "client SMTP authorization unknown"),
    ("defer.csa.test.example", "client SMTP authorization deferred (SRV lookup failed)"),
    ("tdefer.csa.test.example", "client SMTP authorization deferred (target address lookup failed)"),
])
def test_csa_passing_results_as_reply(dns_env, tmp_path, helo, reply):
    out = check(dns_env, conf(tmp_path, "deny verify = csa"), "127.0.0.1", helo)
    assert out[-1] == f"550 {reply}"


def test_csa_explicit_domain(dns_env, tmp_path):
    c = conf(tmp_path, "deny !verify = csa/yes.csa.test.example")
    out = check(dns_env, c, "127.0.0.2", "foo.example")
    assert out[-1] == "550 " + FAILED + " (client address mismatch)"


def test_csa_without_helo_uses_the_address(dns_env, tmp_path):
    assert check(dns_env, conf(tmp_path), "127.0.0.1", None)[-1] == "550 csa=ok"


def test_csa_reverse_switched_off(dns_env, tmp_path):
    c = conf(tmp_path, opts="dns_csa_use_reverse = false")
    assert check(dns_env, c, "127.0.0.1", None)[-1] == "550 csa=unknown"


def test_csa_search_limit(dns_env, tmp_path):
    # the strict record is three levels below test.example: a limit of 2
    # stops the search before it
    c = conf(tmp_path, opts="dns_csa_search_limit = 2")
    out = check(dns_env, c, "127.0.0.2", "nodata.strict.csa.test.example")
    assert out[-1] == "550 csa=unknown"


def test_csa_local_caller_is_unknown(tmp_path):
    c = conf(tmp_path)
    r = subprocess.run([TERN, "-C", c, "-bs"], input="EHLO yes.csa.test.example\r\n"
                       "MAIL FROM:<a@b.example>\r\nQUIT\r\n", capture_output=True, text=True)
    assert "\n550 csa=unknown\n" in r.stdout


def test_dnsdb_csa(dns_env, tmp_path):
    c = conf(tmp_path)
    cases = [  # (Exim refuses -be arguments over 256 bytes: one each)
        ("${lookup dnsdb{csa=yes.csa.test.example}}", "Y yes.csa.test.example"),
        ("${lookup dnsdb{csa=no.csa.test.example}}", "N no.csa.test.example"),
        ("${lookup dnsdb{csa=unk.csa.test.example}}", "? unk.csa.test.example"),
        ("${lookup dnsdb{csa=nodata.strict.csa.test.example}}", "X strict.csa.test.example"),
        ("${lookup dnsdb{csa=127.0.0.1}}", "Y yes.csa.test.example"),
        ("${lookup dnsdb{csa=[127.0.0.1]}{$value}{none}}", "none"),  # no literals here
        ("${lookup dnsdb{csa=none.csa.test.example}{$value}{none}}", "none"),
        ("${lookup dnsdb{>, csa=yes.csa.test.example:no.csa.test.example}}",
         "Y yes.csa.test.example,N no.csa.test.example"),
        ("${lookup dnsdb{csa=ver2.csa.test.example}{$value}{none}}", "none"),
    ]
    for prog in (TERN, EXIM) if os.path.exists(EXIM) else (TERN,):
        r = dns_env.run([prog, "-C", c, "-be"] + [e for e, _ in cases])
        assert r.stdout.splitlines() == [w for _, w in cases], (prog, r.stderr)
