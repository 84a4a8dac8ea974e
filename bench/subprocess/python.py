# subprocess workload for Python asyncio (with --uvloop: on uvloop): 500 runs of /bin/true, at most 20 at once, stdout piped, communicate(); prints how many exited 0.
import asyncio
import sys

N, LIMIT = 500, 20


async def run_true(sem):
    async with sem:
        proc = await asyncio.create_subprocess_exec("/bin/true", stdout=asyncio.subprocess.PIPE)
        await proc.communicate()
        return proc.returncode


async def main():
    sem = asyncio.Semaphore(LIMIT)
    codes = await asyncio.gather(*(run_true(sem) for _ in range(N)))
    print(sum(1 for code in codes if code == 0))


if "--uvloop" in sys.argv:
    import uvloop  # Debian's uvloop 0.17 has no uvloop.run(); install() is its documented way

    uvloop.install()
asyncio.run(main())
