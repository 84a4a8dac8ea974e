# startup workload for Python asyncio (with --uvloop: on uvloop): hello world through the event loop.
import asyncio
import sys


async def main():
    await asyncio.sleep(0)
    print("hello")


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main())
