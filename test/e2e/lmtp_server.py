#!/usr/bin/python3
"""lmtp_server.py - a small LMTP server (RFC 2033) for the lmtp transport
tests. Runs on standard input/output (`lmtp_server.py OUTDIR`) or on a
UNIX socket (`lmtp_server.py OUTDIR --socket PATH`, serving connections
until killed). Each delivered message is appended to OUTDIR/<rcpt> and a
transcript of commands to OUTDIR/transcript.

Per-recipient behaviour comes from the local part:
  rcptfail*  -> 550 at RCPT          rcpttemp* -> 451 at RCPT
  datafail*  -> 552 after DATA       datatemp* -> 452 after DATA
  anything else is accepted and stored.
"""
import os
import socket
import sys


def serve(rf, wf, outdir):
    def say(line):
        wf.write((line + "\r\n").encode())
        wf.flush()

    def log(line):
        with open(os.path.join(outdir, "transcript"), "a") as f:
            f.write(line + "\n")

    say("220 lmtp.test LMTP ready")
    sender, rcpts = None, []
    while True:
        raw = rf.readline()
        if not raw:
            return
        line = raw.decode(errors="replace").rstrip("\r\n")
        log(line)
        cmd = line.upper()
        if cmd.startswith("LHLO"):
            say("250-lmtp.test")
            say("250 PIPELINING")
        elif cmd.startswith("MAIL FROM:"):
            sender, rcpts = line[10:], []
            say("250 OK")
        elif cmd.startswith("RCPT TO:"):
            addr = line[8:].strip("<>")
            lp = addr.split("@")[0]
            if lp.startswith("rcptfail"):
                say("550 5.1.1 no such user")
            elif lp.startswith("rcpttemp"):
                say("451 4.3.0 try later")
            else:
                rcpts.append(addr)
                say("250 OK")
        elif cmd == "DATA":
            if not rcpts:
                say("503 no recipients")
                continue
            say("354 go ahead")
            data = []
            while True:
                d = rf.readline()
                if not d or d in (b".\r\n", b".\n"):
                    break
                if d.startswith(b".."):
                    d = d[1:]
                data.append(d.decode(errors="replace").replace("\r\n", "\n"))
            for r in rcpts:
                lp = r.split("@")[0]
                if lp.startswith("datafail"):
                    say("552 5.2.2 mailbox full")
                elif lp.startswith("datatemp"):
                    say("452 4.2.2 over quota, later")
                else:
                    with open(os.path.join(outdir, r), "a") as f:
                        f.write("MAIL FROM:%s\n" % sender + "".join(data))
                    say("250 2.0.0 stored")
        elif cmd == "QUIT":
            say("221 bye")
            return
        else:
            say("250 OK")


def main():
    outdir = sys.argv[1]
    if len(sys.argv) > 3 and sys.argv[2] == "--socket":
        path = sys.argv[3]
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        os.chmod(path, 0o777)
        s.listen(5)
        while True:
            conn, _ = s.accept()
            with conn:
                try:
                    serve(conn.makefile("rb"), conn.makefile("wb"), outdir)
                except OSError:
                    pass
    serve(sys.stdin.buffer, sys.stdout.buffer, outdir)


if __name__ == "__main__":
    main()
