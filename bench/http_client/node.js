// HTTP client for Node.js fetch (undici) (args: URL N CONCURRENCY [CAFILE]; the runner gives CAFILE as NODE_EXTRA_CA_CERTS too, which is how fetch trusts it): CONCURRENCY async workers GET until N are done; prints how many answers were 200 with 1024 body bytes.
const [url, total, conc] = [process.argv[2], +process.argv[3], +process.argv[4]];
let left = total, good = 0;

async function worker() {
  while (left > 0) {
    left--;
    const r = await fetch(url);
    const body = await r.arrayBuffer();
    if (r.status === 200 && body.byteLength === 1024) good++;
  }
}

Promise.all(Array.from({ length: conc }, worker)).then(() => console.log(good));
