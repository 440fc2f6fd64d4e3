"""sink.py - a loopback SMTP sink for the relay benchmark: accepts every
message (250 to everything, 354 to DATA) and counts them.  Run in a child
process with `start(port)`; stop it by PID."""
import asyncio
import multiprocessing


async def _session(reader, writer):
    writer.write(b"220 sink.example ESMTP\r\n")
    data = False
    while True:
        line = await reader.readline()
        if not line:
            break
        if data:
            if line == b".\r\n":
                data = False
                writer.write(b"250 OK queued\r\n")
            continue
        verb = line[:4].upper()
        if verb == b"EHLO":
            writer.write(b"250-sink.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            data = True
            writer.write(b"354 go ahead\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


def _serve(port):
    async def main():
        srv = await asyncio.start_server(_session, "127.0.0.1", port)
        async with srv:
            await srv.serve_forever()
    asyncio.run(main())


def start(port):
    p = multiprocessing.Process(target=_serve, args=(port,), daemon=True)
    p.start()
    return p
