"""test_deliver_relay.py - one Tern relaying to another, both real daemons
on 127.0.0.1: the sender side routes remote.example with manualroute to
the receiver's port, the receiver delivers to a Maildir. The message
arrives once, with one Received: header from each side, and the log lines
on both sides agree (=> with H= and C="250 OK id=<receiver's id>" on
the sender, <= with the sender's HELO name and address on the receiver).
When the receiver is down the message is deferred, and a -q run after
it starts delivers it exactly once."""
import os
import re
import smtplib
import time

import pytest

from smtp_util import Env, free_port, maildir_env, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the daemons and deliveries need root")

ID = r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}"


def receiver_env(tmp_path):
    return maildir_env(tmp_path, "remote.example", hostname="rx.example")


def sender_env(tmp_path, rx_port):
    env = Env(tmp_path, "", hostname="tx.example")
    with open(env.conf, "a") as f:
        f.write(f"""acl_smtp_rcpt = check_rcpt
begin acl
check_rcpt:
  accept hosts = 127.0.0.1
begin routers
relay:
  driver = manualroute
  domains = remote.example
  route_list = * 127.0.0.1
  self = send
  transport = remote_smtp
begin transports
remote_smtp:
  driver = smtp
  port = {rx_port}
  allow_localhost
begin retry
* * F,1h,1s
""")
    return env


def delivered(env):
    return sorted(os.listdir(env.newdir)) if os.path.isdir(env.newdir) else []


def strip_ids(lines):
    return [re.sub("^" + ID + " ", "", l) for l in lines]


def submit(port):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example")
    s.sendmail("a@src.example", ["user@remote.example"], "Subject: relay\r\n\r\nhello over two hops\r\n")
    s.quit()


def rx_ids_of(env):
    ids = [l.split()[0] for l in env.log() if " <= " in l]
    assert len(ids) == 1, env.log()
    return ids


def size(line):
    return re.search(r" S=(\d+)", line).group(1)


def check_delivered_once(tx, rx):
    files = delivered(rx)
    assert len(files) == 1, files
    text = open(os.path.join(rx.newdir, files[0])).read()
    headers, body = text.split("\n\n", 1)
    assert body == "hello over two hops\n"
    received = re.findall(r"^Received: .*(?:\n\t.*)*", headers, re.M)
    assert len(received) == 2, headers
    # newest first: the receiver's, naming the sender's HELO and address
    rx_id, tx_id = rx_ids_of(rx)[0], rx_ids_of(tx)[0]
    assert re.fullmatch(r"Received: from \[127\.0\.0\.1\] \(helo=tx\.example\)\n\tby rx\.example with esmtp "
                        r"\(Exim 4\.96\)\n\t\(envelope-from <a@src\.example>\)\n\tid " + rx_id
                        + r"\n\tfor user@remote\.example;\n\t.*", received[0]), received[0]
    assert re.fullmatch(r"Received: from \[127\.0\.0\.1\] \(helo=client\.example\)\n\tby tx\.example with esmtp "
                        r"\(Exim 4\.96\)\n\t\(envelope-from <a@src\.example>\)\n\tid " + tx_id
                        + r"\n\tfor user@remote\.example;\n\t.*", received[1]), received[1]
    rx_in = strip_ids([l for l in rx.log() if " <= " in l])
    # no Message-ID: (neither side adds one to SMTP input), so no id=
    assert rx_in == [f"<= a@src.example H=(tx.example) [127.0.0.1] P=esmtp S={size(rx_in[0])}"], rx.log()
    # the sender ends its session with QUIT (the daemon helper's readiness
    # probe, before the message, is the only bare disconnection)
    after = rx.log()[[i for i, l in enumerate(rx.log()) if " <= " in l][0]:]
    assert not any("disconnect" in l for l in after), rx.log()
    tx_out = strip_ids([l for l in tx.log() if " => " in l])
    assert tx_out == [f'=> user@remote.example R=relay T=remote_smtp H=127.0.0.1 [127.0.0.1] '
                      f'C="250 OK id={rx_id}"'], tx.log()
    assert any(l.endswith("Completed") for l in tx.log())
    assert wait_for(lambda: tx.messages() == [] and rx.messages() == [])


def test_relay_between_two_terns(tmp_path):
    rx_port = free_port()
    rx = receiver_env(tmp_path)
    tx = sender_env(tmp_path, rx_port)
    with rx.daemon(port=rx_port), tx.daemon() as txd:
        submit(txd.port)
        assert wait_for(lambda: delivered(rx) and any(l.endswith("Completed") for l in tx.log()))
        assert wait_for(lambda: any(l.endswith("Completed") for l in rx.log()))
    check_delivered_once(tx, rx)


def test_relay_receiver_down_then_queue_run(tmp_path):
    rx_port = free_port()
    rx = receiver_env(tmp_path)
    tx = sender_env(tmp_path, rx_port)
    with tx.daemon() as txd:
        submit(txd.port)
        assert wait_for(lambda: any(" == user@remote.example" in l for l in tx.log()))
    defer = strip_ids([l for l in tx.log() if " == " in l])
    assert defer == ["== user@remote.example R=relay T=remote_smtp defer (111): Connection refused"], tx.log()
    assert len(tx.messages()) == 1
    time.sleep(1.5)                     # past the host's retry time (F,1h,1s)
    with rx.daemon(port=rx_port):
        r = tx.run(["-q"])
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: delivered(rx) and any(l.endswith("Completed") for l in rx.log())), \
            "\n".join(tx.log() + rx.log()) + r.stderr.decode()
        r = tx.run(["-qff"])            # nothing left: no second copy
        assert r.returncode == 0, r.stderr
        time.sleep(0.3)
    check_delivered_once(tx, rx)
