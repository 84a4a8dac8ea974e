# echo server for Python asyncio on 127.0.0.1:PORT (arg 1): streams, or with --protocol an asyncio.Protocol; --uvloop runs it on uvloop.
import asyncio
import sys


async def handle(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main(port):
    if "--protocol" in sys.argv:
        server = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", port)
    else:
        server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main(int(sys.argv[1])))
