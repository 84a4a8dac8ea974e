#!/usr/bin/env python3
"""tests/cli/attach_tty.py -- drives aiod attach on a pseudo-terminal against a running daemon; exits 0 when every check passes

usage: attach_tty.py AIOD CONTROL_SOCKET
"""
import fcntl
import os
import select
import subprocess
import sys
import termios
import time

aiod, sock = sys.argv[1], sys.argv[2]
master, slave = os.openpty()
before = termios.tcgetattr(slave)


def own_terminal():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


proc = subprocess.Popen([aiod, "attach", "--control", sock], stdin=slave, stdout=slave, stderr=slave,
                        start_new_session=True, preexec_fn=own_terminal)
seen = b""


def fail(why):
    print("FAIL:", why)
    print("output so far:", repr(seen))
    proc.kill()
    sys.exit(1)


def expect(text, seconds=3.0):
    global seen
    end = time.time() + seconds
    while text not in seen:
        left = end - time.time()
        if left <= 0:
            fail("no %r" % text)
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                seen += os.read(master, 4096)
            except OSError:
                fail("the terminal closed before %r" % text)
    at = seen.index(text) + len(text)
    part, seen = seen[:at], seen[at:]
    return part


def send(data):
    os.write(master, data)


expect(b"> ")
send(b"counter > 0\r")
expect(b"true")
expect(b"> ")
send(b"print(6 * 7)\r")
expect(b"42")
expect(b"> ")
# Ctrl-C on an entry that waits, and on one that holds the daemon's loop.
send(b"asyncio.sleep(100)\r")
time.sleep(0.2)
send(b"\x03")
expect(b"KeyboardInterrupt")
expect(b"> ")
send(b"while true do end\r")
time.sleep(0.2)
send(b"\x03")
expect(b"KeyboardInterrupt", seconds=3)
expect(b"> ")
send(b"for i = 1, 2 do\r")
expect(b">> ")
send(b"print('i=' .. i) end\r")
expect(b"i=2")
expect(b"> ")
send(b"\x04")
try:
    status = proc.wait(timeout=3)
except subprocess.TimeoutExpired:
    fail("Ctrl-D did not end the session")
if status != 0:
    fail("exit %d" % status)
if termios.tcgetattr(slave) != before:
    fail("the terminal's modes differ after the session")
print("ok")
