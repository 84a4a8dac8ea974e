// TLS echo server for Node.js tls on 127.0.0.1:PORT (args: PORT CERT KEY): each chunk read is written back.
const fs = require("fs");
const tls = require("tls");

const [port, cert, key] = process.argv.slice(2);
tls
  .createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (socket) => {
    socket.setNoDelay(true); // as asyncio does: a reply split in two is not held back by Nagle
    socket.on("data", (data) => socket.write(data));
    socket.on("error", () => socket.destroy());
  })
  .listen(+port, "127.0.0.1");
