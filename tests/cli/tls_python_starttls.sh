# STARTTLS against Python's ssl both ways: an aiod server upgrading with writer:start_tls for a Python client (which also sends its ClientHello right behind the command), and an aiod client upgrading against a Python server
. "$(dirname "$0")/lib.bash"
certs=$AIOD_TEST_CERTS
trap '[ -n "${BG:-}" ] && kill "$BG" 2>/dev/null; [ -n "${PY:-}" ] && kill "$PY" 2>/dev/null; rm -rf "$T"' EXIT

# 1. aiod serves, Python connects
script server.lua <<'LUA'
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"
local ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local server = asyncio.start_server(function(r, w)
  w:write("220 ready\n")
  local cmd = r:readline()
  if cmd == "STARTTLS\n" then
    w:write("220 go ahead\n")
  elseif cmd ~= "STARTTLS-NOW\n" then
    w:write("500 what?\n")
    return
  end
  w:start_tls(ctx)
  for line in r:lines() do
    w:write(("tls %s: %s"):format(w:get_extra_info("tls_version"), line))
  end
end, "127.0.0.1", 0)
print("port " .. server.sockets[1].port)
io.stdout:flush()
server:serve_forever()
LUA
start server.lua
wait_for_text "$OUT" "port " || fail "the aiod server did not start"
PORT=$(awk '/^port /{print $2}' "$OUT")
/usr/bin/python3 - "$certs" "$PORT" >"$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the Python STARTTLS client failed"; }
import socket, ssl, sys
certs, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.create_default_context(cafile=certs + "/ca.pem")
for pipelined in (False, True):
    s = socket.create_connection(("127.0.0.1", port))
    print(s.recv(100).decode().strip())            # 220 ready
    if pipelined:
        # the ClientHello goes right behind the command, unanswered
        s.sendall(b"STARTTLS-NOW\n")
    else:
        s.sendall(b"STARTTLS\n")
        print(s.recv(100).decode().strip())        # 220 go ahead
    t = ctx.wrap_socket(s, server_hostname="localhost")
    tf = t.makefile("rb")
    t.sendall(b"hello\n")
    print(tf.readline().decode().strip())
    tf.close()
    t.unwrap().close()
PY
kill -TERM "$BG"; finish; expect_rc 0
printf '%s\n' "220 ready" "220 go ahead" "tls TLSv1.3: hello" "220 ready" "tls TLSv1.3: hello" |
	diff -u - "$T/py.out" || fail "the Python client saw something else"

# 2. Python serves (SMTP-like), aiod connects and upgrades
PY_OUT=$T/pyserver.out
/usr/bin/python3 - "$certs" >"$PY_OUT" 2>&1 <<'PY' &
import socket, ssl, sys
certs = sys.argv[1]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(certs + "/server.pem", certs + "/server.key")
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(4)
print("port", l.getsockname()[1], flush=True)
c, _ = l.accept()
f = c.makefile("rb")
c.sendall(b"220 ready\n")
line = f.readline()
c.sendall(b"220 go ahead\n")
f.close()
t = ctx.wrap_socket(c, server_side=True)
tf = t.makefile("rb")
print("plaintext:", line.decode().strip(), "then", t.version(), "from", tf.readline().decode().strip(), flush=True)
t.sendall(b"250 secret ok\n")
print("client's close_notify:", tf.read() == b"", flush=True)
tf.close()
t.unwrap().close()
PY
PY=$!
for ((i = 0; i < 250; i++)); do grep -q "^port " "$PY_OUT" && break; sleep 0.02; done
PYPORT=$(awk '/^port /{print $2}' "$PY_OUT")
[ -n "$PYPORT" ] || fail "the Python server did not start: $(cat "$PY_OUT")"
script client.lua <<'LUA'
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"
local ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
local r, w = asyncio.open_connection("127.0.0.1", tonumber(arg[1]))
io.write(r:readline())
w:write("STARTTLS\n")
io.write(r:readline())
w:start_tls(ctx, {server_hostname = "localhost"})
w:write("secret\n")
io.write(r:readline())
w:close()
w:wait_closed()
print("closed")
LUA
run client.lua "$PYPORT"
expect_rc 0
expect_stdout "220 ready" "220 go ahead" "250 secret ok" "closed"
wait "$PY"
PY=
grep -qxF "plaintext: STARTTLS then TLSv1.3 from secret" "$PY_OUT" || fail "the Python server saw: $(cat "$PY_OUT")"
grep -qxF "client's close_notify: True" "$PY_OUT" || fail "no close_notify from aiod: $(cat "$PY_OUT")"
