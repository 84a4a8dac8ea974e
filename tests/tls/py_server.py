#!/usr/bin/python3
"""py_server.py -- a Python ssl server for aiod's TLS client to talk to (tests/cli/tls_python_server.sh)

usage: py_server.py CERTS [--client-cert] [--alpn P,Q] [--tls12]
Listens on 127.0.0.1 and ::1 at one free port and prints "port N" when ready.
Each connection is served on its own thread, blocking sockets, a line protocol:
  on connect   "hello sni=<name or -> version=<TLSv1.x> alpn=<p or -> cert=<client CN or ->"
  "echo X"     answers "X"
  "bulk N"     answers N bytes of a known pattern (no newline), then "end"
  "recv N"     reads N bytes, answers "got N sum S" (S: sum of the bytes mod 2**32)
  "close"      sends close_notify (unwrap), waits for the peer's, closes: "unwrap ok"
  "ragged"     closes the TCP connection without close_notify: "closed ragged"
  "mute"       reads and drops everything, never answers close_notify: "mute ended"
A peer's close_notify is answered ("peer close_notify"); an EOF without one
is "peer ragged eof". After each connection ends it prints one line on stdout:
"conn K: <how it ended>" (or "error <reason>", "handshake failed <reason>").
"""
import socket
import ssl
import sys
import threading
import time

certs = sys.argv[1]
args = sys.argv[2:]
out_lock = threading.Lock()


def say(text):
    with out_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def pattern(n):
    block = bytes((i * 31 + 7) % 251 for i in range(65536))
    return (block * (n // len(block) + 1))[:n]


ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(certs + "/server.pem", certs + "/server.key")
# Python's default ignores an EOF without close_notify: tell the two apart.
ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF
if "--client-cert" in args:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(certs + "/ca.pem")
if "--alpn" in args:
    ctx.set_alpn_protocols(args[args.index("--alpn") + 1].split(","))
if "--tls12" in args:
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
sni_seen = threading.local()   # the handshake runs on the connection's thread


def on_sni(_sslsock, name, _ctx):
    sni_seen.name = name


ctx.sni_callback = on_sni


def serve(k, raw):
    how = "?"
    sni_seen.name = None
    try:
        s = ctx.wrap_socket(raw, server_side=True, suppress_ragged_eofs=False)
    except (ssl.SSLError, OSError) as e:
        say("conn %d: handshake failed %s" % (k, getattr(e, "reason", None) or e))
        raw.close()
        return
    f = s.makefile("rb")
    try:
        cert = s.getpeercert()
        cn = "-"
        if cert:
            cn = dict(x[0] for x in cert["subject"])["commonName"]
        sni = sni_seen.name
        s.sendall(("hello sni=%s version=%s alpn=%s cert=%s\n" % (
            sni or "-", s.version(), s.selected_alpn_protocol() or "-", cn)).encode())
        while True:
            try:
                line = f.readline()
            except ssl.SSLError as e:
                if e.reason != "UNEXPECTED_EOF_WHILE_READING":
                    raise
                how = "peer ragged eof"
                break
            if not line:
                f.close()
                s.unwrap().close()   # answers the peer's close_notify
                how = "peer close_notify"
                return
            cmd, _, rest = line.decode().rstrip("\n").partition(" ")
            if cmd == "echo":
                s.sendall((rest + "\n").encode())
            elif cmd == "bulk":
                s.sendall(pattern(int(rest)))
                s.sendall(b"end\n")
            elif cmd == "recv":
                n = int(rest)
                data = f.read(n)
                s.sendall(("got %d sum %d\n" % (len(data), sum(data) % 2**32)).encode())
            elif cmd == "close":
                f.close()
                s.unwrap().close()
                how = "unwrap ok"
                return
            elif cmd == "ragged":
                s.shutdown(socket.SHUT_RDWR)   # a FIN, no close_notify
                how = "closed ragged"
                return
            elif cmd == "mute":
                while f.read1(65536):
                    pass
                time.sleep(0.5)   # the peer's close_notify came: hold on, silent
                how = "mute ended"
                break
    except (ssl.SSLError, OSError) as e:
        how = "error %s" % (getattr(e, "reason", None) or e)
    finally:
        say("conn %d: %s" % (k, how))
        try:
            f.close()
            s.close()
        except OSError:
            pass


def main():
    l4 = socket.socket(socket.AF_INET)
    l4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l4.bind(("127.0.0.1", 0))
    port = l4.getsockname()[1]
    l6 = socket.socket(socket.AF_INET6)
    l6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    l6.bind(("::1", port))
    counter = [0]
    lock = threading.Lock()

    def accept_loop(l):
        l.listen(64)
        while True:
            raw, _ = l.accept()
            with lock:
                counter[0] += 1
                k = counter[0]
            threading.Thread(target=serve, args=(k, raw), daemon=True).start()

    threading.Thread(target=accept_loop, args=(l6,), daemon=True).start()
    say("port %d" % port)
    accept_loop(l4)


if __name__ == "__main__":
    main()
