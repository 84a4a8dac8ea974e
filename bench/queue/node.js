// queue workload for Node.js: 1,000,000 integers through a small promise-based bounded queue (100), summed.
const N = 1000000;

// put waits while full, get while empty; each wakes one waiter of the other side, which checks again.
class Queue {
  constructor(max) {
    this.max = max;
    this.items = [];
    this.getters = [];
    this.putters = [];
  }

  async put(v) {
    while (this.items.length >= this.max) await new Promise((resolve) => this.putters.push(resolve));
    this.items.push(v);
    if (this.getters.length) this.getters.shift()();
  }

  async get() {
    while (this.items.length === 0) await new Promise((resolve) => this.getters.push(resolve));
    const v = this.items.shift();
    if (this.putters.length) this.putters.shift()();
    return v;
  }
}

async function main() {
  const q = new Queue(100);
  const producer = (async () => {
    for (let i = 1; i <= N; i++) await q.put(i);
  })();
  let sum = 0;
  for (let i = 0; i < N; i++) sum += await q.get();
  await producer;
  console.log(sum);
}

main();
