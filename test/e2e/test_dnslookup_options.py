"""test_dnslookup_options.py - dnslookup router options through the DNS
test environment (dnsenv.py), with `tern -bt`; where Exim 4.96 prints the
same thing the oracle is run on the same config and compared.
"""
import os
import pathlib

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
begin routers
dl:
  driver = dnslookup
  transport = t
  {opts}
  no_more
begin transports
t:
  driver = smtp
"""


def conf(tmp_path, opts=""):
    p = tmp_path / "conf"
    p.write_text(CONF.format(spool=tmp_path / "spool", opts=opts))
    os.chmod(p, 0o644)
    return str(p)


def bt(env, c, addr, prog=TERN, envvars=()):
    r = env.run(["env", *envvars, prog, "-C", c, "-bt", addr])
    return r.returncode, r.stdout


def same_as_exim(env, c, addr):
    mine = bt(env, c, addr)
    if os.path.exists(EXIM):
        assert mine == bt(env, c, addr, EXIM)
    return mine


def test_plain_cases_match_exim(tmp_path, dns_env):
    c = conf(tmp_path)
    for d in ["lmx.test.example", "nomx.test.example", "nullmx.test.example", "www.example.com",
              "servfail.example", "mxnohost.test.example", "mxservfail.test.example",
              "noaddr.test.example"]:
        same_as_exim(dns_env, c, "u@" + d)


def test_mx_domains(tmp_path, dns_env):
    rc, out = same_as_exim(dns_env, conf(tmp_path, "mx_domains = nomx.test.example"), "u@nomx.test.example")
    assert rc == 2 and "Unrouteable address" in out


def test_ipv4_only_and_prefer(tmp_path, dns_env):
    rc, out = same_as_exim(dns_env, conf(tmp_path, "ipv4_only = yes"), "u@dual.test.example")
    assert "[127.0.0.2]" in out and "2001:db8" not in out
    rc, out = bt(dns_env, conf(tmp_path, "ipv4_prefer = true"), "u@dual.test.example")
    assert out.index("[127.0.0.2]") < out.index("[2001:db8::2]")
    rc, out = bt(dns_env, conf(tmp_path), "u@dual.test.example")
    assert out.index("[2001:db8::2]") < out.index("[127.0.0.2]")


def test_widen_domains(tmp_path, dns_env):
    rc, out = bt(dns_env, conf(tmp_path, "widen_domains = nowhere.example:test.example"), "u@lmx")
    assert rc == 0 and "u@lmx.test.example" in out and "a.lmx.test.example [127.0.0.2] MX=10" in out


def test_qualify_single_uses_resolver_domain(tmp_path, dns_env):
    c = conf(tmp_path)
    rc, out = bt(dns_env, c, "u@lmx", envvars=["LOCALDOMAIN=test.example"])
    assert rc == 0 and "u@lmx.test.example" in out
    rc, out = bt(dns_env, conf(tmp_path, "no_qualify_single"), "u@lmx", envvars=["LOCALDOMAIN=test.example"])
    assert rc == 2


def test_search_parents(tmp_path, dns_env):
    c = conf(tmp_path, "search_parents")
    rc, out = bt(dns_env, c, "u@a.lmx", envvars=["LOCALDOMAIN=test.example"])
    assert rc == 0 and "u@a.lmx.test.example" in out
    rc, out = bt(dns_env, conf(tmp_path), "u@a.lmx", envvars=["LOCALDOMAIN=test.example"])
    assert rc == 2


def test_fail_defer_domains(tmp_path, dns_env):
    rc, out = bt(dns_env, conf(tmp_path, "fail_defer_domains = *.example.com"), "u@www.example.com")
    assert rc == 1 and "DNS lookup for www.example.com failed" in out


def test_mx_fail_domains(tmp_path, dns_env):
    rc, out = bt(dns_env, conf(tmp_path), "u@servfail.example")
    assert rc == 1
    rc, out = bt(dns_env, conf(tmp_path, "mx_fail_domains = servfail.example"), "u@servfail.example")
    assert rc == 1  # the A lookup fails too: still deferred, now by the address lookup


def test_check_secondary_mx(tmp_path, dns_env):
    rc, out = same_as_exim(dns_env, conf(tmp_path, "check_secondary_mx"), "u@lmx.test.example")
    assert rc == 2


def test_self_options(tmp_path, dns_env):
    rc, out = bt(dns_env, conf(tmp_path, "self = fail"), "u@test.example")
    assert rc == 2 and "lowest numbered MX record points to local host" in out
    rc, out = bt(dns_env, conf(tmp_path, "self = send"), "u@test.example")
    assert rc == 0 and "mail.test.example" in out
