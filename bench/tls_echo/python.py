# TLS echo server for Python asyncio + ssl on 127.0.0.1:PORT (args: PORT CERT KEY): streams, or with --protocol an asyncio.Protocol; --uvloop runs it on uvloop.
import asyncio
import ssl
import sys


async def handle(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    writer.close()


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main(port, cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    if "--protocol" in sys.argv:
        server = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", port, ssl=ctx)
    else:
        server = await asyncio.start_server(handle, "127.0.0.1", port, ssl=ctx)
    async with server:
        await server.serve_forever()


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
