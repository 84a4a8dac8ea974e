// keep-alive HTTP/1.1 hello server for Node.js http on 127.0.0.1:PORT (arg 1).
const http = require("http");

http
  .createServer((req, res) => {
    res.writeHead(200, { "Content-Length": 13, "Content-Type": "text/plain" });
    res.end("Hello, world!");
  })
  .listen(+process.argv[2], "127.0.0.1");
