"""conftest.py - fixtures shared by the end-to-end tests.

Every test runs the real binary (TERN_BIN, default build/tern) with a
configuration written into the test's own tmp_path. Nothing here touches
machine-wide state. The Exim 4.96 oracle (/usr/sbin/exim4) is used only to
compare observable output; tests that need it skip when it is absent.
"""
import os
import pathlib
import subprocess

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
# CI runs in a fresh clone with a copy of shared/ beside it.
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
EXIM_ORACLE = pathlib.Path("/usr/sbin/exim4")


@pytest.fixture(scope="session")
def tern_bin():
    """Path of the binary under test; skips when it has not been built."""
    path = pathlib.Path(os.environ.get("TERN_BIN", REPO_ROOT / "build" / "tern"))
    if not path.is_file():
        pytest.skip(f"{path} not built (run make first)")
    return str(path)


@pytest.fixture
def tern_config(tmp_path):
    """tern_config(text, name="tern.conf") writes a config; returns its path."""
    def write(text, name="tern.conf"):
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return write


@pytest.fixture
def run_tern(tern_bin, tmp_path):
    """run_tern(args, input=None) -> (rc, stdout, stderr), in tmp_path."""
    def run(args, input=None, timeout=30):
        proc = subprocess.run([tern_bin, *args], input=input, capture_output=True,
                              text=True, cwd=tmp_path, timeout=timeout)
        return proc.returncode, proc.stdout, proc.stderr
    return run


@pytest.fixture
def exim_oracle(tmp_path):
    """exim_oracle(args, input=None) -> (rc, stdout, stderr) from Exim 4.96."""
    if not EXIM_ORACLE.exists():
        pytest.skip(f"{EXIM_ORACLE} not installed: no Exim oracle to compare with")

    def run(args, input=None, timeout=30):
        proc = subprocess.run([str(EXIM_ORACLE), *args], input=input, capture_output=True,
                              text=True, cwd=tmp_path, timeout=timeout)
        return proc.returncode, proc.stdout, proc.stderr
    return run


@pytest.fixture(scope="session")
def support_words(tern_bin):
    """The words on the "Support for:" line of tern -bV (default config)."""
    proc = subprocess.run([tern_bin, "-C", "/dev/null", "-bV"], capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("Support for:"):
            return set(line.split(":", 1)[1].split())
    return set()


@pytest.fixture
def requires_module(support_words):
    """requires_module(name): skip unless tern -bV lists name on "Support for:"."""
    def check(name):
        if name not in support_words:
            pytest.skip(f"{name} not on tern -bV \"Support for:\" line: module not built")
    return check


@pytest.fixture(scope="session")
def reference_dir():
    """shared/reference beside the repository; skips when absent."""
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"{REFERENCE_DIR} not present")
    return REFERENCE_DIR
