# asyncio.http trusts SSL_CERT_FILE / SSL_CERT_DIR when the request names no cafile, as asyncio.ssl and Python do; a request's cafile comes first
. "$(dirname "$0")/lib.bash"
backend=$(cd "$(dirname "$0")/../http" && pwd)/server.py
coproc SRV { exec /usr/bin/python3 -I "$backend" --tls "$AIOD_TEST_CERTS"; }
trap 'kill "$SRV_PID" 2>/dev/null; rm -rf "$T"' EXIT
read -r port _ <&"${SRV[0]}" || fail "no server"
script t.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.run(function()
  local url = "https://localhost:" .. arg[1] .. "/status/200"
  local ok, r = pcall(asyncio.http.get, url)
  print(ok and r.status or r.name)
  ok, r = pcall(asyncio.http.get, url, {cafile = arg[2] .. "/selfsigned.pem"})
  print(ok and r.status or r.name)
end)
LUA
# The test CA by SSL_CERT_FILE, then by SSL_CERT_DIR (a hashed folder).
(cd "$T" && SSL_CERT_FILE=$AIOD_TEST_CERTS/ca.pem SSL_CERT_DIR= timeout 10 "$AIOD" t.lua "$port" "$AIOD_TEST_CERTS" <"/dev/null" >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "200" "SSLCertVerificationError"
(cd "$T" && env -u SSL_CERT_FILE SSL_CERT_DIR=$AIOD_TEST_CERTS/cadir timeout 10 "$AIOD" t.lua "$port" "$AIOD_TEST_CERTS" <"/dev/null" >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "200" "SSLCertVerificationError"
# Neither: libcurl's own store, which does not hold the test CA.
(cd "$T" && env -u SSL_CERT_FILE -u SSL_CERT_DIR timeout 10 "$AIOD" t.lua "$port" "$AIOD_TEST_CERTS" <"/dev/null" >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "SSLCertVerificationError" "SSLCertVerificationError"
