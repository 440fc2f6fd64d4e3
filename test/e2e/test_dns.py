"""dns.c, dnsdb and @mx_* against a real DNS server: unbound serving a
test zone on 127.0.0.1 inside a private network and mount namespace whose
/etc/resolv.conf points at it (unshare --net --mount). The checks are in
test/unit/test_dns_live.c, run here inside the namespace. Skips without
root-capable unshare or unbound."""
import os
import shutil
import subprocess
import textwrap

import pytest

TERN = os.environ.get("TERN_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "tern"))
LIVE = os.path.join(os.path.dirname(os.path.abspath(TERN)), "unit", "test_dns_live")
UNBOUND = shutil.which("unbound") or ("/usr/sbin/unbound" if os.path.exists("/usr/sbin/unbound") else None)

ZONE = [
    "test.example. 300 IN SOA ns.test.example. hostmaster.test.example. 1 3600 600 86400 300",
    "test.example. 300 IN NS ns.test.example.",
    "ns.test.example. 300 IN A 127.0.0.1",
    "test.example. 300 IN MX 10 mx1.test.example.",
    "test.example. 300 IN MX 20 mx2.test.example.",
    "second.test.example. 300 IN MX 5 mx2.test.example.",
    "second.test.example. 300 IN MX 10 mx1.test.example.",
    "mx1.test.example. 300 IN A 127.0.0.1",
    "mx2.test.example. 300 IN A 192.0.2.99",
    "v6.test.example. 300 IN AAAA 2001:db8::1",
    "v6.test.example. 300 IN A 192.0.2.6",
    "alias.test.example. 300 IN CNAME mx1.test.example.",
    'test.example. 300 IN TXT "one" "two"',
    'test.example. 300 IN SPF "v=spf1 " "-all"',
    "_smtp._tcp.test.example. 300 IN SRV 1 2 25 mx1.test.example.",
    "_25._tcp.mx1.test.example. 300 IN TLSA 3 1 1 abcdef",
    "nomx.test.example. 300 IN A 192.0.2.1",
]


def have_unshare():
    return shutil.which("unshare") and subprocess.run(
        ["unshare", "--net", "--mount", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not UNBOUND, reason="unbound not installed")
@pytest.mark.skipif(not have_unshare(), reason="cannot create network namespaces here")
def test_dns_live(tmp_path):
    if not os.path.exists(LIVE):
        pytest.skip("build/unit/test_dns_live not built (make unit)")
    data = "\n".join("  local-data: '%s'" % r for r in ZONE)
    conf = textwrap.dedent("""\
        server:
          interface: 127.0.0.1
          port: 53
          do-daemonize: no
          username: ""
          chroot: ""
          directory: "%s"
          pidfile: ""
          use-syslog: no
          access-control: 127.0.0.0/8 allow
          do-ip6: no
          rrset-roundrobin: no
          local-zone: "test.example." static
          local-zone: "0.0.127.in-addr.arpa." static
          local-data-ptr: "127.0.0.1 mx1.test.example."
        """) % tmp_path + data + "\nremote-control:\n  control-enable: no\n"
    (tmp_path / "unbound.conf").write_text(conf)
    (tmp_path / "resolv.conf").write_text("nameserver 127.0.0.1\noptions attempts:1 timeout:2\n")
    script = textwrap.dedent("""\
        set -e
        ip link set lo up
        mount --bind {d}/resolv.conf /etc/resolv.conf
        {unbound} -c {d}/unbound.conf >{d}/unbound.log 2>&1 &
        pid=$!
        for i in 1 2 3 4 5 6 7 8 9 10; do
            if getent hosts mx1.test.example >/dev/null; then break; fi
            sleep 0.3
        done
        rc=0
        TERN_DNS_LIVE=1 TERN_DNS_DEBUG=1 {live} || rc=$?
        kill $pid
        exit $rc
        """).format(d=tmp_path, unbound=UNBOUND, live=LIVE)
    r = subprocess.run(["unshare", "--net", "--mount", "sh", "-c", script], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 failed" in r.stdout
