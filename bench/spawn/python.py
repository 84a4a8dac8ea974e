# spawn workload for Python asyncio (with --uvloop: on uvloop): 100,000 tasks each sleep(0) once, gathered.
import asyncio
import sys

N = 100_000


async def work(i):
    await asyncio.sleep(0)
    return i


async def main():
    tasks = [asyncio.create_task(work(i)) for i in range(1, N + 1)]
    res = await asyncio.gather(*tasks)
    print(sum(res))


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main())
