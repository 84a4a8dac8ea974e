# A Python ssl client (tests/tls/py_client.py) against an aiod TLS server: verification, echo, 1 MiB each way, close_notify both ways, session resumption by ticket, no SNI for an IP address, a ragged close, ALPN, garbage, a required client certificate, TLS 1.2
. "$(dirname "$0")/lib.bash"
certs=$AIOD_TEST_CERTS
client=$(cd "$(dirname "$0")/../tls" && pwd)/py_client.py
trap '[ -n "${BG:-}" ] && kill "$BG" 2>/dev/null; rm -rf "$T"' EXIT

script server.lua <<'LUA'
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"
local ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
ctx:set_alpn_protocols({"http/1.1"})
if arg[1] == "--client-cert" then
  ctx.verify_mode = ssl.CERT_REQUIRED
  ctx:load_verify_locations(C .. "ca.pem")
elseif arg[1] == "--tls12" then
  ctx.maximum_version = "TLSv1.2"
end
local n = 0
local server = asyncio.start_server(function(r, w)
  n = n + 1
  local k = n
  local cert = w:get_extra_info("peercert")
  local cn = "-"
  if cert then
    for _, rdn in ipairs(cert.subject) do
      for _, pair in ipairs(rdn) do if pair[1] == "commonName" then cn = pair[2] end end
    end
  end
  w:write(string.format("hello version=%s alpn=%s cert=%s\n", w:get_extra_info("tls_version"),
    w:get_extra_info("alpn_protocol") or "-", cn))
  while true do
    local ok, line = pcall(r.readline, r)
    if not ok then print("conn " .. k .. ": error " .. tostring(line)) return end
    if line == "" then print("conn " .. k .. ": end of file") return end
    local cmd, rest = line:match("^(%S+) ?(.-)\n$")
    if cmd == "echo" then
      w:write(rest .. "\n")
    elseif cmd == "bulk" then
      local block = {}
      for i = 0, 255 do block[#block + 1] = string.char(i) end
      block = table.concat(block):rep(256)
      for _ = 1, tonumber(rest) // #block do w:write(block) w:drain() end
      w:write("end\n")
    elseif cmd == "recv" then
      local data = r:readexactly(tonumber(rest))
      local sum = 0
      for i = 1, #data do sum = sum + data:byte(i) end
      w:write(string.format("got %d sum %d\n", #data, sum))
    elseif cmd == "quit" then
      print("conn " .. k .. ": quit")
      return
    end
  end
end, "127.0.0.1", 0, {ssl = ctx})
print("port " .. server.sockets[1].port)
io.stdout:flush()
server:serve_forever()
LUA

# serve ARGS...: the aiod server in the background; sets PORT
serve() {
	# Emptied first: the background start truncates it only when it runs,
	# and the previous server's "port" line must not be read meanwhile.
	: >"$OUT"
	start server.lua "$@"
	wait_for_text "$OUT" "port " || fail "the aiod server did not start"
	PORT=$(awk '/^port /{print $2}' "$OUT")
}
stop() {
	kill -TERM "$BG"
	finish
	expect_rc 0
}

serve
/usr/bin/python3 "$client" "$certs" "$PORT" >"$T/py.out" 2>&1 || { cat "$T/py.out"; fail "py_client.py failed"; }
sum=$(/usr/bin/python3 -c 'print(sum(i % 251 for i in range(1 << 20)))')
printf '%s\n' \
	"hello version=TLSv1.3 alpn=- cert=-" \
	"verified: ((('commonName', 'localhost'),), (('organizationName', 'aiod tests'),))" \
	"one" \
	"bulk: 1048576 True end" \
	"got 1048576 sum $sum expected $sum" \
	"server's close_notify: True" \
	"session reused: True version=TLSv1.3" \
	"two" \
	"unwrap: True" \
	"hello version=TLSv1.3 alpn=- cert=-" \
	"alpn: http/1.1 alpn=http/1.1" \
	"garbage: closed" \
	"after garbage" | diff -u - "$T/py.out" || fail "the Python client saw something else"
wait_for_text "$OUT" "conn 5: " || fail "the last connection did not end"
stop
for line in "conn 1: quit" "conn 2: end of file" "conn 3: end of file" "conn 4: end of file" "conn 5: end of file"; do
	grep -qxF "$line" "$OUT" || fail "the server did not log '$line'"
done
# five connections reached the handler (the garbage one did not)
[ "$(grep -c '^conn ' "$OUT")" = 5 ] || fail "the handler ran $(grep -c '^conn ' "$OUT") times, expected 5"

# a client certificate the server requires
serve --client-cert
/usr/bin/python3 "$client" "$certs" "$PORT" --client-cert >"$T/py.out" 2>&1 || { cat "$T/py.out"; fail "py_client.py --client-cert failed"; }
head -n 1 "$T/py.out" | grep -qxF "hello version=TLSv1.3 alpn=- cert=aiod test client" ||
	{ cat "$T/py.out"; fail "the client certificate was not seen"; }
/usr/bin/python3 "$client" "$certs" "$PORT" >"$T/py.out" 2>&1
grep -q "^refused: \|^$" "$T/py.out" || { cat "$T/py.out"; fail "a client without a certificate was served"; }
stop

# TLS 1.2, and resumption with a 1.2 ticket
serve --tls12
/usr/bin/python3 "$client" "$certs" "$PORT" --tls12 >"$T/py.out" 2>&1 || { cat "$T/py.out"; fail "py_client.py --tls12 failed"; }
grep -qxF "hello version=TLSv1.2 alpn=- cert=-" "$T/py.out" || { cat "$T/py.out"; fail "not TLS 1.2"; }
grep -qxF "session reused: True version=TLSv1.2" "$T/py.out" || { cat "$T/py.out"; fail "no TLS 1.2 resumption"; }
stop
