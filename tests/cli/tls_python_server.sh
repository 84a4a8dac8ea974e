# aiod's TLS client against a Python ssl server (tests/tls/py_server.py): verification, SNI, IPv4/IPv6 addresses, echo, 1 MiB each way, close_notify both ways, a ragged EOF, a peer that never answers close_notify, ALPN, a client certificate, TLS 1.2, and ssl = true through SSL_CERT_FILE
. "$(dirname "$0")/lib.bash"
certs=$AIOD_TEST_CERTS
peer=$(cd "$(dirname "$0")/../tls" && pwd)/py_server.py

# start_peer ARGS...: a Python server in the background; sets PEER_PID, PORT, PEER_OUT
start_peer() {
	PEER_OUT=$T/peer.$RANDOM
	/usr/bin/python3 "$peer" "$certs" "$@" >"$PEER_OUT" 2>&1 &
	PEER_PID=$!
	local i
	for ((i = 0; i < 250; i++)); do
		PORT=$(awk '/^port /{print $2}' "$PEER_OUT")
		[ -n "$PORT" ] && return 0
		sleep 0.02
	done
	fail "the Python server did not start: $(cat "$PEER_OUT")"
}
stop_peer() { kill "$PEER_PID" 2>/dev/null; wait "$PEER_PID" 2>/dev/null; }
trap 'stop_peer; rm -rf "$T"' EXIT

# peer_said TEXT: the Python server's log has TEXT within 2 s
peer_said() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -qF -- "$1" "$PEER_OUT" && return 0
		sleep 0.02
	done
	echo "--- peer log:"; cat "$PEER_OUT"
	fail "the Python server never said '$1'"
}

script client.lua <<'LUA'
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"
local port = tonumber(arg[1])
local ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

local function connect(host, opts)
  opts = opts or {}
  opts.ssl = opts.ssl or ctx
  local r, w = asyncio.open_connection(host, port, opts)
  return r, w, r:readline()
end

-- names and addresses: the server reports the SNI it got
for _, host in ipairs({"localhost", "127.0.0.1", "::1"}) do
  local r, w, hello = connect(host)
  io.write(host, ": ", hello)
  w:write("echo over " .. host .. "\n")
  io.write(r:readline())
  w:write("close\n")
  print("server's close_notify is end of file:", r:read() == "", r:at_eof())
  w:close()
  w:wait_closed()
end

-- 1 MiB each way, the client closes first with close_notify
local r, w = connect("localhost")
local N = 1024 * 1024
w:write("bulk " .. N .. "\n")
local got = r:readexactly(N)
print("bulk:", #got, (r:readline():gsub("\n", "")))
local sum = 0
local block = {}
for i = 1, 65536 do block[i] = string.char(i % 256) sum = sum + (i % 256) end
w:write("recv " .. N .. "\n")
for _ = 1, N // 65536 do w:write(table.concat(block)) w:drain() end
io.write(r:readline())
print("expected sum", sum * (N // 65536))
w:close()
w:wait_closed()

-- the server closes without close_notify: end of file, no error
r, w = connect("localhost")
w:write("echo before\nragged\n")
io.write(r:readline())
print("ragged:", pcall(r.read, r))
w:close()
w:wait_closed()

-- the server never answers close_notify: close returns after ssl_shutdown_timeout
r, w = connect("localhost", {ssl_shutdown_timeout = 0.1})
w:write("mute\n")
local loop = asyncio.get_running_loop()
local t0 = loop:time()
w:close()
w:wait_closed()
print("mute peer, closed in time:", loop:time() - t0 < 1.5)

-- wrong host
local ok, e = pcall(connect, "127.0.0.1", {server_hostname = "wrong.example"})
print("wrong host:", ok, e.name, e.verify_code, e.verify_message)
LUA

start_peer
run client.lua "$PORT"
expect_rc 0
expect_stdout \
	"localhost: hello sni=localhost version=TLSv1.3 alpn=- cert=-" \
	"over localhost" \
	"server's close_notify is end of file:	true	true" \
	"127.0.0.1: hello sni=- version=TLSv1.3 alpn=- cert=-" \
	"over 127.0.0.1" \
	"server's close_notify is end of file:	true	true" \
	"::1: hello sni=- version=TLSv1.3 alpn=- cert=-" \
	"over ::1" \
	"server's close_notify is end of file:	true	true" \
	"bulk:	1048576	end" \
	"got 1048576 sum 133693440" \
	"expected sum	133693440" \
	"before" \
	"ragged:	true	" \
	"mute peer, closed in time:	true" \
	"wrong host:	false	SSLCertVerificationError	62	Hostname mismatch, certificate is not valid for 'wrong.example'."
for k in 1 2 3; do peer_said "conn $k: unwrap ok"; done
peer_said "conn 4: peer close_notify"
peer_said "conn 5: closed ragged"
peer_said "conn 6: mute ended"
peer_said "conn 7: handshake failed"
stop_peer

# ALPN, a client certificate the server requires, TLS 1.2 only
script options.lua <<'LUA'
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"
local ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
if arg[2] == "cert" then ctx:load_cert_chain(C .. "client.pem", C .. "client.key") end
ctx:set_alpn_protocols({"h2", "http/1.1"})
local ok, r, w = pcall(asyncio.open_connection, "localhost", tonumber(arg[1]), {ssl = ctx})
-- Under TLS 1.3 a refused client certificate shows after the handshake: an
-- SSLError or end of file on the first read (Python's asyncio gives b"").
if not ok then print("refused:", r.name) return end
local ok2, hello = pcall(r.readline, r)
if not ok2 then print("refused:", hello.name) return end
if hello == "" then print("refused:", "end of file") return end
io.write(hello)
print(w:get_extra_info("tls_version"), w:get_extra_info("alpn_protocol"))
w:write("close\n")
r:read()
w:close()
w:wait_closed()
LUA
start_peer --client-cert --alpn http/1.1,h2
run options.lua "$PORT" cert
expect_rc 0
expect_stdout "hello sni=localhost version=TLSv1.3 alpn=http/1.1 cert=aiod test client" "TLSv1.3	http/1.1"
run options.lua "$PORT"
expect_rc 0
stdout_has "refused:"
peer_said "handshake failed"
stop_peer

start_peer --tls12
run options.lua "$PORT"
expect_rc 0
expect_stdout "hello sni=localhost version=TLSv1.2 alpn=- cert=-" "TLSv1.2	nil"
peer_said "conn 1: unwrap ok"
stop_peer

# ssl = true trusts SSL_CERT_FILE
start_peer
script default.lua <<'LUA'
local asyncio = require "asyncio"
local r, w = asyncio.open_connection("localhost", tonumber(arg[1]), {ssl = true})
io.write(r:readline())
w:close()
w:wait_closed()
LUA
(cd "$T" && SSL_CERT_FILE=$certs/ca.pem timeout 10 "$AIOD" default.lua "$PORT" </dev/null >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "hello sni=localhost version=TLSv1.3 alpn=- cert=-"
peer_said "conn 1: peer close_notify"
