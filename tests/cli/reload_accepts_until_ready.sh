# a new generation's server on an old one's address is serving at once (is_serving, sockets; a second one there is EADDRINUSE) but the old server accepts until the commit; one closed before the commit never accepts; when the old server closes first, connections wait in the backlog for the commit, and a rollback closes the socket
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "accepting moved at the wrong time"
import os, re, signal, socket, subprocess, sys, time
aiod, tmp = sys.argv[1:3]
script = os.path.join(tmp, "s.lua")
def write(tail):
    with open(script + ".tmp", "w") as f: f.write('''
local asyncio = require "asyncio"
local aiod = require "aiod"
local function say(...) print(...) io.stdout:flush() end
local server = asyncio.start_server(function(r, w) w:write("gen " .. aiod.generation .. "\\n") end,
  "127.0.0.1", tonumber(arg[1]))
asyncio.create_task(function()   -- a later generation asks this one to close its server
  while not aiod.state["close " .. aiod.generation] do asyncio.sleep(0.01) end
  server:close()
  say("closed " .. aiod.generation)
end)
''' + tail)
    os.rename(script + ".tmp", script)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
out = open(os.path.join(tmp, "stdout"), "w")
err = open(os.path.join(tmp, "stderr"), "w")
def text(name): return open(os.path.join(tmp, name)).read()
def wait_for(name, pattern):
    for _ in range(300):
        if re.search(pattern, text(name)): return
        time.sleep(0.01)
    raise SystemExit("%s never showed %r:\n%s\n%s" % (name, pattern, text("stdout"), text("stderr")))
def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=2)
def ask():
    return connect().recv(100)
def reload(tail):
    write(tail)
    p.send_signal(signal.SIGHUP)

write("server:serve_forever()")
p = subprocess.Popen([aiod, script, str(port)], stdout=out, stderr=err)
for _ in range(200):
    try: assert ask() == b"gen 1\n"; break
    except ConnectionRefusedError: time.sleep(0.02)

# Claimed: serving as far as the new code can tell, but generation 1 accepts until the commit.
reload('''
say("claimed", server:is_serving(), server.sockets[1].port == tonumber(arg[1]), tostring(server))
local ok, e = pcall(asyncio.start_server, function() end, "127.0.0.1", tonumber(arg[1]))
say("twice", ok, asyncio.OSError:is(e), tostring(e):match("in use") ~= nil)
asyncio.sleep(0.5)
server:serve_forever()
''')
wait_for("stdout", r"twice")
assert "claimed\ttrue\ttrue\tServer on 127.0.0.1:%d (serving)\n" % port in text("stdout"), text("stdout")
assert "twice\tfalse\ttrue\ttrue\n" in text("stdout"), text("stdout")
assert ask() == b"gen 1\n", "only the commit hands accepting over"
wait_for("stderr", r"reload 1 -> 2: ok")
assert ask() == b"gen 2\n"

# Closed before the commit: it never accepts; the old server accepts until the commit, then closes.
reload('''
server:close()
say("closed early", server:is_serving())
asyncio.sleep(0.4)
aiod.ready()
asyncio.sleep(10)
''')
wait_for("stdout", r"closed early")
assert "closed early\tfalse\n" in text("stdout")
assert ask() == b"gen 2\n"
wait_for("stderr", r"reload 2 -> 3: ok")
try: ask(); raise SystemExit("the address still accepts after the commit")
except ConnectionRefusedError: pass

# Bound anew (no older server listens there now).
reload("aiod.ready() asyncio.sleep(10)")
wait_for("stderr", r"reload 3 -> 4: ok")
assert ask() == b"gen 4\n"

# The old server closes while claimed: the socket stays open, a connection waits
# in its backlog and the new generation serves it once committed.
reload('''
aiod.state["close 4"] = true
asyncio.sleep(0.3)
aiod.ready()
asyncio.sleep(10)
''')
wait_for("stdout", r"closed 4")
waiting = connect()
wait_for("stderr", r"reload 4 -> 5: ok")
assert waiting.recv(100) == b"gen 5\n"

# The same, and the new generation rolls back: the socket closes, nobody accepts.
reload('''
aiod.state["close 5"] = true
asyncio.sleep(0.4)
error("rolls back")
''')
wait_for("stdout", r"closed 5")
waiting = connect()
wait_for("stderr", r"reload 5 -> 6: failed: .*rolls back")
try: data = waiting.recv(100)
except ConnectionResetError: data = b""
assert data == b"", data
try: ask(); raise SystemExit("the address still accepts after the rollback")
except ConnectionRefusedError: pass

p.send_signal(signal.SIGTERM)
assert p.wait(timeout=5) == 0
PY
