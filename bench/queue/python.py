# queue workload for Python asyncio (with --uvloop: on uvloop): 1,000,000 integers through asyncio.Queue(100), summed.
import asyncio
import sys

N = 1_000_000


async def producer(q):
    for i in range(1, N + 1):
        await q.put(i)


async def main():
    q = asyncio.Queue(100)
    p = asyncio.create_task(producer(q))
    total = 0
    for _ in range(N):
        total += await q.get()
    await p
    print(total)


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main())
