# to_thread workload for Python asyncio (with --uvloop: on uvloop): 10,000 sequential asyncio.to_thread calls of a trivial function; prints the final value.
import asyncio
import sys

N = 10_000


def inc(x):
    return x + 1


async def main():
    x = 0
    for _ in range(N):
        x = await asyncio.to_thread(inc, x)
    print(x)


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main())
