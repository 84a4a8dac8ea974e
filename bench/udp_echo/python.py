# UDP echo server for Python asyncio on 127.0.0.1:PORT (arg 1): create_datagram_endpoint with a DatagramProtocol that sends each datagram back; --uvloop runs it on uvloop.
import asyncio
import sys


class Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data, addr)


async def main(port):
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(Echo, local_addr=("127.0.0.1", port))
    await asyncio.Event().wait()  # serve until SIGTERM


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main(int(sys.argv[1])))
