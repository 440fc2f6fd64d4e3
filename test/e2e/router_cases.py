"""router_cases.py - configurations for the differential -bt/-bv/-bvs
tests of router options (test_router_generic.py, test_redirect_options.py).

Each case is (routers, addresses). "{d}" in the routers text stands for a
directory of the test's own; "out.example" addresses are accepted by the
"out" router that every case ends with, so a redirect's data shows the
variables it expanded in the -bt output."""
import re

from delivery_util import spool_config

OUT = """out:
  driver = accept
  domains = out.example
  transport = t
"""

# every affix variable, visible as a generated address
SHOW = ("p=${local_part_prefix}.v=${local_part_prefix_v}.l=$local_part"
        ".s=${local_part_suffix}.sv=${local_part_suffix_v}@out.example")


def redirect(name, local_parts, data, extra=""):
    """A redirect router for the given local parts."""
    lp = f"  local_parts = {local_parts}\n" if local_parts else ""
    return f"{name}:\n  driver = redirect\n  domains = test.example\n{lp}{extra}  data = {data}\n"


def failing(name, local_parts, extra=""):
    """A redirect that fails with its own name: shows in -bv which router ran."""
    return redirect(name, local_parts, f":fail: routed by {name}", "  allow_fail\n" + extra)


GENERIC = {
    "affix_optional_wildcards": (redirect("show", "", SHOW, """  local_part_prefix = owner- : *+
  local_part_suffix = -request : -*
  local_part_prefix_optional
  local_part_suffix_optional
"""), ["owner-list", "list-request", "OWNER-x", "a+b+c", "x-y-z", "owner-", "-request",
       "plain", "Owner-Bob-Request", "+x", "x-", "ab+", "a+-", "x+y-z+w-q", "owner--request"]),
    "affix_required": (
        redirect("pre", "", SHOW, "  local_part_prefix = pre-\n")
        + redirect("suf", "", SHOW, "  local_part_suffix = -suf\n")
        + redirect("both", "mid", SHOW, "  local_part_prefix = b-\n  local_part_suffix = -b\n"),
        ["pre-x", "x-suf", "pre-x-suf", "b-mid-b", "b-mid", "mid-b", "x"]),
    "affix_caseful": (redirect("show", "Bob", SHOW, "  local_part_prefix = Pre-\n  caseful_local_part\n"),
                      ["Pre-Bob", "pre-Bob", "PRE-bob", "Pre-bob"]),
    "require_files": (
        redirect("r1", "a", "r1@out.example", "  require_files = {d}/exists\n")
        + redirect("r2", "a : b", "r2@out.example", "  require_files = {d}/missing\n")
        + redirect("r3", "b : c", "r3@out.example", "  require_files = !{d}/missing : {d}/exists\n")
        + redirect("r4", "c : d", "r4@out.example",
                   "  require_files = ${if eq{$local_part}{c}{{d}/missing}{{d}/exists}}\n")
        + redirect("r5", "e", "r5@out.example", "  require_files = ${foo}\n")
        + redirect("r6", "f : g", "r6@out.example", "  require_files = ${if eq{$local_part}{f}{nobody}{root}}:{d}/exists\n")
        + redirect("r7", "f : h", "r7@out.example", "  require_files = nosuchuser:{d}/exists\n")
        + redirect("r8", "f : i", "r8@out.example",
                   "  require_files = ${if eq{$local_part}{i}{{d}/missing}fail} : ${if eq{$local_part}{f}{{d}/missing}{}}\n")
        + redirect("r9", "f : j", "r9@out.example", "  require_files = +!{d}/missing : mail,mail : /etc/passwd\n")
        + redirect("r10", "f", "r10@out.example"),
        ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]),
    "verify_family": (
        failing("v1", "a", "  verify_only\n") + failing("v2", "a : b", "  no_verify\n")
        + failing("v3", "a : b : c", "  verify_sender = false\n")
        + failing("v4", "a : b : c : d", "  verify_recipient = false\n")
        + failing("v5", "a : b : c : d : e", "  address_test = false\n")
        + failing("v6", "a : b : c : d : e : f", "  verify = false\n")
        + failing("v7", ""), ["a", "b", "c", "d", "e", "f", "g"]),
    "address_data": (
        redirect("ad1", "a : b : c", "${if eq{$local_part}{c}{}{x-$address_data@out.example}}",
                 "  address_data = ${if eq{$local_part}{b}{fail}{D-$local_part}}\n")
        + redirect("ad2", "b : c", "y-$address_data@out.example")
        + redirect("ad3", "d", "z@out.example", "  address_data = ${lookup{x}lsearch{{d}/missing}}\n")
        + redirect("ad4", "e", "z@out.example", "  address_data = ${if eq{1}{1}{fail}{}}${fail}\n"),
        ["a", "b", "c", "d", "e"]),
    "cannot_route_message": (
        redirect("c1", "a : b", ":fail: explicit", "  allow_fail\n  cannot_route_message = C1 $local_part\n")
        + """c2:
  driver = accept
  local_parts = b : c
  condition = ${if eq{$local_part}{c}
  cannot_route_message = C2 says no
  transport = t
""" + redirect("c3", "nothing", "x", "  cannot_route_message = C3 for $local_part\n")
        + redirect("c4", "e", "x", "  cannot_route_message = ${foo}\n  no_more\n"),
        ["a", "b", "c", "d", "e"]),
    "expansion_failures": (
        redirect("e1", "a", "x", "  condition = ${foo}\n")
        + redirect("e3", "c", "x@out.example", "  errors_to = ${foo}\n")
        + redirect("e4", "d", "x@out.example", "  headers_add = ${foo}\n")
        + redirect("e5", "e", "${foo}")
        + redirect("e6", "f", "x", "  require_files = ${foo}\n")
        + redirect("e7", "${if eq{$local_part}{g}{${foo}}{x}}", "x")
        + redirect("e8", "h", "x@out.example", "  headers_remove = ${foo}\n")
        + redirect("e9", "i", "x@out.example", "  senders = ${foo}\n")
        + redirect("e10", "j", "x@out.example", "  router_home_directory = ${foo}\n")
        + "e11:\n  driver = accept\n  local_parts = k\n  transport = ${foo}\n"
        + redirect("e12", "l", "x").replace("  data = x\n", "  file = ${foo}\n"),
        ["a", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"]),
    "pass_and_redirect_router": ("""m1:
  driver = manualroute
  local_parts = a : b
  route_list = * 127.0.0.2
  ignore_target_hosts = ${if eq{$local_part}{a}{127.0.0.2}{}}
  host_find_failed = pass
  pass_router = m3
  transport = s
""" + failing("m2", "a") + redirect("r1", "c", "d", "  redirect_router = r3\n") + failing("r2", "d")
        + failing("m3", "a") + failing("r3", "d"), ["a", "b", "c"]),
    "ignore_target_hosts": ("".join(f"""m{n}:
  driver = manualroute
  domains = {dom}.example
  route_list = * 127.0.0.2:127.0.0.3:127.0.0.4
  ignore_target_hosts = {ign}
{extra}  transport = s
""" for n, dom, ign, extra in [(1, "one", "127.0.0.3", ""), (2, "two", "127.0.0.0/24", ""),
                                (3, "three", "127.0.0.0/24", "  host_find_failed = decline\n"),
                                (4, "four", "127.0.0.0/24", "  host_find_failed = fail\n"),
                                (5, "five", "127.0.0.4", "  host_find_failed = ignore\n")])
        + "last:\n  driver = accept\n  transport = t\n",
        ["x@one.example", "x@two.example", "x@three.example", "x@four.example", "x@five.example"]),
    "hosts_randomize_off": ("""m1:
  driver = manualroute
  route_list = * 127.0.0.2:127.0.0.3:127.0.0.4:127.0.0.5 no_randomize
  hosts_randomize
  transport = s
""", ["x@one.example"]),
}


def config(tmp, routers, main=""):
    """A config around routers, with the transports the cases name."""
    return spool_config(f"{tmp}/spool", f"""begin routers
{routers.replace("{d}", str(tmp))}{OUT}
begin transports
t:
  driver = appendfile
  file = {tmp}/mbox
p:
  driver = pipe
s:
  driver = smtp
""", main)


def stderr_lines(text):
    """stderr with -bv's log timestamps and Exim's/Tern's program name masked."""
    text = re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", "", text, flags=re.M)
    return text.replace("Exim configuration error", "Tern configuration error")


REDIRECT = {
    "forbid_data": (
        redirect("f1", "p", "|/bin/cat, x@out.example", "  forbid_pipe\n")
        + redirect("f2", "f", "{d}/file, x@out.example", "  forbid_file\n")
        + redirect("f3", "i", ":include:{d}/exists", "  forbid_include\n")
        + redirect("f4", "b", ":blackhole:", "  forbid_blackhole\n")
        + redirect("f5", "ok", "|/bin/cat, {d}/file, x@out.example",
                   "  pipe_transport = p\n  file_transport = t\n")
        + redirect("f6", "nopt", "|/bin/cat") + redirect("f7", "d", "{d}/dir/", "  file_transport = t\n")
        + redirect("f8", "fp", "|/bin/cat, {d}/file, x@out.example",
                   "  forbid_pipe\n  forbid_file\n  pipe_transport = p\n  file_transport = t\n"),
        ["p", "f", "i", "b", "ok", "nopt", "d", "fp"]),
    "forbid_file_option": (
        redirect("f1", "p", "x", "  forbid_pipe\n  pipe_transport = p\n").replace("  data = x\n", "  file = {d}/fwd\n")
        + redirect("f2", "i", "x", "  forbid_include\n").replace("  data = x\n", "  file = {d}/fwd2\n")
        + redirect("f3", "s", "x").replace("  data = x\n", "  file = {d}/bad\n"),
        ["p", "i", "s"]),
    "check_ancestor": (
        redirect("a1", "a", "b", "  check_ancestor\n") + redirect("b1", "b", "a, c@out.example", "  check_ancestor\n")
        + redirect("x1", "x", "y") + redirect("y1", "y", "x, z@out.example"),
        ["a", "b", "x"]),
    "qualify": ("""q1:
  driver = redirect
  domains = one.example
  qualify_preserve_domain
  data = bob, carol@out.example
q2:
  driver = redirect
  domains = two.example
  data = bob
q3:
  driver = redirect
  domains = three.example
  qualify_domain = three-q.example
  data = bob, \\\\carol
q4:
  driver = redirect
  domains = four.example
  qualify_domain = ${if eq{1}{1}{fail}{}}${fail}
  data = bob
any:
  driver = accept
  domains = ! out.example
  transport = t
""", ["x@one.example", "x@two.example", "x@three.example", "x@four.example"]),
    "skip_syntax_errors": (
        redirect("s1", "a", "a@@b, good@out.example, x y@out.example, also@out.example", "  skip_syntax_errors\n")
        + redirect("s2", "b", "a@@b, good@out.example")
        + redirect("s3", "c", "a@@b", "  skip_syntax_errors\n"),
        ["a", "b", "c"]),
    "order_and_duplicates": (
        redirect("f", "", ":fail: no $local_part", "  allow_fail\n").replace("  domains = test.example\n",
                                                                          "  domains = fail.example\n")
        + redirect("A", "A", "p1@out.example, p2@out.example, p3@out.example")
        + redirect("B", "B", "p1@out.example, |/bin/cat, p2@out.example, {d}/x, p3@out.example",
                   "  pipe_transport = p\n  file_transport = t\n")
        + redirect("C", "C", "f1@fail.example, p1@out.example, f2@fail.example, p2@out.example")
        + redirect("D", "D", "B, C"),
        ["A", "B", "C", "D", "p1@out.example"]),
    "nul_and_quotes": (
        redirect("al", "al", "x", "").replace("  data = x\n", "  file = {d}/nul\n")
        + redirect("q1", "q1", '\\"quoted name\\"@out.example, \\"a\\\\\\"b\\"@out.example')
        + redirect("q2", "q2", '\\"un@bal') + redirect("q3", "q3", '\\"x\\"@out.example, \\"unbal'),
        ["al", "q1", "q2", "q3", '"x y"@out.example', '"unbalanced@test.example']),
}


def redirect_files(tmp):
    """The files the REDIRECT cases read."""
    (tmp / "fwd").write_text("|/bin/cat\nx@out.example\n")
    (tmp / "fwd2").write_text("good@out.example\n:include:/dev/null\n")
    (tmp / "bad").write_text("good@out.example, a@@b\n")
    (tmp / "nul").write_bytes(b"x@out.example, a\0b@out.example, y@out.example\n")

REDIRECT["hostile_arguments"] = (
    redirect("any", "", "x@out.example"),
    ['"unbalanced@test.example', "@test.example", "a@", "x\x01y@test.example", '"a\\"b"@test.example',
     "a b@test.example", "<a@test.example>", "a@test.example>", 'a"b@test.example', '"a b"@test.example'])
