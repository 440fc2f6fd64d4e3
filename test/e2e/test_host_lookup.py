"""host_lookup, helo_verify_hosts, helo_try_verify_hosts and verify = helo
through the hermetic DNS environment (zones/127.in-addr.arpa.zone):
127.0.0.2 has a forward-confirmed PTR, .3 a PTR that does not confirm,
.5 no PTR. Run as `tern -bh` inside the namespace and compared with the
Exim oracle where it is installed."""

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
host_lookup = *
{opts}
acl_smtp_mail = acl_mail
begin acl
acl_mail:
  deny !verify = helo
       message = helo bad
  deny message = name=$sender_host_name failed=$host_lookup_failed
begin routers
begin transports
"""


def conf(tmp_path, opts=""):
    p = tmp_path / "conf"
    p.write_text(CONF.format(spool=tmp_path / "spool", opts=opts))
    os.chmod(p, 0o644)
    return str(p)


def bh(env, c, ip, helo, prog=TERN):
    dialogue = f"EHLO {helo}\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n"
    r = env.run([prog, "-C", c, "-bh", ip], input=dialogue, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True)
    lines = [ln for ln in r.stdout.splitlines()
             if re.match(r"^(LOG: |[0-9]{3} )", ln) and not ln.startswith("220 ")]
    return lines


def check(env, c, ip, helo):
    mine = bh(env, c, ip, helo)
    if os.path.exists(EXIM):
        assert mine == bh(env, c, ip, helo, EXIM)
    return mine


def test_confirmed_ptr_gives_host_name(dns_env, tmp_path):
    out = check(dns_env, conf(tmp_path), "127.0.0.2", "foo.test.example")
    assert "LOG: H=mail2.test.example (foo.test.example) [127.0.0.2] rejected MAIL " \
           "<a@b.example>: helo bad" in out


def test_confirmed_ptr_helo_matches_name(dns_env, tmp_path):
    out = check(dns_env, conf(tmp_path), "127.0.0.2", "mail2.test.example")
    assert "550 name=mail2.test.example failed=0" in out


def test_no_ptr_logs_and_sets_failed(dns_env, tmp_path):
    out = check(dns_env, conf(tmp_path), "127.0.0.5", "[127.0.0.5]")
    assert out[0] == "LOG: no host name found for IP address 127.0.0.5"
    assert "550 name= failed=1" in out


def test_unconfirmed_ptr_gives_no_name(dns_env, tmp_path):
    out = check(dns_env, conf(tmp_path), "127.0.0.3", "[127.0.0.3]")
    assert "550 name= failed=1" in out
    assert not any("no host name found" in ln for ln in out)


def test_helo_verify_hosts_pass(dns_env, tmp_path):
    c = conf(tmp_path, "helo_verify_hosts = *")
    out = check(dns_env, c, "127.0.0.2", "mail2.test.example")
    assert not any(ln.startswith("550 EHLO") for ln in out)


def test_helo_verify_hosts_fail(dns_env, tmp_path):
    c = conf(tmp_path, "helo_verify_hosts = *")
    out = check(dns_env, c, "127.0.0.3", "mail2.test.example")
    assert 'LOG: rejected "EHLO mail2.test.example" from (mail2.test.example) [127.0.0.3]' in out
    assert "550 EHLO argument does not match calling host" in out


def test_helo_try_verify_hosts_does_not_reject(dns_env, tmp_path):
    c = conf(tmp_path, "helo_try_verify_hosts = *")
    out = check(dns_env, c, "127.0.0.3", "mail2.test.example")
    assert "550 helo bad" in out
    assert not any(ln.startswith("550 EHLO") for ln in out)


# 192.0.2.20 has three PTR names; ptr1 and ptr2 lead back to it, ptr3
# does not. The resolver may give the PTR set in any order: the first
# confirmed name is $sender_host_name, the other confirmed one the alias.
ALIAS_ACL = """\
acl_smtp_helo = acl_helo
acl_smtp_mail = acl_mail
begin acl
acl_helo:
  warn hosts = \\N^ptr2\\.test\\.example$\\N
       set acl_c0 = ptr2
  warn hosts = *.test.example
       set acl_c1 = wild
  warn hosts = ptr3.test.example
       set acl_c2 = ptr3
  accept
acl_mail:
  deny message = {message}
begin routers
begin transports
"""


def alias_conf(tmp_path, message):
    p = tmp_path / "conf"
    head = CONF.format(spool=tmp_path / "spool", opts="").split("acl_smtp_mail")[0]
    p.write_text(head + ALIAS_ACL.format(message=message))
    os.chmod(p, 0o644)
    return str(p)


def rejections(out):
    return [ln for ln in out if ln.startswith("550 ")]


def masked(lines):
    return [re.sub(r"ptr[12]\.", "ptrN.", ln) for ln in lines]


def test_aliases_hold_the_other_confirmed_names(dns_env, tmp_path):
    c = alias_conf(tmp_path, "name=$sender_host_name aliases=<$sender_host_aliases>")
    line = rejections(bh(dns_env, c, "192.0.2.20", "x.example"))
    assert len(line) == 1
    m = re.match(r"550 name=(\S+) aliases=<(.*)>$", line[0])
    assert m, line
    assert {m.group(1), m.group(2)} == {"ptr1.test.example", "ptr2.test.example"}


def test_host_lists_match_every_confirmed_name(dns_env, tmp_path):
    # a regex and a wildcard see ptr2 whichever name came first; the
    # plain name ptr3 is matched by its address (192.0.2.98): no match
    c = alias_conf(tmp_path, "m=$acl_c0/$acl_c1/$acl_c2")
    mine = rejections(bh(dns_env, c, "192.0.2.20", "x.example"))
    assert mine == ["550 m=ptr2/wild/"]
    if os.path.exists(EXIM):
        assert mine == rejections(bh(dns_env, c, "192.0.2.20", "x.example", EXIM))


def test_helo_verify_accepts_an_alias(dns_env, tmp_path):
    c = conf(tmp_path, "helo_verify_hosts = *")
    for helo in ("ptr1.test.example", "ptr2.test.example"):
        out = bh(dns_env, c, "192.0.2.20", helo)
        assert not any(ln.startswith("550 EHLO") for ln in out), (helo, out)
        assert not any("helo bad" in ln for ln in out), (helo, out)
        if os.path.exists(EXIM):  # the name is either of the two
            theirs = rejections(bh(dns_env, c, "192.0.2.20", helo, EXIM))
            assert masked(rejections(out)) == masked(theirs)


def test_unconfirmed_ptr_name_is_no_alias(dns_env, tmp_path):
    c = conf(tmp_path, "helo_verify_hosts = *")
    out = bh(dns_env, c, "192.0.2.20", "ptr3.test.example")
    assert "550 EHLO argument does not match calling host" in out


def test_no_aliases_for_a_single_name(dns_env, tmp_path):
    c = alias_conf(tmp_path, "name=$sender_host_name aliases=<$sender_host_aliases>")
    assert rejections(bh(dns_env, c, "127.0.0.2", "x.example")) == \
        ["550 name=mail2.test.example aliases=<>"]


def full_bh(env, c, ip, helo, prog=TERN):
    dialogue = f"EHLO {helo}\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n"
    r = env.run([prog, "-C", c, "-bh", ip], input=dialogue, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True)
    return [ln for ln in r.stdout.splitlines()
            if ln.startswith("LOG: ") or (ln[:1] in "45" and ln[1:3].isdigit() and ln[3:4] in " -")]


def full_check(env, c, ip, helo):
    mine = full_bh(env, c, ip, helo)
    if os.path.exists(EXIM):  # 192.0.2.20: either confirmed name may come first
        assert masked(mine) == masked(full_bh(env, c, ip, helo, EXIM))
    return mine


FULLHOST_CONF = """\
spool_directory = {spool}
exim_user = root
exim_group = root
primary_hostname = x.test
host_lookup = 127.0.0.2
acl_smtp_mail = acl_mail
begin acl
acl_mail:
  deny message = <$sender_fullhost> <$sender_rcvhost>
begin routers
begin transports
"""


@pytest.mark.parametrize("ip,helo,log_host,reply", [
    ("127.0.0.2", "mail2.test.example", "mail2.test.example [127.0.0.2]",
     "<mail2.test.example [127.0.0.2]> <mail2.test.example ([127.0.0.2])>"),
    ("127.0.0.2", "MAIL2.test.example", "mail2.test.example [127.0.0.2]",
     "<mail2.test.example [127.0.0.2]> <mail2.test.example ([127.0.0.2])>"),
    ("127.0.0.2", "[127.0.0.2]", "mail2.test.example [127.0.0.2]",
     "<mail2.test.example [127.0.0.2]> <mail2.test.example ([127.0.0.2])>"),
    ("127.0.0.3", "[127.0.0.3]", "([127.0.0.3]) [127.0.0.3]", "<([127.0.0.3]) [127.0.0.3]> <[127.0.0.3]>"),
    ("127.0.0.3", "foo", "(foo) [127.0.0.3]", "<(foo) [127.0.0.3]> <[127.0.0.3] (helo=foo)>"),
])
def test_fullhost_and_rcvhost(dns_env, tmp_path, ip, helo, log_host, reply):
    p = tmp_path / "conf"
    p.write_text(FULLHOST_CONF.format(spool=tmp_path / "spool"))
    os.chmod(p, 0o644)
    out = full_check(dns_env, str(p), ip, helo)
    assert out == [f"LOG: H={log_host} rejected MAIL <a@b.example>: {reply}", f"550 {reply}"]


def test_fullhost_long_reply_is_wrapped(dns_env, tmp_path):
    p = tmp_path / "conf"
    p.write_text(FULLHOST_CONF.format(spool=tmp_path / "spool"))
    os.chmod(p, 0o644)
    out = full_check(dns_env, str(p), "127.0.0.2", "other.example")
    assert out[1:] == ["550-<mail2.test.example (other.example) [127.0.0.2]> <mail2.test.example",
                       "550 ([127.0.0.2] helo=other.example)>"]


def test_helo_lookup_domains_finds_the_name(dns_env, tmp_path):
    # EHLO with our own address literal (@[] in helo_lookup_domains): the
    # client's name is looked up although host_lookup does not say so
    p = tmp_path / "conf"
    p.write_text(FULLHOST_CONF.format(spool=tmp_path / "spool").replace("host_lookup = 127.0.0.2\n", ""))
    os.chmod(p, 0o644)
    out = full_check(dns_env, str(p), "127.0.0.1", "[127.0.0.1]")
    assert out[0] == "LOG: H=localhost [127.0.0.1] rejected MAIL <a@b.example>: " \
                     "<localhost [127.0.0.1]> <localhost ([127.0.0.1])>"


REVERSE_CONF = """\
spool_directory = {spool}
exim_user = root
exim_group = root
primary_hostname = x.test
acl_smtp_mail = acl_mail
begin acl
acl_mail:
  deny !verify = reverse_host_lookup{opt}
  deny message = passed name=$sender_host_name
begin routers
begin transports
"""


@pytest.mark.parametrize("ip,opt", [
    ("127.0.0.2", ""), ("127.0.0.3", ""), ("127.0.0.4", ""), ("127.0.0.5", ""), ("127.0.0.8", ""),
    ("127.0.0.8", "/defer_ok"), ("127.0.0.5", "/defer_ok"), ("192.0.2.20", ""),
])
def test_verify_reverse_host_lookup(dns_env, tmp_path, ip, opt):
    p = tmp_path / "conf"
    p.write_text(REVERSE_CONF.format(spool=tmp_path / "spool", opt=opt))
    os.chmod(p, 0o644)
    out = masked(full_check(dns_env, str(p), ip, "h.example"))
    want = {"127.0.0.2": "550 passed name=mail2.test.example",
            "192.0.2.20": "550 passed name=ptrN.test.example"}
    if ip in want:
        assert out[-1] == want[ip]
    elif ip == "127.0.0.8":
        assert out[-1] == ("550 passed name=" if opt else
                           "451 Temporary local problem - please try later")
    else:
        assert out[-1] == "550 Administrative prohibition"
        assert out[-2].endswith({"127.0.0.3": "(127.0.0.3 does not match any IP address for "
                                              "mismatch.test.example)",
                                 "127.0.0.4": "(127.0.0.4 does not match any IP address for "
                                              "nowhere.test.example)",
                                 "127.0.0.5": "(failed to find host name from IP address)"}[ip])


LAZY = """\
spool_directory = {spool}
exim_user = root
exim_group = root
primary_hostname = x.test
acl_smtp_mail = acl_mail
begin acl
acl_mail:
  deny message = name=$sender_host_name failed=$host_lookup_failed
begin routers
begin transports
"""


@pytest.mark.parametrize("ip,want", [("127.0.0.2", "550 name=mail2.test.example failed=0"),
                                     ("127.0.0.5", "550 name= failed=1")])
def test_reference_looks_the_name_up(dns_env, tmp_path, ip, want):
    """without host_lookup, a reference to $sender_host_name looks the
    name up (as Exim does), once"""
    p = tmp_path / "lazy.conf"
    p.write_text(LAZY.format(spool=tmp_path / "spool"))
    os.chmod(p, 0o644)
    out = check(dns_env, str(p), ip, "[%s]" % ip)
    assert want in out
