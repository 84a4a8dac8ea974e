# lock workload for Python asyncio (with --uvloop: on uvloop): 1,000 tasks each take one Lock 1,000 times around sleep(0).
import asyncio
import sys

TASKS, ROUNDS = 1000, 1000
count = 0


async def work(lock):
    global count
    for _ in range(ROUNDS):
        async with lock:
            await asyncio.sleep(0)
            count += 1


async def main():
    lock = asyncio.Lock()
    await asyncio.gather(*(asyncio.create_task(work(lock)) for _ in range(TASKS)))
    print(count)


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main())
