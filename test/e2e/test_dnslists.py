"""The dnslists ACL condition and $dnslist_domain $dnslist_text
$dnslist_value $dnslist_matched, through the hermetic DNS (zones/bl.test.zone).
Each case runs `tern -bh` inside the namespace and, where Exim is
installed, the same dialogue through Exim 4.96: replies and log lines
must be identical."""

import os
import pathlib
import re
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
acl_smtp_rcpt = acl_rcpt
begin acl
acl_rcpt:
  deny dnslists = {lists}
       message = d=$dnslist_domain v=$dnslist_value m=$dnslist_matched t=$dnslist_text
  accept
"""


def run(env, tmp_path, ip, lists, prog=TERN, rcpt="x@y.example"):
    p = tmp_path / "conf"
    p.write_text(CONF.format(spool=tmp_path / "spool", lists=lists))
    os.chmod(p, 0o644)
    dialogue = f"EHLO h\r\nMAIL FROM:<a@bad.test.example>\r\nRCPT TO:<{rcpt}>\r\nQUIT\r\n"
    r = env.run([prog, "-C", str(p), "-bh", ip], input=dialogue, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True)
    # several A records come in the resolver's (rotating) order: sort them
    return [re.sub(r"v=(\S+(?:, \S+)+) ", lambda m: "v=" + ", ".join(sorted(m.group(1).split(", "))) + " ", ln)
            for ln in r.stdout.splitlines() if ln.startswith("LOG: ") or ln[:4] in ("550 ", "550-")]


CASES = [
    ("127.0.0.2", "bl.test",
     ["LOG: H=(h) [127.0.0.2] F=<a@bad.test.example> rejected RCPT <x@y.example>: d=bl.test "
      "v=127.0.0.2 m=127.0.0.2 t=127.0.0.2 is listed, see http://bl.test/lookup?127.0.0.2",
      "550-d=bl.test v=127.0.0.2 m=127.0.0.2 t=127.0.0.2 is listed, see",
      "550 http://bl.test/lookup?127.0.0.2"]),
    ("127.0.0.1", "bl.test", None),            # not listed: accepted
    ("127.0.0.3", "bl.test=127.0.0.10",  # two codes, one matches the value list
     ["LOG: H=(h) [127.0.0.3] F=<a@bad.test.example> rejected RCPT <x@y.example>: d=bl.test "
      "v=127.0.0.10, 127.0.0.3 m=127.0.0.3 t=127.0.0.3 is listed twice",
      "550 d=bl.test v=127.0.0.10, 127.0.0.3 m=127.0.0.3 t=127.0.0.3 is listed twice"]),
    ("127.0.0.3", "bl.test=127.0.0.9", None),
    ("127.0.0.4", "bl.test", None),             # listed without TXT
    ("127.0.0.2", "bl.test&0.0.0.2", None),     # bit mask
    ("127.0.0.2", "bl.test!=127.0.0.2", None),
    ("127.0.0.1", "bl.test/bad.test.example", None),  # an explicit key (RHSBL style)
    ("127.0.0.1", "nosuch.bl.test : bl.test/127.0.0.2", None),
    ("127.0.0.1", "refused.test.example", None),  # a lookup that fails: not listed
]


@pytest.mark.parametrize("ip,lists,want", CASES)
def test_dnslists(dns_env, tmp_path, ip, lists, want):
    mine = run(dns_env, tmp_path, ip, lists)
    if want:
        assert mine == want
    if os.path.exists(EXIM):
        assert mine == run(dns_env, tmp_path, ip, lists, EXIM)


@pytest.mark.parametrize("opt,want", [
    ("dns_again_means_nonexist = *.servfail.example", "n"),
    ("", 'Failed: lookup of "a=host.servfail.example" gave DEFER: '),
])
def test_dns_again_means_nonexist(dns_env, tmp_path, opt, want):
    p = tmp_path / "conf"
    p.write_text(f"primary_hostname = x.test\n{opt}\n")
    os.chmod(p, 0o644)
    expr = "${lookup dnsdb{a=host.servfail.example}{y:$value}{n}}"
    for prog in (TERN, EXIM) if os.path.exists(EXIM) else (TERN,):
        r = dns_env.run([prog, "-C", str(p), "-be", expr], stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, text=True)
        assert r.stdout.splitlines()[0] == want, prog
