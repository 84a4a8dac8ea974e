"""tests/http/server.py -- the HTTP client tests' server: HTTP/1.1 written by hand, so every fault is exact

usage: python3 -I tests/http/server.py [--tls CERTDIR] [--cert NAME] [--client-cert]
  --tls CERTDIR   serve HTTPS with CERTDIR/server.pem and server.key (tests/tls/mkcerts.sh)
  --cert NAME     NAME.pem and NAME.key instead (expired, wronghost, selfsigned)
  --client-cert   require a client certificate signed by CERTDIR/ca.pem
Prints "PORT BLACKHOLE_PORT\n" on stdout once it listens on 127.0.0.1 (BLACKHOLE_PORT: a listening
socket whose accept queue is full, so connecting there hangs: connect_timeout), then serves until killed
or until its stdin closes (the test that started it went away).

Routes (any method; the query string is ignored unless said):
  /echo            200, JSON {method, path, query, headers (lower-case name -> values joined ", "),
                   header_list (name -> list), body}
  /status/N        status N, body "status N"
  /redirect/N      302 to /redirect/N-1; /redirect/0 answers 200 "done"
  /loop            302 to /loop, for ever
  /never           reads the request, never answers
  /stall           Content-Length 1000, sends 10 bytes, then waits for the client to go away
  /big?n=N         N bytes of "x"
  /json            a JSON document with a null, an array, an object, a UTF-8 string
  /badjson         "{\"a\": 1," with content-type application/json
  /headers         repeated fields (Set-Cookie twice, X-Multi twice), X-Mixed-Case
  /lines           chunked: "one\ntwo\nthr" "ee\nfour" in two chunks 20 ms apart
  /slow?ms=N       waits N ms, then 200 "slow"
  /cut             Content-Length 1000, sends 10 bytes, closes the connection
  /garbage         answers bytes that are no HTTP, then closes
  /closeafter      200 "closing", then closes the connection without saying so (keep-alive assumed)
  /stats           JSON {total, open, max_open, aborted, hits (path -> count)}: connections that
                   carried a request other than /stats (so asking changes nothing): in all, open
                   now, most open at once; connections the client closed before the
                   server finished its answer (/stall, /never), requests per path
"""
import asyncio
import json
import os
import socket
import ssl
import sys
import urllib.parse

stats = {"total": 0, "open": 0, "max_open": 0, "aborted": 0, "hits": {}}


def response(status, body=b"", headers=(), reason="X"):
    head = ["HTTP/1.1 %d %s" % (status, reason)]
    head += ["%s: %s" % h for h in headers]
    if not any(h[0].lower() in ("content-length", "transfer-encoding") for h in headers):
        head.append("Content-Length: %d" % len(body))
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


async def wait_gone(reader):
    """Waits for the client to close; counts it as an abort."""
    try:
        while await reader.read(65536):
            pass
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    stats["aborted"] += 1


async def read_request(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError, OSError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    fields = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            fields.append((name.strip().lower(), value.strip()))
    get = dict(fields).get
    if get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = b""
    if "content-length" in dict(fields):
        body = await reader.readexactly(int(get("content-length")))
    elif get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    return method, target, fields, body


async def handle(reader, writer):
    conn = {"counted": False}
    try:
        while await one(reader, writer, conn):
            pass
    except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
        pass
    finally:
        if conn["counted"]:
            stats["open"] -= 1
        writer.close()


async def one(reader, writer, conn):
    req = await read_request(reader, writer)
    if req is None:
        return False
    method, target, fields, body = req
    url = urllib.parse.urlsplit(target)
    path, query = url.path, urllib.parse.parse_qs(url.query)
    # A connection counts from its first request that is not /stats: asking
    # for the figures does not change them.
    if path != "/stats" and not conn["counted"]:
        conn["counted"] = True
        stats["total"] += 1
        stats["open"] += 1
        stats["max_open"] = max(stats["max_open"], stats["open"])
    stats["hits"][path] = stats["hits"].get(path, 0) + 1
    send = writer.write
    head = method == "HEAD"

    def answer(status, data=b"", headers=()):
        out = response(status, data, headers)
        if head:
            out = out[: out.index(b"\r\n\r\n") + 4]
        send(out)

    parts = path.strip("/").split("/")
    if path == "/echo":
        joined, lists = {}, {}
        for name, value in fields:
            lists.setdefault(name, []).append(value)
            joined[name] = ", ".join(lists[name])
        data = json.dumps({"method": method, "path": path, "query": url.query, "headers": joined,
                           "header_list": lists, "body": body.decode("latin-1")}, sort_keys=True)
        answer(200, data.encode(), [("Content-Type", "application/json")])
    elif parts[0] == "status" and len(parts) == 2:
        status = int(parts[1])
        answer(status, b"status %d" % status)
    elif parts[0] == "redirect" and len(parts) == 2:
        n = int(parts[1])
        if n == 0:
            answer(200, b"done")
        else:
            answer(302, b"", [("Location", "/redirect/%d" % (n - 1))])
    elif path == "/loop":
        answer(302, b"", [("Location", "/loop")])
    elif path == "/never":
        await wait_gone(reader)
        return False
    elif path == "/stall":
        send(response(200, b"", [("Content-Length", "1000")]) + b"x" * 10)
        await writer.drain()
        await wait_gone(reader)
        return False
    elif path == "/cut":
        send(response(200, b"", [("Content-Length", "1000")]) + b"x" * 10)
        await writer.drain()
        return False
    elif path == "/garbage":
        send(b"\x00\x01 this is no HTTP\r\n\r\n")
        await writer.drain()
        return False
    elif path == "/closeafter":
        answer(200, b"closing")
        await writer.drain()
        return False
    elif path == "/big":
        answer(200, b"x" * int(query["n"][0]))
    elif path == "/json":
        answer(200, b'{"a": null, "b": [1, 2, {"c": "d"}], "s": "h\\u00e9", "n": 1.5}',
               [("Content-Type", "application/json")])
    elif path == "/badjson":
        answer(200, b'{"a": 1,', [("Content-Type", "application/json")])
    elif path == "/headers":
        answer(200, b"h", [("Set-Cookie", "a=1"), ("X-Multi", "one"), ("Set-Cookie", "b=2"),
                           ("X-Multi", "two"), ("X-Mixed-Case", "Yes")])
    elif path == "/lines":
        send(response(200, b"", [("Transfer-Encoding", "chunked")]))
        send(b"b\r\none\ntwo\nthr\r\n")
        await writer.drain()
        await asyncio.sleep(0.02)
        send(b"7\r\nee\nfour\r\n0\r\n\r\n")
    elif path == "/slow":
        await asyncio.sleep(int(query["ms"][0]) / 1000)
        answer(200, b"slow")
    elif path == "/stats":
        answer(200, json.dumps(stats, sort_keys=True).encode(), [("Content-Type", "application/json")])
    else:
        answer(404, b"no route")
    await writer.drain()
    return True


def blackhole():
    """A listening socket whose accept queue is full: a connect() there waits (SYN dropped)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(0)
    fillers = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(s.getsockname())
        except BlockingIOError:
            pass
        fillers.append(c)
    return s, fillers


async def main():
    args = sys.argv[1:]
    ctx = None
    if "--tls" in args:
        d = args[args.index("--tls") + 1]
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        name = args[args.index("--cert") + 1] if "--cert" in args else "server"
        ctx.load_cert_chain(os.path.join(d, name + ".pem"), os.path.join(d, name + ".key"))
        ctx.set_alpn_protocols(["http/1.1"])
        if "--client-cert" in args:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(os.path.join(d, "ca.pem"))
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx, backlog=512)
    hole = blackhole()
    print(server.sockets[0].getsockname()[1], hole[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    # stdin at EOF (the test went away): stop
    await loop.run_in_executor(None, sys.stdin.buffer.read)
    os._exit(0)


asyncio.run(main())
