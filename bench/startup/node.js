// startup workload for Node.js: hello world through the event loop.
(async () => {
  await new Promise((resolve) => setImmediate(resolve));
  console.log("hello");
})();
