"""test_bp_main.py - `tern -bP` against a live Exim 4.96 for the main section.

Runs both binaries on the same configuration and compares every main
option line. Skipped when /usr/sbin/exim4 (the oracle) is not installed.
The binary under test is $TERN_BIN (default: build/tern in this checkout).

Only the main section of each configure.default is used (the file is cut
at "begin routers"): driver options are compared by their own tests.

Lines that legitimately differ, and why:
  - how Debian built its exim, not what Exim does:
      exim_path exim_user exim_group log_file_path pid_file_path
      spool_directory process_log_path (build-time paths and users);
      headers_charset (Debian sets HEADERS_CHARSET=UTF-8; Exim's documented
      default, which Tern uses, is ISO-8859-1).
  - TLS library: Debian's exim uses GnuTLS, so it has gnutls_* options and
    configure.default's "_HAVE_OPENSSL" block (tls_require_ciphers) is
    skipped there but taken by Tern, which uses OpenSSL.
  - features Debian builds and Tern does not (Tern refuses these options
    with an error naming the feature, so -bP does not list them): content
    scanning (acl_smtp_mime acl_not_smtp_mime av_scanner spamd_address),
    LDAP (ldap_*), MySQL, PostgreSQL, Perl (perl_*), local_scan
    (local_scan_path, a Debian addition, and local_scan_timeout), move_frozen_messages.
  - features Tern builds and Debian does not (EXPERIMENTAL_DCC, _DMARC,
    _REDIS): dcc_direct_add_header dccifd_address dccifd_options
    dmarc_forensic_sender dmarc_history_file dmarc_tld_file redis_servers.
  - in a build without EXPERIMENTAL_DSN, _PROXY or _SPF, Tern refuses the
    options of that module that Exim 4.96 has as standard.
  - the host name: Exim canonicalises uname's name through the resolver,
    Tern uses uname's name as given, so primary_hostname and the two
    qualify_* options that default to it are checked for consistency only.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TERN = os.environ.get("TERN_BIN", str(ROOT / "build" / "tern"))
EXIM = "/usr/sbin/exim4"
REF = Path(os.environ.get("TERN_REFERENCE", ROOT.parent / "shared" / "reference"))
if not REF.is_dir():
    REF = Path("/work/shared/reference")

pytestmark = pytest.mark.skipif(not os.path.exists(EXIM), reason="no exim4 oracle installed")

BUILD_DIFFERS = {"exim_path", "exim_user", "exim_group", "log_file_path", "pid_file_path",
                 "spool_directory", "process_log_path", "headers_charset", "tls_require_ciphers"}
HOST_DEPENDENT = {"primary_hostname", "qualify_domain", "qualify_recipient"}
DEBIAN_ONLY = {"acl_smtp_mime", "acl_not_smtp_mime", "av_scanner", "spamd_address",
               "gnutls_allow_auto_pkcs11", "gnutls_compat_mode", "mysql_servers",
               "pgsql_servers", "perl_at_start", "perl_startup", "perl_taintmode",
               "local_scan_path", "local_scan_timeout", "move_frozen_messages"}
DEBIAN_ONLY_PREFIX = ("ldap_",)
# Options both have, but Tern only when the module is built.
SHARED_MODULE = {"DSN": {"dsn_advertise_hosts"}, "Proxy": {"hosts_proxy", "proxy_protocol_timeout"},
                 "SPF": {"spf_guess", "spf_smtp_comment_template"}}
TERN_MODULE_ONLY = {"DCC": {"dcc_direct_add_header", "dccifd_address", "dccifd_options"},
                    "DMARC": {"dmarc_forensic_sender", "dmarc_history_file", "dmarc_tld_file"},
                    "Redis": {"redis_servers"}}

# Settings of every option type, with values whose -bP forms differ.
VALUES_CONF = """\
check_spool_space = 1
check_log_space = 3145728
message_body_visible = 1G
bounce_return_size_limit = 2048
recipients_max = 2K
queue_only_load = 2.1234
smtp_load_reserve = 10
deliver_queue_load_max = 0.5
delay_warning = 6h:1d:2d
trusted_users = root:0
trusted_groups = root:0
admin_groups = root:4000000
never_users = root
system_filter_user = 0
system_filter_group = 0
smtp_receive_timeout = 90061s
auto_thaw = 7d
keep_malformed = 14d
sqlite_lock_timeout = 2m
rfc1413_query_timeout = 1w1s
smtp_banner = "a\\tb\\x01"
received_headers_max = 0x10
dns_retry = 010
no_write_rejectlog
accept_8bitmime = false
tcp_nodelay = yes
return_size_limit = 4K
check_log_inodes = -5
hide acl_smtp_rcpt = secret
"""


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def main_section(version, tmp_path):
    """The configure.default of VERSION cut before its router section."""
    text = (REF / f"exim-{version}" / "configure.default").read_text()
    out = tmp_path / f"main-{version}.conf"
    out.write_text(text.split("\nbegin routers", 1)[0] + "\n")
    return out


def option_lines(output):
    """name -> -bP line, for each option line of OUTPUT"""
    lines = {}
    for line in output.splitlines():
        m = re.match(r"(?:no_)?([a-z0-9_]+)(?: =|$)", line)
        if m:
            lines[m.group(1)] = line
    return lines


def tern_modules():
    out = run([TERN, "-C", "/dev/null", "-bV"]).stdout
    return set(re.findall(r"Experimental_(\w+)", out))


def expected_differences():
    skip = BUILD_DIFFERS | HOST_DEPENDENT | DEBIAN_ONLY
    built = tern_modules()
    tern_only = set()
    for mod, names in TERN_MODULE_ONLY.items():
        if mod in built:
            tern_only |= names
    for mod, names in SHARED_MODULE.items():
        if mod not in built:
            skip |= names
    return skip, tern_only


def compare(conf):
    exim = run([EXIM, "-C", str(conf), "-bP"])
    tern = run([TERN, "-C", str(conf), "-bP"])
    assert exim.returncode == 0, exim.stderr
    assert tern.returncode == 0, tern.stderr
    e, t = option_lines(exim.stdout), option_lines(tern.stdout)
    skip, tern_only = expected_differences()
    e_names = {n for n in e if n not in skip and not n.startswith(DEBIAN_ONLY_PREFIX)}
    t_names = {n for n in t if n not in skip and n not in tern_only}
    assert sorted(e_names - t_names) == [], "options Exim shows and Tern does not"
    assert sorted(t_names - e_names) == [], "options Tern shows and Exim does not"
    diffs = [(e[n], t[n]) for n in sorted(e_names) if e[n] != t[n]]
    assert diffs == []
    # same order as Exim for the lines both show
    order_e = [n for n in e if n in e_names]
    order_t = [n for n in t if n in e_names]
    assert order_e == order_t
    # the host-dependent values agree with each other
    host = t["primary_hostname"].split(" = ", 1)[1]
    assert t["qualify_domain"] == f"qualify_domain = {host}"
    assert t["qualify_recipient"] == f"qualify_recipient = {host}"
    return t


@pytest.mark.parametrize("version", ["4.84", "4.96"])
def test_bp_main_configure_default(version, tmp_path):
    compare(main_section(version, tmp_path))


def test_bp_main_every_type(tmp_path):
    conf = tmp_path / "values.conf"
    extra = "spf_guess = v=spf1 -all\n" if "SPF" in tern_modules() else ""
    conf.write_text(VALUES_CONF + extra)
    t = compare(conf)
    assert t["acl_smtp_rcpt"] == "acl_smtp_rcpt = secret"  # root is an admin user


@pytest.mark.parametrize("version", ["4.84", "4.96"])
def test_configure_default_main_section_loads(version, tmp_path):
    r = run([TERN, "-C", str(main_section(version, tmp_path)), "-bV"])
    assert r.returncode == 0, r.stderr


def test_484_era_names_load(tmp_path):
    conf = tmp_path / "era.conf"
    conf.write_text("return_size_limit = 10K\n")
    r = run([TERN, "-C", str(conf), "-bP", "bounce_return_size_limit"])
    assert r.stdout == "bounce_return_size_limit = 10K\n"
    if "Proxy" in tern_modules():
        conf.write_text("proxy_required_hosts = 127.0.0.1\n")
        r = run([TERN, "-C", str(conf), "-bP", "hosts_proxy"])
        assert r.stdout == "hosts_proxy = 127.0.0.1\n"


BAD = [
    "accept_8bitmime = maybe", "recipients_max = abc", "recipients_max = 12x",
    "recipients_max = 99999999999", "message_body_visible = 1Q", "check_spool_space = zz",
    "check_spool_space = 1.5", "queue_only_load = abc", "queue_only_load = 1.2.3",
    "auto_thaw = 5q", "auto_thaw = 30", "delay_warning = 1h:zz", "delay_warning = 1h:30m",
    "delay_warning = 1h:2h:3h:4h:5h:6h:7h:8h:9h:10h:11h", "exim_user = no-such-user-x",
    "exim_group = no-such-group-x", "trusted_groups = no-such-group-x",
    "never_users = no-such-user-x", "no_recipients_max = 5", "recipients_max",
    "accept_8bitmime 5", "no_accept_8bitmime = true", "nonexistent_option = 1",
    "tls_dh_max_bits = 100", "smtp_receive_timeout = 30",
]


def first_error(output):
    for line in output.splitlines():
        if line.startswith("  "):
            return line.strip()
    return None


@pytest.mark.parametrize("setting", BAD)
def test_errors_match_exim(setting, tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text(setting + "\n")
    exim = run([EXIM, "-C", str(conf), "-bV"])
    tern = run([TERN, "-C", str(conf), "-bV"])
    assert tern.returncode != 0
    assert first_error(tern.stdout + tern.stderr) == first_error(exim.stdout + exim.stderr)


def test_unbuilt_feature_is_refused_by_name(tmp_path):
    conf = tmp_path / "cs.conf"
    conf.write_text("av_scanner = clamd:/run/clamd.sock\n")
    r = run([TERN, "-C", str(conf), "-bV"])
    assert r.returncode != 0
    assert 'option "av_scanner" is not available' in r.stderr
    assert "content scanning" in r.stderr


def test_every_exim_main_option_has_a_row():
    """Exim lists each main option it knows as a _OPT_MAIN_ macro (aliases
    included); each must be a row of Tern's table, even if refused."""
    out = run([EXIM, "-C", "/dev/null", "-bP", "macros"]).stdout
    exim_names = {m.lower() for m in re.findall(r"^_OPT_MAIN_([A-Z0-9_]+)=", out, re.M)}
    src = (ROOT / "src" / "cfg_main.c").read_text()
    rows = set(re.findall(r"^\s*(?:MO|MISSING|ALIAS|XO|DCC_OPT|DMARC_OPT)\(([a-z0-9_]+),", src, re.M))
    assert len(exim_names) > 250
    assert sorted(exim_names - rows) == []
