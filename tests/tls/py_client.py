#!/usr/bin/python3
"""py_client.py -- a Python ssl client that talks to an aiod TLS server (tests/cli/tls_python_client.sh)

usage: py_client.py CERTS PORT [--client-cert] [--tls12]
The server (the script in tls_python_client.sh) greets with
"hello version=V alpn=P cert=CN" and knows "echo X", "bulk N",
"recv N" and "quit" (it closes with close_notify). Prints what it saw, one
line per check, so the shell compares the whole output.
"""
import socket
import ssl
import sys

certs, port = sys.argv[1], int(sys.argv[2])
args = sys.argv[3:]


def context(alpn=None):
    ctx = ssl.create_default_context(cafile=certs + "/ca.pem")
    ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF   # a missing close_notify raises
    if "--client-cert" in args:
        ctx.load_cert_chain(certs + "/client.pem", certs + "/client.key")
    if "--tls12" in args:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


def connect(host="localhost", ctx=None, session=None, server_hostname=None):
    raw = socket.create_connection((host, port))
    s = (ctx or context()).wrap_socket(raw, server_hostname=server_hostname or host,
                                       suppress_ragged_eofs=False, session=session)
    return s, s.makefile("rb")


def main():
    shared = context()      # a session resumes only with the context that made it
    try:
        s, f = connect(ctx=shared)
        hello = f.readline()
    except (ssl.SSLError, OSError) as e:
        print("refused:", type(e).__name__, getattr(e, "reason", "") or "")
        return
    print(hello.decode().strip())
    if not hello:
        return
    print("verified:", s.getpeercert()["subject"])
    s.sendall(b"echo one\n")
    print(f.readline().decode().strip())
    # 1 MiB each way
    n = 1 << 20
    s.sendall(b"bulk %d\n" % n)
    data = f.read(n)
    print("bulk:", len(data), data == bytes(i % 256 for i in range(256)) * (n // 256), f.readline().decode().strip())
    s.sendall(b"recv %d\n" % n)
    s.sendall(bytes(i % 251 for i in range(n)))
    print(f.readline().decode().strip(), "expected", sum(i % 251 for i in range(n)))
    # the server closes with close_notify: a clean end of file, then our answer
    s.sendall(b"quit\n")
    print("server's close_notify:", f.read() == b"")
    session = s.session
    f.close()
    s.unwrap().close()

    # resumption with the ticket of the first connection
    s, f = connect(ctx=shared, session=session)
    print("session reused:", s.session_reused, f.readline().decode().split()[1])
    s.sendall(b"echo two\n")
    print(f.readline().decode().strip())
    # we close first, with close_notify; the server answers
    f.close()
    print("unwrap:", s.unwrap() is not None)

    # an IP address: no SNI
    s, f = connect("127.0.0.1")
    print(f.readline().decode().strip())
    # a ragged close: no close_notify, just the FIN
    s.shutdown(socket.SHUT_RDWR)
    s.close()

    # ALPN
    s, f = connect(ctx=context(["h2", "http/1.1"]))
    print("alpn:", s.selected_alpn_protocol(), f.readline().decode().split()[2])
    f.close()
    s.unwrap()

    # garbage, then a good client
    raw = socket.create_connection(("127.0.0.1", port))
    raw.sendall(b"GET / HTTP/1.0\r\n\r\n")
    try:
        rest = raw.recv(65536)
        while rest and raw.recv(65536):
            pass
        print("garbage: closed")
    except ConnectionResetError:
        print("garbage: closed")
    raw.close()
    s, f = connect()
    s.sendall(b"echo after garbage\n")
    f.readline()
    print(f.readline().decode().strip())
    f.close()
    s.unwrap()


main()
