"""Build switches of Local/Makefile: inconsistent module choices stop the
build with a clear message (scripts/mkconfig), and each switch reaches
build/config.h and -bV."""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def mkconfig(tmp_path, **env):
    base = {
        "MODULES": "SPF DCC DMARC TPDA REDIS PROXY DSN CERTNAMES",
        "CONFIGURE_FILE": "/etc/tern/configure",
        "SPOOL_DIRECTORY": "/var/spool/tern",
        "EXIM_USER": "tern",
        "PATH": os.environ["PATH"],
    }
    base.update(env)
    out = tmp_path / "config.h"
    r = subprocess.run([str(ROOT / "scripts/mkconfig"), str(out)], env=base,
                       capture_output=True, text=True)
    return r, out


def test_dmarc_needs_spf(tmp_path):
    r, _ = mkconfig(tmp_path, EXPERIMENTAL_DMARC="yes")
    assert r.returncode != 0
    assert "EXPERIMENTAL_DMARC needs EXPERIMENTAL_SPF=yes" in r.stderr


def test_dmarc_needs_dkim(tmp_path):
    r, _ = mkconfig(tmp_path, EXPERIMENTAL_DMARC="yes", EXPERIMENTAL_SPF="yes", DISABLE_DKIM="yes")
    assert r.returncode != 0
    assert "EXPERIMENTAL_DMARC cannot be built with DISABLE_DKIM=yes" in r.stderr


def test_missing_path_refused(tmp_path):
    r, _ = mkconfig(tmp_path, CONFIGURE_FILE="")
    assert r.returncode != 0
    assert "CONFIGURE_FILE must be set" in r.stderr


def test_switches_reach_config_h(tmp_path):
    r, out = mkconfig(tmp_path, EXPERIMENTAL_SPF="yes", EXPERIMENTAL_REDIS="yes", DISABLE_OCSP="yes")
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "#define EXPERIMENTAL_SPF\n" in text
    assert "#define EXPERIMENTAL_REDIS\n" in text
    assert "#define EXPERIMENTAL_DCC" not in text
    assert "#define DISABLE_OCSP\n" in text


def test_all_modules_listed_by_bv(tern_bin, tmp_path):
    conf = tmp_path / "empty.conf"
    conf.write_text("")
    r = subprocess.run([tern_bin, "-C", str(conf), "-bV"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    support = next(l for l in r.stdout.splitlines() if l.startswith("Support for:"))
    for word in ["Experimental_SPF", "Experimental_DCC", "Experimental_DMARC", "Experimental_TPDA",
                 "Experimental_Redis", "Experimental_Proxy", "Experimental_DSN", "Experimental_Certnames"]:
        assert f" {word}" in support, word


def test_nomod_binary_lists_none(tmp_path):
    nomod = ROOT / "build-nomod" / "tern"
    if not nomod.exists():
        import pytest
        pytest.skip("build-nomod/tern not built (make nomod)")
    conf = tmp_path / "empty.conf"
    conf.write_text("")
    r = subprocess.run([str(nomod), "-C", str(conf), "-bV"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Experimental_" not in r.stdout
    conf.write_text("spf_guess = v=spf1 -all\n")
    r = subprocess.run([str(nomod), "-C", str(conf), "-bV"], capture_output=True, text=True)
    assert r.returncode != 0
    assert "spf_guess" in r.stderr and "EXPERIMENTAL_SPF" in r.stderr
