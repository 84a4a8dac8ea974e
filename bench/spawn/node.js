// spawn workload for Node.js: 100,000 async functions each yield once (setImmediate) and return their index; Promise.all.
const N = 100000;

async function work(i) {
  await new Promise((resolve) => setImmediate(resolve));
  return i;
}

async function main() {
  const tasks = [];
  for (let i = 1; i <= N; i++) tasks.push(work(i));
  const res = await Promise.all(tasks);
  let sum = 0;
  for (const v of res) sum += v;
  console.log(sum);
}

main();
