# keep-alive HTTP/1.1 hello server for Python asyncio streams on 127.0.0.1:PORT (arg 1); --uvloop runs it on uvloop.
import asyncio
import sys

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!"


async def handle(reader, writer):
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")  # the request head; bodies are ignored
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass  # the client closed the connection
    writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main(int(sys.argv[1])))
