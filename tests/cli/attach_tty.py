#!/usr/bin/env python3
"""tests/cli/attach_tty.py -- drives aiod attach on a pseudo-terminal against a running daemon; exits 0 when every check passes

usage: attach_tty.py AIOD CONTROL_SOCKET
"""
import subprocess
import sys
import time

from ptyterm import Term

aiod, sock = sys.argv[1], sys.argv[2]
term = Term([aiod, "attach", "--control", sock])
proc, expect, send, fail = term.proc, term.expect, term.send, term.fail

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
if not term.modes_kept():
    fail("the terminal's modes differ after the session")
print("ok")
