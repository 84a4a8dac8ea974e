// UDP echo server for Node.js dgram on 127.0.0.1:PORT (arg 1): each datagram is sent back to its sender.
const dgram = require("dgram");

const socket = dgram.createSocket("udp4");
socket.on("message", (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
socket.bind(+process.argv[2], "127.0.0.1");
