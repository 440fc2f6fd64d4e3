"""test_transport_generic.py - the generic transport options that change
what a local delivery writes or where it runs: return_path_add,
return_path, body_only, headers_only, home_directory and
current_directory. Each case is delivered by Tern and, where installed,
by the Exim 4.96 oracle on the same configuration, and the results are
compared byte for byte."""
from oracle_deliver import accept_conf, deliver_both


def conf(transports, local_parts):
    return accept_conf(local_parts, transports)


def mbox(name, opts):
    return f"""t_{name}:
  driver = appendfile
  file = PUB/$local_part_data
  user = tern
{opts}
"""


def pipe(name, command, opts=""):
    return f"""t_{name}:
  driver = pipe
  command = {command}
  user = tern
{opts}
"""


MSG = "From me\nsecond\n"
HEAD = "From: a@b.example\nSubject: test\n"


def test_return_path_add_and_return_path(tern_bin, tmp_path):
    body = conf(mbox("a", "  return_path_add") + mbox("b", "  return_path_add\n  return_path = bounces@x.example")
                + mbox("c", "  return_path = ${if eq{1}{2}{x}fail}\n  return_path_add"), "a : b : c")
    r = deliver_both(tern_bin, tmp_path, body, ["a@test.example", "b@test.example", "c@test.example"], msgbody=MSG)
    assert r.files["a"] == f"From sender@x.example DATE\nReturn-path: <sender@x.example>\n{HEAD}\n>From me\nsecond\n\n"
    assert r.files["b"] == f"From bounces@x.example DATE\nReturn-path: <bounces@x.example>\n{HEAD}\n>From me\nsecond\n\n"
    # a forced failure keeps the message's own sender
    assert r.files["c"] == r.files["a"]
    assert r.log == ["=> a <a@test.example> R=r T=t_a", "=> b <b@test.example> R=r T=t_b",
                     "=> c <c@test.example> R=r T=t_c", "Completed"]


def test_return_path_expansion_failure_defers(tern_bin, tmp_path):
    body = conf(mbox("b", "  return_path = ${lookup{x}lsearch{/nonexistent/x}}"), "b")
    r = deliver_both(tern_bin, tmp_path, body, ["b@test.example"])
    why = ('Failed to expand return path "${lookup{x}lsearch{/nonexistent/x}}" in t_b transport: '
           "failed to open /nonexistent/x for linear search: No such file or directory")
    assert r.log == [why, "== b@test.example R=r T=t_b defer (-27): " + why]
    assert r.files == {}


def test_body_only_and_headers_only(tern_bin, tmp_path):
    body = conf(mbox("bo", "  body_only") + mbox("ho", "  headers_only"), "bo : ho")
    r = deliver_both(tern_bin, tmp_path, body, ["bo@test.example", "ho@test.example"], msgbody=MSG)
    assert r.files["bo"] == "From sender@x.example DATE\n>From me\nsecond\n\n"
    # headers_only keeps the blank line that ends the header; the mbox
    # message_suffix adds another
    assert r.files["ho"] == f"From sender@x.example DATE\n{HEAD}\n\n"


def test_home_and_current_directory(tern_bin, tmp_path):
    show = "/bin/sh -c 'pwd > PUB/$local_part_data; echo \"h=\\$HOME $home\" >> PUB/$local_part_data'"
    body = conf(pipe("cd", show, "  current_directory = /tmp\n  home_directory = /var")
                + pipe("hd", show, "  home_directory = /usr") + pipe("none", show), "cd : hd : none")
    r = deliver_both(tern_bin, tmp_path, body, ["cd@test.example", "hd@test.example", "none@test.example"])
    assert r.files["cd"] == "/tmp\nh=/var /var\n"
    # the working directory defaults to the home directory, then to /
    assert r.files["hd"] == "/usr\nh=/usr /usr\n"
    assert r.files["none"] == "/\nh= \n"


def test_directory_errors_defer(tern_bin, tmp_path):
    body = conf(pipe("a", "/bin/true", "  home_directory = rel/dir")
                + pipe("b", "/bin/true", "  current_directory = ${if eq{1}{2}{x}fail}")
                + pipe("c", "/bin/true", "  current_directory = relcwd")
                + pipe("d", "/bin/true", "  current_directory = /nonexistent/dir"), "a : b : c : d")
    r = deliver_both(tern_bin, tmp_path, body, [f"{x}@test.example" for x in "abcd"], same_log=False)
    a = 'home directory path "rel/dir" is not absolute for t_a transport'
    b = 'current directory "${if eq{1}{2}{x}fail}" failed to expand for t_b transport: "if" failed and "fail" requested'
    c = 'current directory path "relcwd" is not absolute for t_c transport'
    assert sorted(r.log) == sorted([
        a, "== a@test.example R=r T=t_a defer (-21): " + a,
        b, "== b@test.example R=r T=t_b defer (-27): " + b,
        c, "== c@test.example R=r T=t_c defer (-21): " + c,
        "== d@test.example R=r T=t_d defer (2): No such file or directory: failed to chdir to /nonexistent/dir"])
    panic = open(r.spool + "/log/paniclog").read()
    assert a in panic and b in panic and c in panic
