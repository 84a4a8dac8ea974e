// parked workload for Node.js: N promises (argv[2], default 100,000; 0 = empty run) each on a 1 s setTimeout at once.
const N = process.argv[2] === undefined ? 100000 : Number(process.argv[2]);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  if (N === 0) {
    await sleep(1000);
    console.log(0);
    return;
  }
  const tasks = [];
  for (let i = 0; i < N; i++) tasks.push(sleep(1000));
  const res = await Promise.all(tasks);
  console.log(res.length);
}

main();
