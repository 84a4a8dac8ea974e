# proxy from the environment (http_proxy, no_proxy), as curl: the default Session and a new one both use it
. "$(dirname "$0")/lib.bash"
backend=$(cd "$(dirname "$0")/../http" && pwd)/server.py
coproc SRV { exec /usr/bin/python3 -I "$backend"; }
trap 'kill "$SRV_PID" 2>/dev/null; rm -rf "$T"' EXIT
read -r port _ <&"${SRV[0]}" || fail "no server"
script t.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.run(function()
  print(asyncio.http.get("http://via-proxy.invalid/echo"):json().headers.host)
  local s <close> = asyncio.http.Session()
  print(s:get("http://again.invalid/echo"):json().headers.host)
  -- no_proxy: straight to the server
  print(asyncio.http.get("http://127.0.0.1:" .. arg[1] .. "/status/201").status)
end)
LUA
(cd "$T" && http_proxy=http://127.0.0.1:$port no_proxy=127.0.0.1 timeout 10 "$AIOD" t.lua "$port" <"/dev/null" >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "via-proxy.invalid" "again.invalid" "201"
