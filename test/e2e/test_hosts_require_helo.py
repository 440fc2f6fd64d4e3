"""hosts_require_helo (default "*", matching local -bs sessions too): MAIL
before an accepted HELO/EHLO is refused with 503 and a reject-log line,
compared with the Exim 4.96 oracle under -bs and -bh."""
import os
import re

import pytest

CONF = """\
primary_hostname = test.example
spool_directory = {spool}
log_file_path = {spool}/%slog
exim_user = root
exim_group = root
acl_smtp_rcpt = accept
{opts}
begin routers
begin transports
"""

DIALOGUE = "MAIL FROM:<a@b.example>\r\nHELO c.example\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n"
CASES = [
    ("default_bs", "", ["-bs"]),
    ("default_bh", "", ["-bh", "192.0.2.7"]),
    ("empty_list", "hosts_require_helo =", ["-bh", "192.0.2.7"]),
    ("other_host", "hosts_require_helo = 192.0.2.8", ["-bh", "192.0.2.7"]),
    ("listed_host", "hosts_require_helo = 192.0.2.0/24", ["-bh", "192.0.2.7"]),
    ("local_empty_item", "hosts_require_helo = :", ["-bs"]),
]


def replies(out):
    """SMTP reply lines, without -bh's trace and the dated banner."""
    lines = [l for l in out.splitlines() if re.match(r"^\d{3}[ -]", l)]
    return [re.sub(r" ESMTP Exim 4\.96 .*", " ESMTP", l) for l in lines]


def write_conf(tmp_path, who, opts):
    spool = tmp_path / who
    spool.mkdir()
    os.chmod(spool, 0o777)
    p = tmp_path / f"{who}.conf"
    p.write_text(CONF.format(spool=spool, opts=opts))
    return str(p), spool


@pytest.mark.parametrize("name,opts,args", CASES, ids=[c[0] for c in CASES])
def test_hosts_require_helo(tmp_path, run_tern, exim_oracle, name, opts, args):
    tconf, tspool = write_conf(tmp_path, "tern", opts)
    econf, _ = write_conf(tmp_path, "exim", opts)
    _, tout, terr = run_tern(["-C", tconf, *args], input=DIALOGUE)
    _, eout, _ = exim_oracle(["-C", econf, *args], input=DIALOGUE)
    assert replies(tout) == replies(eout)
    refused = replies(tout)[1] == "503 HELO or EHLO required"
    # an empty item matches a local caller, as "*" does
    assert refused == (name in ("default_bs", "default_bh", "listed_host", "local_empty_item"))
    if refused and args[0] == "-bs":
        log = (tspool / "rejectlog").read_text()
        assert log.endswith(" rejected MAIL from root: no HELO/EHLO given\n")
    if refused and args[0] == "-bh":
        assert "LOG: rejected MAIL from [192.0.2.7]: no HELO/EHLO given\n" in terr
