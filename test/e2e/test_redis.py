"""test_redis.py - EXPERIMENTAL_REDIS through the binary: ${lookup redis{...}}
and ${quote_redis:...} expanded with -be against real redis-server processes
started here on free 127.0.0.1 ports, each with its own temporary directory.

Gated twice: on "Experimental_Redis" in tern -bV, and on the expansion
engine answering -be (until it is merged, every test skips saying so).
The driver itself is tested without the engine by test/unit/test_redis_live.c.
"""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
TERN = os.environ.get("TERN_BIN", str(REPO / "build" / "tern"))
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def _run(conf, *args, timeout=30):
    p = subprocess.run([TERN, "-C", str(conf), *args], capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1")


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    if not os.path.isfile(TERN):
        pytest.skip(f"{TERN} not built (run make first)")
    if not os.access(REDIS, os.X_OK):
        pytest.skip("redis-server not installed (scripts/install-deps)")
    conf = tmp_path_factory.mktemp("gate") / "tern.conf"
    conf.write_text("")
    _, out, _ = _run(conf, "-bV")
    if "Experimental_Redis" not in out:
        pytest.skip("Experimental_Redis not on tern -bV: module not built")
    _, out, _ = _run(conf, "-be", "${if eq{1}{1}{y}{n}}")
    if out.strip() != "y":
        pytest.skip("expansion engine not merged yet")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """One redis-server on 127.0.0.1 with its own directory."""

    def __init__(self, tmp, name, *extra, port=None):
        self.port = port or _free_port()
        self.dir = tmp / name
        self.dir.mkdir(exist_ok=True)
        self.extra = extra
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [REDIS, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
             "--save", "", "--appendonly", "no", *self.extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.proc = None


@pytest.fixture
def redis(tmp_path, gate):
    servers = []

    def make(name="r", *extra, port=None):
        servers.append(Redis(tmp_path, name, *extra, port=port))
        return servers[-1]
    yield make
    for s in servers:
        s.stop()


def _expand(tmp_path, servers, expr):
    conf = tmp_path / "tern.conf"
    conf.write_text(f"redis_servers = {servers}\n")
    return _run(conf, "-be", expr)


def test_reply_types(tmp_path, redis):
    r = redis()
    srv = f"127.0.0.1::{r.port}//"
    assert _expand(tmp_path, srv, "${lookup redis{SET k v}}")[1] == "OK\n"
    assert _expand(tmp_path, srv, "${lookup redis{GET k}}")[1] == "v\n"
    assert _expand(tmp_path, srv, "${lookup redis{INCR n}}")[1] == "1\n"
    assert _expand(tmp_path, srv, "${lookup redis{GET nokey}{yes}{no}}")[1] == "no\n"
    _expand(tmp_path, srv, "${lookup redis{SADD s a b}}")
    out = _expand(tmp_path, srv, "${lookup redis{SMEMBERS s}}")[1]
    assert sorted(out.split("\n")[:2]) == ["a", "b"]
    rc, out, err = _expand(tmp_path, srv, "${lookup redis{LPUSH k x}}")
    assert out.startswith("Failed: ") and "WRONGTYPE" in out  # -be exits 0, as Exim's


def test_database_and_auth(tmp_path, redis):
    r = redis("auth", "--requirepass", "pw")
    assert _expand(tmp_path, f"127.0.0.1::{r.port}/10/pw", "${lookup redis{SET d 10}}")[1] == "OK\n"
    assert _expand(tmp_path, f"127.0.0.1::{r.port}/0/pw", "${lookup redis{GET d}{y}{n}}")[1] == "n\n"
    rc, out, err = _expand(tmp_path, f"127.0.0.1::{r.port}//", "${lookup redis{GET d}}")
    assert out.startswith("Failed: ") and "NOAUTH" in out


def test_failover_and_restart(tmp_path, redis):
    r = redis()
    dead = _free_port()
    srv = f"127.0.0.1::{dead}//:127.0.0.1::{r.port}//"
    assert _expand(tmp_path, srv, "${lookup redis{SET f 1}}")[1] == "OK\n"
    r.stop()
    rc, out, err = _expand(tmp_path, f"127.0.0.1::{r.port}//", "${lookup redis{GET f}}")
    assert out.startswith("Failed: ")  # the lookup defers while the server is down
    r.start()
    assert _expand(tmp_path, f"127.0.0.1::{r.port}//", "${lookup redis{SET f 2}}")[1] == "OK\n"


def test_quote_blocks_injection(tmp_path, redis):
    r = redis()
    srv = f"127.0.0.1::{r.port}//"
    _expand(tmp_path, srv, "${lookup redis{SET keep 1}}")
    out = _expand(tmp_path, srv, "${lookup redis{SET inj ${quote_redis:a b\r\nFLUSHALL}}}")[1]
    assert out == "OK\n"
    assert _expand(tmp_path, srv, "${lookup redis{GET keep}}")[1] == "1\n"
    assert _expand(tmp_path, srv, "${lookup redis{GET inj}}")[1] == "a b\r\nFLUSHALL\n"


def test_version_line(tmp_path, gate):
    conf = tmp_path / "tern.conf"
    conf.write_text("")
    out = _run(conf, "-d-all", "-bV")[1]  # library versions come with -d, as Exim's
    assert "Library version: hiredis: Compile: " in out
    assert "redis" in [w for line in out.splitlines() if line.startswith("Lookups")
                       for w in line.split()]
