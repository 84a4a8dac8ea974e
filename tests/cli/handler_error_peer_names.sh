# a failed handler's report names its client as the server saw it: IPv4, IPv4 mapped into a dual-stack socket's IPv6, IPv6, a Unix socket's server path (serve keeps an IPv4 peer as an integer until then)
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local function fails(r, w) r:read(1) error("boom") end
local function expect(fmt, w) print(fmt:format(w:get_extra_info("sockname"))) end
asyncio.run(function()
  local cases = {
    {"127.0.0.1", "127.0.0.1", "%s:%d"},
    {nil, "127.0.0.1", "[::ffff:%s]:%d"},
    {"::1", "::1", "[%s]:%d"},
  }
  for _, c in ipairs(cases) do
    local ok, srv = pcall(asyncio.start_server, fails, c[1], 0)
    if ok then
      local r, w = asyncio.open_connection(c[2], srv.sockets[1].port)
      expect(c[3], w)
      w:write("x")
      asyncio.sleep(0.05)
      srv:close()
    end
  end
  local srv = asyncio.start_unix_server(fails, "u.sock")
  local r, w = asyncio.open_unix_connection("u.sock")
  print("a client of u.sock")
  w:write("x")
  asyncio.sleep(0.05)
  srv:close()
end)
LUA
run s.lua
expect_rc 0
[ "$(wc -l <"$OUT")" -ge 3 ] || fail "expected at least IPv4, mapped IPv4 and Unix cases"
while IFS= read -r who; do
  stderr_has "handler for $who failed: s.lua:2: boom"
done <"$OUT"
