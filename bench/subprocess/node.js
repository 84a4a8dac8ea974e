// subprocess workload for Node.js: 500 runs of /bin/true by child_process.spawn, stdout piped, 20 workers taking the next run in turn; prints how many exited 0.
const { spawn } = require("child_process");

const N = 500, LIMIT = 20;

// Resolves with the exit code once the process has exited and its stdout is closed.
function runTrue() {
  return new Promise((resolve, reject) => {
    const proc = spawn("/bin/true", [], { stdio: ["inherit", "pipe", "inherit"] });
    proc.stdout.resume();
    proc.on("error", reject);
    proc.on("close", resolve);
  });
}

async function main() {
  let next = 0, ok = 0;
  async function worker() {
    while (next < N) {
      next++;
      if ((await runTrue()) === 0) ok++;
    }
  }
  await Promise.all(Array.from({ length: LIMIT }, worker));
  console.log(ok);
}

main();
