"""sink.py - a loopback SMTP sink for the relay benchmarks: accepts every
message (250 to everything, 354 to DATA) and counts them in shared memory
(`Sink.count()`), so a benchmark can wait until all have arrived.  It
reads in chunks and looks for the end-of-data mark, not line by line, so
that it costs little beside the MTAs on a 2-core machine.  Runs in a child
process (`start(port)`); stop it with `terminate()` (by PID)."""
import asyncio
import multiprocessing

EOD = b"\r\n.\r\n"
REPLIES = {b"EHLO": b"250-sink.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
           b"DATA": b"354 go ahead\r\n", b"QUIT": b"221 bye\r\n"}


class _Session:
    def __init__(self, counter):
        self.counter = counter
        self.buf = b""
        self.in_data = False

    def feed(self, data):
        """(replies to what `data` completes, True once QUIT came)."""
        self.buf += data
        out = []
        while True:
            if self.in_data:
                i = self.buf.find(EOD)
                if i < 0:
                    self.buf = self.buf[-4:]
                    return b"".join(out), False
                self.buf = self.buf[i + len(EOD):]
                self.in_data = False
                with self.counter.get_lock():
                    self.counter.value += 1
                out.append(b"250 OK queued\r\n")
                continue
            i = self.buf.find(b"\r\n")
            if i < 0:
                return b"".join(out), False
            verb, self.buf = self.buf[:4].upper(), self.buf[i + 2:]
            out.append(REPLIES.get(verb, b"250 OK\r\n"))
            if verb == b"DATA":
                # the end mark's first CRLF may be the one that ended DATA
                self.buf = b"\r\n" + self.buf
                self.in_data = True
            elif verb == b"QUIT":
                return b"".join(out), True


async def _serve_one(reader, writer, counter):
    writer.write(b"220 sink.example ESMTP\r\n")
    s = _Session(counter)
    while True:
        data = await reader.read(65536)
        if not data:
            break
        out, done = s.feed(data)
        if out:
            writer.write(out)
            await writer.drain()
        if done:
            break
    writer.close()


def _serve(port, counter):
    async def main():
        srv = await asyncio.start_server(lambda r, w: _serve_one(r, w, counter), "127.0.0.1", port)
        async with srv:
            await srv.serve_forever()
    asyncio.run(main())


class Sink:
    def __init__(self, port):
        self.port = port
        self.counter = multiprocessing.Value("l", 0)
        self.proc = multiprocessing.Process(target=_serve, args=(port, self.counter), daemon=True)
        self.proc.start()

    def count(self):
        return self.counter.value

    def terminate(self):
        self.proc.terminate()

    def join(self, timeout=None):
        self.proc.join(timeout)


def start(port):
    return Sink(port)
