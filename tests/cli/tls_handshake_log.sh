# A TLS client whose handshake fails costs one debug-level log line naming it, and nothing at the default level; the handler never runs for it and the next client is served
. "$(dirname "$0")/lib.bash"
script tls.lua <<'LUA'
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"
local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
local served = 0
local server = asyncio.start_server(function(r, w)
  served = served + 1
  w:write("hello\n")
end, "127.0.0.1", 0, {ssl = server_ctx, ssl_handshake_timeout = 0.1})
local port = server.sockets[1].port
local ports = {}
local function plain(data)
  local r, w = asyncio.open_connection("127.0.0.1", port)
  ports[#ports + 1] = select(2, w:get_extra_info("sockname"))
  if data then w:write(data) end
  pcall(r.read, r)   -- until the server drops it
  w:close()
end
plain("GET / HTTP/1.0\r\n\r\n")      -- garbage
plain(nil)                           -- silent: the handshake times out
-- a client that refuses the certificate (wrong name)
local ok = pcall(asyncio.open_connection, "127.0.0.1", port, {ssl = client_ctx, server_hostname = "wrong.example"})
print("wrong name refused:", not ok)
local r, w = asyncio.open_connection("localhost", port, {ssl = client_ctx})
io.write("good client: ", r:readline())
w:close()
server:close()
server:wait_closed()
print("served:", served)
print("ports " .. table.concat(ports, " "))
LUA
run tls.lua
expect_rc 0
stdout_has "wrong name refused:	true"
stdout_has "good client: hello"
stdout_has "served:	1"
if grep -q "TLS handshake" "$ERR"; then fail "a failed handshake logged at the default level"; fi

run --log-level debug tls.lua
expect_rc 0
stdout_has "served:	1"
n=$(grep -c "TLS handshake with .* failed" "$ERR")
[ "$n" = 3 ] || fail "$n handshake lines at debug level, expected 3"
for p in $(awk '/^ports /{$1=""; print}' "$OUT"); do
	grep -q "TLS handshake with 127.0.0.1:$p failed" "$ERR" || fail "no line names the client at port $p"
done
grep "TLS handshake with" "$ERR" | grep -qi "timeout\|timed out" || fail "the silent client's line does not say it timed out"
