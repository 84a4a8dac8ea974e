# out of descriptors, the server pauses accepting without spinning, and serves again once some are closed
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local server = asyncio.start_server(function(r, w)
  w:write("re: " .. r:readline())
end, "127.0.0.1", 0)
local port = server.sockets[1].port

-- Connect until the process has no descriptor left: the last connections
-- wait in the kernel's backlog, the server unable to accept them.
local clients = {}
while true do
  local ok, r, w = pcall(asyncio.open_connection, "127.0.0.1", port)
  if not ok then
    print("connect failed with errno " .. r.errno)
    break
  end
  clients[#clients + 1] = {r, w}
  w:write("hello " .. #clients .. "\n")
end
local last = clients[#clients]

-- While paused the loop must sleep, not spin.
local cpu = os.clock()
asyncio.sleep(0.3)
print("idle while out of descriptors: " .. tostring(os.clock() - cpu < 0.1))

-- Free descriptors: the backlog is served after the retry delay.
for i = 1, 10 do clients[i][2]:close() end
print("waiting connection served: " .. tostring(last[1]:readline() == "re: hello " .. #clients .. "\n"))
local r, w = asyncio.open_connection("127.0.0.1", port)
w:write("new\n")
io.write("new connection served: ", r:readline())
server:close()
LUA
(cd "$T" && ulimit -n 40 && timeout 10 "$AIOD" s.lua </dev/null >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "connect failed with errno 24" "idle while out of descriptors: true" \
	"waiting connection served: true" "new connection served: re: new"
