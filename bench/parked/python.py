# parked workload for Python asyncio (with --uvloop: on uvloop): N tasks (default 100,000; 0 = empty run) sleeping 1 s at once.
import asyncio
import sys

args = [a for a in sys.argv[1:] if a != "--uvloop"]
N = int(args[0]) if args else 100_000


async def main():
    if N == 0:
        await asyncio.sleep(1)
        print(0)
        return
    tasks = [asyncio.create_task(asyncio.sleep(1)) for _ in range(N)]
    res = await asyncio.gather(*tasks)
    print(len(res))


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main())
