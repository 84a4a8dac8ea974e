# HTTP client for Python asyncio + aiohttp (args: URL N CONCURRENCY [CAFILE]): CONCURRENCY tasks GET on one ClientSession until N are done; prints how many answers were 200 with 1024 body bytes.
import asyncio
import ssl
import sys

import aiohttp


async def main(url, total, conc, cafile):
    verify = ssl.create_default_context(cafile=cafile) if cafile else None
    connector = aiohttp.TCPConnector(limit=conc, limit_per_host=conc, ssl=verify)
    left, good = total, 0
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker():
            nonlocal left, good
            while left > 0:
                left -= 1
                async with session.get(url) as r:
                    body = await r.read()
                    if r.status == 200 and len(body) == 1024:
                        good += 1

        await asyncio.gather(*(worker() for _ in range(conc)))
    print(good)


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None))
