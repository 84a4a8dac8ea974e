#!/usr/bin/env python3
"""tests/cli/repl_tty.py -- drives aiod -i on a pseudo-terminal (readline's path); exits 0 when every check passes

usage: repl_tty.py AIOD SCENARIO   (SCENARIO: session, sigterm, eof_mid_entry, os_exit)
HOME must be a scratch folder: the history file is written there.
"""
import os
import signal
import subprocess
import sys
import time

from ptyterm import Term

aiod, scenario = sys.argv[1], sys.argv[2]
term = Term([aiod, "-i"])
proc, expect, send, fail = term.proc, term.expect, term.send, term.fail


def finish(status):
    try:
        rc = proc.wait(5)
    except subprocess.TimeoutExpired:
        fail("aiod did not exit")
    if rc != status:
        fail("exit status %d, expected %d" % (rc, status))
    if not term.modes_kept():
        fail("the terminal's modes differ after exit")


expect(b"> ")
if scenario == "session":
    send(b"1 + 2\n")
    expect(b"3\r\n")
    expect(b"> ")
    send(b"asyncio.sleep(100)\n")
    expect(b"sleep(100)\r\n")	# readline has taken the whole line
    # This Ctrl-C is for a running entry: it is sent once the entry runs.
    # (One that comes in the same turn as the Enter is handled after the
    # Enter too: repl.c reads the keys typed before it first.)
    time.sleep(0.2)
    send(b"\x03")
    expect(b"KeyboardInterrupt\r\n")
    expect(b"> ")
    # Ctrl-C at the prompt drops what was typed.
    send(b"garbage")
    expect(b"garbage")
    send(b"\x03")
    expect(b"^C")
    expect(b"> ")
    send(b"10 * 4\n")
    expect(b"40\r\n")
    expect(b"> ")
    # Tab completes Lua names: a global's field, a method.
    send(b"string.for\t")
    expect(b"string.format")
    send(b"('%d', 7)\n")
    expect(b"7\r\n")
    expect(b"> ")
    send(b"t = asyncio.create_task(function() return 'awaited' end) return nil\n")
    expect(b"nil\r\n")
    expect(b"> ")
    send(b"t:awa\t")
    expect(b"t:await")
    send(b"()\n")
    expect(b"awaited\r\n")
    expect(b"> ")
    # An incomplete entry continues at ">> ".
    send(b"function f()\n")
    expect(b">> ")
    send(b"return 'ok' end\n")
    expect(b"> ")
    send(b"f()\n")
    expect(b"ok\r\n")
    expect(b"> ")
    # A log line from a background task while the prompt shows and a line
    # is half typed: the line is cleared first, then drawn anew after it.
    send(b"asyncio.create_task(function() asyncio.sleep(0.5) require('aiod').log('info', 'from the background') end) return nil\n")
    expect(b"nil\r\n")
    expect(b"> ")
    send(b"half")
    expect(b"half")
    out = expect(b"from the background")
    if b"\x1b[K" not in out or b"half" in out:
        fail("the prompt was not cleared before the log line: %r" % out)
    expect(b"> half")
    send(b"\x15\x04")	# Ctrl-U clears the line, Ctrl-D ends
    finish(0)
    history = open(os.path.join(os.environ["HOME"], ".aiod_history")).read()
    if "1 + 2" not in history or "10 * 4" not in history:
        fail("history lacks the entries: %r" % history)
elif scenario == "sigterm":
    send(b"typed, not entered")
    expect(b"entered")
    proc.send_signal(signal.SIGTERM)
    finish(143)
elif scenario == "eof_mid_entry":
    send(b"if true then\n")
    expect(b">> ")
    send(b"\x04")
    expect(b"'end' expected near <eof>")
    finish(0)
elif scenario == "os_exit":
    send(b"os.exit(5)\n")
    finish(5)
print("ok")
