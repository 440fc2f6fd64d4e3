"""test_bp_drivers.py - driver sections as read by the binary: -bP output
compared with Debian's Exim 4.96 (/usr/sbin/exim4, the oracle), builtin
driver macros, and driver errors (unknown driver or option with file and
line, drivers not built, config-time checks).

TERN_BIN names the binary. Oracle comparisons skip when exim4 is missing.

Known differences, all from build choices, not from reading the config:
Debian's exim4 is built with GnuTLS, DANE, SOCKS, PIPECONNECT and I18N,
which Tern does not build, so its smtp transport shows
dane_require_tls_ciphers, hosts_pipe_connect, hosts_require_dane,
hosts_try_dane, socks_proxy and utf8_downconvert; Tern (with
EXPERIMENTAL_TPDA) shows tpda_host_defer_action. Configs that test
_HAVE_GNUTLS (4.96's configure.default does, for tls_require_ciphers) pick
different values. Debian also has the cyrus_sasl authenticator. The lines
of those options are dropped from both sides before comparing.
"""
import os
import re
import shutil
import subprocess

import pytest

TERN = os.environ.get("TERN_BIN", os.path.join(os.path.dirname(__file__), "../../build/tern"))
EXIM = "/usr/sbin/exim4"
REF = "/work/shared/reference"
BUILD_ONLY = {"dane_require_tls_ciphers", "hosts_pipe_connect", "hosts_require_dane", "hosts_try_dane",
              "socks_proxy", "utf8_downconvert", "tpda_host_defer_action"}

need_oracle = pytest.mark.skipif(not os.path.exists(EXIM), reason="no /usr/sbin/exim4 oracle")

ALL_DRIVERS = r"""
primary_hostname = test.example

begin routers

r_accept:
  driver = accept
  domains = example.com
  transport = t_appendfile
  no_more
  verify = false

r_dnslookup:
  driver = dnslookup
  widen_domains = example.net
  check_srv = smtp
  transport = t_smtp
  self = send
  more = ${if eq{$domain}{x}}

r_ipliteral:
  driver = ipliteral
  transport = t_smtp

r_iplookup:
  driver = iplookup
  hosts = 127.0.0.1
  port = 1234
  query = $local_part@$domain
  timeout = 10s
  reroute = x@y

r_manualroute:
  driver = manualroute
  route_list = * smart.example.com
  host_find_failed = defer
  transport = t_smtp

r_queryprogram:
  driver = queryprogram
  command = /bin/echo ACCEPT
  command_user = nobody
  timeout = 30s

r_redirect:
  driver = redirect
  data = ${lookup{$local_part}lsearch{/etc/aliases}}
  allow_filter
  check_local_user
  file_transport = t_appendfile
  pipe_transport = t_pipe
  reply_transport = t_autoreply
  sieve_subaddress = sub
  owners = root

begin transports

t_appendfile:
  driver = appendfile
  directory = /var/mail/$local_part
  maildir_format
  mode = 0640
  quota = 10M
  headers_remove = X-Foo
  event_action = ${if eq{1}{1}{}}

t_mbox:
  driver = appendfile
  file = /var/mail/$local_part
  mbx_format
  delivery_date_add

t_autoreply:
  driver = autoreply
  to = $sender_address
  subject = away
  once = /tmp/once
  once_repeat = 7d

t_lmtp:
  driver = lmtp
  socket = /var/run/lmtp
  batch_max = 50
  timeout = 2m

t_pipe:
  driver = pipe
  command = /usr/bin/procmail
  max_output = 1M
  return_fail_output
  temp_errors = 75

t_bsmtp:
  driver = pipe
  command = /usr/bin/x
  use_bsmtp

t_smtp:
  driver = smtp
  hosts = 127.0.0.1
  port = 2525
  hosts_try_prdr = 127.0.0.1
  dkim_domain = example.com
  dkim_selector = sel
  dkim_private_key = /etc/key
  command_timeout = 2m
  max_rcpt = 50
  tls_verify_cert_hostnames = *
  multi_domain = false
  hosts_request_ocsp = *

begin authenticators

a_cram:
  driver = cram_md5
  public_name = CRAM-MD5
  server_secret = secret
  client_name = me
  client_secret = sec

a_dovecot:
  driver = dovecot
  public_name = PLAIN
  server_socket = /var/run/dovecot/auth-client

a_external:
  driver = external
  public_name = EXTERNAL
  server_param2 = ${certextract{subject}{$tls_in_peercert}}
  client_send = me

a_plain:
  driver = plaintext
  server_prompts = User:Password
  server_condition = yes
  client_send = : me : sec
  server_advertise_condition = ${if def:tls_in_cipher}

a_spa:
  driver = spa
  public_name = NTLM
  server_password = x
  client_username = u
  client_password = p
  client_domain = d

a_tls:
  driver = tls
  public_name = TLSAUTH
  server_param = $tls_in_peerdn
  server_condition = yes
"""


def run(binary, conf, *args):
    r = subprocess.run([binary, "-C", conf, *args], capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def strip_known(text, extra=()):
    drop = BUILD_ONLY | set(extra)
    out = []
    for line in text.split("\n"):
        name = re.split(r" =|$", line, maxsplit=1)[0]
        name = name[3:] if name.startswith("no_") else name
        if name not in drop:
            out.append(line)
    return "\n".join(out)


def reduce_main(src, dst):
    """Copy SRC to DST, commenting out main-section lines Tern rejects, so
    the driver sections can be compared while the main section grows."""
    lines = open(src).read().split("\n")
    for _ in range(400):
        with open(dst, "w") as f:
            f.write("\n".join(lines))
        rc, out, err = run(TERN, dst, "-bV")
        m = re.search(r"error in line (\d+) of", err + out)
        if not m:
            return rc, err
        n = int(m.group(1)) - 1
        if any(l.startswith("begin ") for l in lines[:n]):
            return rc, err
        j = n
        while lines[j].rstrip().endswith("\\"):
            j += 1
        for k in range(n, j + 1):
            lines[k] = "# reduced: " + lines[k]
    raise AssertionError("too many main-section errors")


@pytest.fixture(scope="module")
def all_conf(tmp_path_factory):
    p = tmp_path_factory.mktemp("drv") / "all.conf"
    p.write_text(ALL_DRIVERS)
    return str(p)


@pytest.fixture(scope="module")
def default96(tmp_path_factory):
    p = str(tmp_path_factory.mktemp("d96") / "configure")
    rc, err = reduce_main(f"{REF}/exim-4.96/configure.default", p)
    assert rc == 0, err
    return p


def compare(conf, args, extra=()):
    rc_t, out_t, err_t = run(TERN, conf, *args)
    rc_e, out_e, err_e = run(EXIM, conf, *args)
    assert rc_t == rc_e, (err_t, err_e)
    assert out_t.strip(), err_t
    assert strip_known(out_t, extra) == strip_known(out_e, extra)


@need_oracle
@pytest.mark.parametrize("what", ["routers", "transports", "authenticators", "router_list",
                                  "transport_list", "authenticator_list"])
def test_all_drivers_match_oracle(all_conf, what):
    compare(all_conf, ["-bP", what])


@need_oracle
@pytest.mark.parametrize("args", [["router", "r_redirect"], ["transport", "t_smtp"],
                                  ["router", "r_accept", "transport", "t_lmtp"],
                                  ["router", "nosuch"], ["transport", "nosuch"], ["router"],
                                  ["authenticator", "a_tls"]])
def test_single_instances_match_oracle(all_conf, args):
    compare(all_conf, ["-bP", *args])


@need_oracle
@pytest.mark.parametrize("what", ["routers", "transports", "router_list", "transport_list",
                                  "router dnslookup", "transport remote_smtp"])
def test_default_config_matches_oracle(default96, what):
    compare(default96, ["-bP", *what.split()], extra=("tls_require_ciphers",))


@need_oracle
def test_driver_macros_match_oracle(all_conf):
    pat = re.compile(r"^_(OPT_(ROUTER|TRANSPORT|AUTHENTICATOR)|DRIVER_|HAVE_TRANSPORT_)")
    known = re.compile(r"CYRUS_SASL|DANE|PIPE_CONNECT|SOCKS_PROXY|UTF8_DOWNCONVERT|TPDA|TLS_VERIFY_CERT_HOSTNAME=")

    def macros(binary):
        _, out, _ = run(binary, all_conf, "-bP", "macros")
        return sorted(l for l in out.split("\n") if pat.match(l) and not known.search(l))

    mine = macros(TERN)
    assert len(mine) > 300
    assert mine == macros(EXIM)


def test_484_default_driver_sections_load(tmp_path):
    rc, err = reduce_main(f"{REF}/exim-4.84/configure.default", str(tmp_path / "c84"))
    assert rc == 0, err
    text = (tmp_path / "c84").read_text()
    body = text[text.index("begin acl"):]
    assert "# reduced" not in body, "only main-section lines may be left out"
    rc, out, _ = run(TERN, str(tmp_path / "c84"), "-bP", "transport_list")
    assert out.split() == ["remote_smtp", "local_delivery", "address_pipe", "address_file", "address_reply"]


def conf_error(tmp_path, text):
    p = tmp_path / "bad.conf"
    p.write_text(text)
    rc, out, err = run(TERN, str(p), "-bV")
    assert rc != 0
    return err


def test_unknown_driver_names_file_and_line(tmp_path):
    err = conf_error(tmp_path, "begin routers\nx:\n  driver = nosuch\n")
    assert "line 3 of" in err and "bad.conf" in err
    assert 'router x: cannot find router driver "nosuch"' in err


def test_unknown_option_names_file_and_line(tmp_path):
    err = conf_error(tmp_path, "begin transports\nt:\n  driver = smtp\n  bogus = 1\n")
    assert "line 4 of" in err and 'option "bogus" unknown' in err


def test_not_built_driver(tmp_path):
    err = conf_error(tmp_path, "begin authenticators\na:\n  driver = cyrus_sasl\n")
    assert 'driver "cyrus_sasl" is not built into this binary' in err
    assert "line 3 of" in err


def test_not_built_option(tmp_path):
    err = conf_error(tmp_path, "begin transports\nt:\n  driver = smtp\n  socks_proxy = 1.2.3.4\n")
    assert "socks_proxy" in err and "SOCKS" in err and "line 4 of" in err


@pytest.mark.parametrize("section,body,message", [
    ("transports", "driver = lmtp", "one (and only one) of command or socket must be set"),
    ("transports", "driver = appendfile\n  file = /a\n  directory = /b",
     'only one of "file" or "directory" can be specified'),
    ("transports", "driver = pipe\n  use_shell\n  allow_commands = /x", "both allow_commands and use_shell set"),
    ("routers", "driver = manualroute", "route_list or route_data (but not both) must be specified"),
    ("routers", "driver = redirect", 'one of "file" or "data" must be specified'),
    ("routers", "driver = accept", "a transport is required for this router"),
    ("routers", "driver = queryprogram\n  command = /bin/true", "command_user must be specified"),
    ("routers", "driver = iplookup\n  hosts = h", "a port must be specified"),
    ("authenticators", "driver = cram_md5", "no public name specified for the x authenticator"),
])
def test_config_time_checks(tmp_path, section, body, message):
    err = conf_error(tmp_path, f"begin {section}\nx:\n  {body}\n")
    assert message in err


def test_every_driver_listed_by_bv(tmp_path):
    p = tmp_path / "empty.conf"
    p.write_text("")
    _, out, _ = run(TERN, str(p), "-bV")
    assert "Routers: accept dnslookup ipliteral iplookup manualroute queryprogram redirect" in out
    assert "Transports: appendfile autoreply lmtp pipe smtp" in out
    assert "Authenticators: cram_md5 dovecot external plaintext spa tls" in out
