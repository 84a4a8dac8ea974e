// echo server for Node.js net on 127.0.0.1:PORT (arg 1): each chunk read is written back.
const net = require("net");

net
  .createServer((socket) => {
    socket.setNoDelay(true); // as asyncio does: a reply split in two is not held back by Nagle
    socket.on("data", (data) => socket.write(data));
    socket.on("error", () => socket.destroy());
  })
  .listen(+process.argv[2], "127.0.0.1");
