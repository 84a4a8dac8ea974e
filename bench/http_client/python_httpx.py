# HTTP client for Python asyncio + httpx (args: URL N CONCURRENCY [CAFILE]): CONCURRENCY tasks GET on one AsyncClient until N are done; prints how many answers were 200 with 1024 body bytes.
import asyncio
import ssl
import sys

import httpx


async def main(url, total, conc, cafile):
    verify = ssl.create_default_context(cafile=cafile) if cafile else True
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    left, good = total, 0
    async with httpx.AsyncClient(limits=limits, verify=verify) as client:

        async def worker():
            nonlocal left, good
            while left > 0:
                left -= 1
                r = await client.get(url)
                if r.status_code == 200 and len(r.content) == 1024:
                    good += 1

        await asyncio.gather(*(worker() for _ in range(conc)))
    print(good)


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None))
