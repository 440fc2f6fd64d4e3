"""test_config.py - the configuration file through the real binary.

Loading, error messages (file, line and Exim's wording), -bP config,
-bP macros, -D overrides and -C. Where the Exim 4.96 oracle is installed,
the same input is also given to it and the outputs compared.
"""
import pathlib
import re

import pytest



def config_error(path, line, msg):
    return f"Tern configuration error in line {line} of {path}:\n  {msg}\n"


@pytest.mark.parametrize("version", ["exim-4.96", "exim-4.84"])
def test_exim_default_config_loads(version, reference_dir, run_tern, tmp_path):
    src = reference_dir / version / "configure.default"
    if not src.is_file():
        pytest.skip(f"{src} not present")
    rc, out, err = run_tern(["-C", str(src), "-bV"])
    assert rc == 0, err
    assert "Configuration file is " + str(src) in out


def test_own_default_config_loads(run_tern, tmp_path):
    from conftest import REPO_ROOT
    conf = REPO_ROOT / "src" / "configure.default"
    var = tmp_path / "var"
    rc, out, err = run_tern(["-C", str(conf), f"-DSPOOL={var}/spool",
                             f"-DLOGDIR={var}/log", f"-DMAILDIR={var}/mail", "-bV"])
    assert rc == 0, err


def test_own_default_config_loads_in_exim(exim_oracle, tmp_path):
    """src/configure.default is meant to be plain Exim syntax and options."""
    from conftest import REPO_ROOT
    conf = REPO_ROOT / "src" / "configure.default"
    rc, out, err = exim_oracle(["-C", str(conf), f"-DSPOOL={tmp_path}", "-bV"])
    assert rc == 0, err


ERROR_CASES = [
    ("unknown option", "qualify_domain = a\nno_such_option = 1\n", 2,
     'main option "no_such_option" unknown'),
    ("unterminated ifdef", ".ifdef FOO\nqualify_domain = a\n", 2,
     "Unexpected end of configuration file: .endif missing"),
    ("endif alone", ".endif\n", 1, ".endif without matching .ifdef"),
    ("macro twice", "FOO = 1\nFOO = 2\n", 2,
     'macro "FOO" is already defined (use "==" if you want to redefine it)'),
    ("unknown section", "begin nonsense\n", 1,
     '"nonsense" is not a known configuration section name'),
    ("repeated section", "begin acl\nbegin acl\n", 2,
     '"acl" section is repeated in the configuration file'),
    ("missing quote", 'smtp_banner = "abc\n', 1,
     "missing quote at end of string value for smtp_banner"),
    ("option twice", "qualify_domain = a\nqualify_domain = b\n", 2,
     '"qualify_domain" option set for the second time'),
    ("bool extra", "accept_8bitmime = yes # c\n", 1,
     'extra characters follow "yes" for boolean option accept_8bitmime '
     "(# is comment only at line start)"),
    ("named list twice", "domainlist a = x\ndomainlist a = y\n", 2,
     'duplicate name "a" for a named domain list'),
    ("ACL without name", "begin acl\naccept\n", 2, "missing or malformed ACL name"),
    ("router without name", "begin routers\n  driver = accept\n", 2, "router name missing"),
    ("include missing", ".include /nonexistent/x.conf\n", 1,
     "failed to open included configuration file /nonexistent/x.conf"),
    ("log_selector", "log_selector = +nosuch\n", 1, "unknown log_selector setting: +nosuch"),
]


@pytest.mark.parametrize("label,text,line,msg", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_names_file_and_line(label, text, line, msg, tern_config, run_tern):
    path = tern_config(text)
    rc, out, err = run_tern(["-C", path, "-bV"])
    assert rc == 1
    assert err == config_error(path, line, msg)


def exim_message(err):
    """The message of an Exim configuration error, without time and prefix."""
    lines = [l for l in err.splitlines() if "purging the environment" not in l
             and "Suggested action" not in l]
    for i, l in enumerate(lines):
        if "Exim configuration error" in l and i + 1 < len(lines):
            return lines[i + 1].strip()
    return None


@pytest.mark.parametrize("label,text,line,msg",
                         [c for c in ERROR_CASES if c[0] != "log_selector"],
                         ids=[c[0] for c in ERROR_CASES if c[0] != "log_selector"])
def test_error_wording_matches_exim(label, text, line, msg, tern_config, exim_oracle):
    path = tern_config(text)
    rc, out, err = exim_oracle(["-C", path, "-bV"])
    assert rc == 1
    assert exim_message(err) == msg


def test_bad_input_is_an_error_not_a_crash(tern_config, run_tern, tmp_path):
    cases = {
        "nul": ("qualify_domain = a\x00b\n", "NUL character in configuration line"),
        "long": ("smtp_banner = " + "x" * (1024 * 1024) + "\n",
                 "configuration line too long (limit 1048576 bytes)"),
    }
    for name, (text, msg) in cases.items():
        path = tern_config(text, name + ".conf")
        rc, out, err = run_tern(["-C", path, "-bV"])
        assert rc == 1, name
        assert err == config_error(path, 1, msg), name
    a, b = tmp_path / "a.conf", tmp_path / "b.conf"
    a.write_text(f".include {b}\n")
    b.write_text(f".include {a}\n")
    rc, out, err = run_tern(["-C", str(a), "-bV"])
    assert rc == 1
    assert err == config_error(b, 1, f".include of {a} is recursive")


BP_CONFIG = """# comment

A_MAC = hello
CC = A_MAC   there
hide smtp_banner = "x    y"
.include {inc}
log_selector   =   +pid
.ifdef NOPE
never = shown
.endif
begin   acl
acl1:
accept     hosts = :
  deny
begin routers
r1:
  driver = accept
  transport = t
begin retry
*    *     F,1h,1m
begin rewrite
*@a   b@c
"""

BP_CONFIG_OUT = """# 1 "{conf}"
A_MAC = hello
CC = hello there
hide smtp_banner = "x    y"
# 6 "{conf}"
# 1 "{inc}"
qualify_domain = inc.example
# 6 "{conf}"
log_selector = +pid

begin acl

  acl1:
    accept hosts = :
    deny

begin routers

  r1:
    driver = accept
    transport = t

begin retry
  * * F,1h,1m

begin rewrite
  *@a b@c
"""


def bp_config_files(tern_config, tmp_path):
    inc = tmp_path / "inc.conf"
    inc.write_text("qualify_domain = inc.example\n\n# x\n")
    conf = tern_config(BP_CONFIG.format(inc=inc))
    return conf, BP_CONFIG_OUT.format(conf=conf, inc=inc)


def test_bp_config(tern_config, run_tern, tmp_path):
    conf, want = bp_config_files(tern_config, tmp_path)
    rc, out, err = run_tern(["-C", conf, "-bP", "config"])
    assert rc == 0, err
    header, rest = out.split("\n", 1)
    assert re.fullmatch(r"# Tern Configuration \(\S+\)", header)
    assert rest == want


def test_bp_config_matches_exim(tern_config, run_tern, exim_oracle, tmp_path):
    """Exim collapses white space inside some quoted strings but not others;
    this input keeps to layouts where its rule is clear."""
    conf, want = bp_config_files(tern_config, tmp_path)
    text = pathlib.Path(conf).read_text().replace('"x    y"', '"x y"')
    pathlib.Path(conf).write_text(text)
    rc, out, err = exim_oracle(["-C", conf, "-bP", "config"])
    assert rc == 0, err
    assert out.split("\n", 1)[1] == run_tern(["-C", conf, "-bP", "config"])[1].split("\n", 1)[1]


def test_bp_macros_and_D_override(tern_config, run_tern):
    conf = tern_config("FOO = file\nBAR = FOO-bar\nqualify_domain = FOO\n")
    rc, out, err = run_tern(["-C", conf, "-DFOO=cmd", "-DEMPTY", "-bP", "macros"])
    assert rc == 0, err
    lines = out.splitlines()
    assert "FOO=cmd" in lines
    assert "BAR=cmd-bar" in lines
    assert "EMPTY=" in lines
    assert any(l.startswith("_HAVE_") for l in lines)
    rc, out, err = run_tern(["-C", conf, "-DFOO=cmd", "-bP", "qualify_domain"])
    assert (rc, out) == (0, "qualify_domain = cmd\n"), err
    rc, out, err = run_tern(["-C", conf, "-bP", "macro", "BAR", "NOPE"])
    assert out == "BAR=file-bar\nNOPE not found\n"


def test_D_selects_ifdef_branch(tern_config, run_tern):
    conf = tern_config(".ifdef TESTING\nqualify_domain = test.example\n.else\n"
                       "qualify_domain = prod.example\n.endif\n")
    assert run_tern(["-C", conf, "-bP", "qualify_domain"])[1] == "qualify_domain = prod.example\n"
    assert run_tern(["-C", conf, "-DTESTING", "-bP", "qualify_domain"])[1] == \
        "qualify_domain = test.example\n"


def test_C_missing_file(run_tern):
    rc, out, err = run_tern(["-C", "/nonexistent/tern.conf", "-bV"])
    assert rc == 1
    assert err == ("Tern could not open configuration file /nonexistent/tern.conf: "
                   "No such file or directory\n")


def test_C_list_takes_first_existing(tern_config, run_tern):
    conf = tern_config("qualify_domain = listed.example\n")
    rc, out, err = run_tern(["-C", f"/nonexistent/a.conf:{conf}", "-bP", "config_file"])
    assert (rc, out) == (0, conf + "\n"), err
