"""test_deliver_queue_smtp.py - queue_smtp_domains: on the first,
unforced attempt (-Mc, or delivery after reception) remote addresses to
matching domains are routed but left on the queue without a log line;
local ones are delivered; a forced -M then tries them."""
import os

from delivery_util import PublicDir, mainlog, run, spool_config, write_message


def test_queue_smtp_domains(tern_bin, tmp_path):
    pub = PublicDir()
    try:
        spool = str(tmp_path / "spool")
        body = f"""begin routers
remote:
  driver = manualroute
  domains = remote.example
  route_list = * 127.0.0.1::1
  self = send
  transport = smtp
local:
  driver = accept
  transport = box
  user = tern
begin transports
smtp:
  driver = smtp
box:
  driver = appendfile
  file = {pub.path}/$local_part
"""
        conf = tmp_path / "tern.conf"
        conf.write_text(spool_config(spool, body, "queue_smtp_domains = remote.example"))
        mid = write_message(spool, ["a@remote.example", "b@test.example"])
        rc, _, err = run(tern_bin, ["-C", str(conf), "-Mc", mid])
        assert rc == 0, err
        assert mainlog(spool) == ["=> b <b@test.example> R=local T=box"]
        assert os.path.exists(os.path.join(spool, "input", mid + "-H"))
        rc, _, err = run(tern_bin, ["-C", str(conf), "-M", mid])
        assert rc == 0, err
        log = mainlog(spool)
        # now it was tried (Exim 4.96 writes no line of its own for the host)
        assert log[1] == "** a@remote.example R=remote T=smtp: Connection refused: retry timeout exceeded"
        assert any(x.startswith("** a@remote.example R=remote T=smtp") for x in log)
    finally:
        pub.cleanup()
