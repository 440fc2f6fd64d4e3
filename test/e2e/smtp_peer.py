"""smtp_peer.py - a small scripted SMTP server on loopback for the
client tests: it can answer 4xx/5xx per recipient, refuse MAIL or DATA,
close in the middle of DATA, stall past a timeout, or send garbage.
It runs in a thread of the test process; the transcript (commands
received, messages accepted) is kept for the test to inspect.
"""
import socket
import threading


class Peer:
    """Peer(rcpt=None, mail=None, data=None, final=None, greeting=..., ...)

    rcpt: dict address -> reply for RCPT (default "250 OK")
    mail / data / final: replies to MAIL, DATA and end of data
    mode: None, "close_in_data", "stall_after_data", "garbage",
          "stall_greeting"
    """

    def __init__(self, rcpt=None, mail="250 OK", data="354 go ahead",
                 final="250 OK id=peer-1", pipelining=True, dsn=False, size=True,
                 mode=None, garbage_bytes=10 * 1024 * 1024, host="127.0.0.1", port=0):
        self.rcpt = rcpt or {}
        self.mail, self.data, self.final = mail, data, final
        self.pipelining, self.dsn, self.size = pipelining, dsn, size
        self.mode, self.garbage_bytes = mode, garbage_bytes
        self.commands, self.messages, self.connections = [], [], 0
        self.waiting = []  # per command: was more input already there (the client pipelined)?
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopped = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    def _serve(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            try:
                self._session(conn)
            except OSError:
                pass
            finally:
                conn.close()

    @staticmethod
    def _more_waiting(conn, f):
        """is the next command already read or on the socket? (a client
        that waits for each reply never has one there)"""
        conn.setblocking(False)
        try:
            return bool(f.peek(1))
        except (BlockingIOError, OSError):
            return False
        finally:
            conn.setblocking(True)

    def _ehlo(self):
        lines = ["250-peer.test"]
        if self.pipelining:
            lines.append("250-PIPELINING")
        if self.size:
            lines.append("250-SIZE 52428800")
        if self.dsn:
            lines.append("250-DSN")
        lines.append("250 8BITMIME")
        return "\r\n".join(lines)

    def _session(self, conn):
        f = conn.makefile("rb")
        send = lambda s: conn.sendall((s + "\r\n").encode())
        if self.mode == "garbage":
            chunk = b"x" * 65536
            sent = 0
            while sent < self.garbage_bytes:
                conn.sendall(chunk)
                sent += len(chunk)
            return
        if self.mode == "stall_greeting":
            f.readline()
            return
        send("220 peer.test ESMTP")
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode(errors="replace").rstrip("\r\n")
            self.commands.append(cmd)
            self.waiting.append(self._more_waiting(conn, f))
            up = cmd.upper()
            if up.startswith("EHLO"):
                send(self._ehlo())
            elif up.startswith("HELO"):
                send("250 peer.test")
            elif up.startswith("MAIL"):
                send(self.mail)
            elif up.startswith("RCPT"):
                addr = cmd[cmd.index("<") + 1:cmd.index(">")]
                send(self.rcpt.get(addr, "250 Accepted"))
            elif up == "DATA":
                if not self._data(f, send):
                    return
            elif up == "RSET":
                send("250 Reset OK")
            elif up == "QUIT":
                send("221 bye")
                return
            else:
                send("500 unknown")

    def _data(self, f, send):
        accepted = any(not self.rcpt.get(c[c.index("<") + 1:c.index(">")], "250").startswith(("4", "5"))
                       for c in self.commands if c.upper().startswith("RCPT"))
        if not accepted:
            send("503 no valid recipients")
            return True
        send(self.data)
        if not self.data.startswith("354"):
            return True
        body = []
        while True:
            line = f.readline()
            if not line:
                return False
            if self.mode == "close_in_data" and len(body) >= 2:
                return False
            if line == b".\r\n":
                break
            body.append(line)
        if self.mode == "stall_after_data":
            f.readline()  # wait until the client gives up and closes
            return False
        self.messages.append(b"".join(body))
        send(self.final)
        return True
