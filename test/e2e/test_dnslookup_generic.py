"""test_dnslookup_generic.py - generic router options whose effect shows
only with DNS answers (pass_on_timeout on a SERVFAIL, for dnslookup and
manualroute host lookups, ignore_target_hosts
on MX results, qualify_single, same_domain_copy_routing), through the DNS
test environment (dnsenv.py) with -bt, compared with Exim 4.96."""
import os

import pytest

from dnsenv import dns_env  # noqa: F401
from test_dnslookup_options import EXIM, TERN

CONF = """\
spool_directory = {spool}
exim_user = root
exim_group = root
primary_hostname = x.test
keep_environment = LOCALDOMAIN
begin routers
dl:
  driver = dnslookup
  transport = t
{opts}
fallback:
  driver = manualroute
  route_list = * 127.0.0.9
  transport = t
begin transports
t:
  driver = smtp
"""

CASES = {
    "pass_on_timeout": ("  pass_on_timeout\n  no_more\n", ["u@servfail.example", "u@lmx.test.example"]),
    "servfail_defers": ("  no_more\n", ["u@servfail.example"]),
    "ignore_some_mx": ("  ignore_target_hosts = 127.0.0.3\n  no_more\n", ["u@mx.test.example", "u@lmx.test.example"]),
    "ignore_all_mx": ("  ignore_target_hosts = 127.0.0.0/8\n", ["u@lmx.test.example", "u@nomx.test.example"]),
    "ignore_expanded": ("  ignore_target_hosts = ${if eq{$domain}{lmx.test.example}{127.0.0.2}{}}\n",
                        ["u@lmx.test.example", "u@nomx.test.example"]),
    "same_domain_copy_routing": ("  same_domain_copy_routing\n",
                                 ["a@lmx.test.example", "b@lmx.test.example", "c@nomx.test.example",
                                  "d@nomx.test.example"]),
    "manualroute_pass_on_timeout": ("MANUAL  pass_on_timeout\n", ["u@a.example"]),
    "manualroute_timeout_defers": ("MANUAL", ["u@a.example"]),
    "qualify_single": ("  qualify_single\n  no_more\n", ["u@lmx"]),
    "no_qualify_single": ("  no_qualify_single\n  no_more\n", ["u@lmx"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_exim(tmp_path, dns_env, case):
    if not os.path.exists(EXIM):
        pytest.skip("no Exim oracle")
    opts, addrs = CASES[case]
    conf = tmp_path / "conf"
    text = CONF.format(spool=tmp_path / "spool", opts=opts)
    if opts.startswith("MANUAL"):  # a manualroute router whose host lookup fails temporarily
        text = text.replace("  driver = dnslookup\n", "  driver = manualroute\n  route_list = * host.servfail.example\n")
        text = text.replace("MANUAL", "")
    conf.write_text(text)
    os.chmod(conf, 0o644)
    env = ["env", "LOCALDOMAIN=test.example"]
    mine = dns_env.run([*env, TERN, "-C", str(conf), "-bt", *addrs])
    exim = dns_env.run([*env, EXIM, "-C", str(conf), "-bt", *addrs])
    assert (mine.returncode, mine.stdout) == (exim.returncode, exim.stdout), mine.stderr


MX_ROUTES = {
    "mx": "* lmx.test.example/MX",
    "mx_across_zones": "* other.example/MX",
    "mx_then_host": "* \"lmx.test.example/MX : 127.0.0.9\"",
    "mx_randomize": "* lmx.test.example/MX randomize",
}


@pytest.mark.parametrize("case", sorted(MX_ROUTES))
def test_manualroute_mx_hosts(tmp_path, dns_env, case):
    """manualroute host items "name/MX" take the name's MX hosts, in
    preference order, as Exim 4.96 does (-bt output compared)"""
    if not os.path.exists(EXIM):
        pytest.skip("no Exim oracle")
    text = CONF.format(spool=tmp_path / "spool", opts="  no_more\n")
    text = text.replace("  driver = dnslookup\n", f"  driver = manualroute\n  route_list = {MX_ROUTES[case]}\n")
    conf = tmp_path / "conf"
    conf.write_text(text)
    os.chmod(conf, 0o644)
    mine = dns_env.run([TERN, "-C", str(conf), "-bt", "u@a.example"])
    exim = dns_env.run([EXIM, "-C", str(conf), "-bt", "u@a.example"])
    assert (mine.returncode, mine.stdout) == (exim.returncode, exim.stdout), mine.stderr
    # other.example's MX is an address of this (namespace's) host: self = freeze
    assert ("points to local host" if case == "mx_across_zones" else " host ") in mine.stdout
