-- echo_server.lua -- a TCP echo server: each line a client sends comes back to it.
-- Run it with `aiod scripts/echo_server.lua [PORT [HOST]]` (default: port 8888 on
-- every interface), then `nc localhost 8888`. Ctrl-C or SIGTERM stops it cleanly.
local asyncio = require "asyncio"

io.stdout:setvbuf("line")	-- a log line shows up at once, also in a file

local port = tonumber(arg[1]) or 8888
local host = arg[2]	-- nil: every interface, IPv4 and IPv6
local open = 0

local function handle(reader, writer)
  local peer_host, peer_port = writer:get_extra_info("peername")
  local who = peer_port and ("%s:%d"):format(peer_host, peer_port) or "a client"
  open = open + 1
  print(("%s connected (%d open)"):format(who, open))
  -- Counted out however the handler ends: EOF, a reset, or a stop.
  local _ <close> = setmetatable({}, {__close = function(_, err)
    open = open - 1
    local why = err and (asyncio.CancelledError:is(err) and "stopped" or tostring(err)) or "closed"
    print(("%s left: %s (%d open)"):format(who, why, open))
  end})
  for line in reader:lines() do
    writer:write(line)
    writer:drain()	-- a client that does not read holds us back here, not in memory
  end
end

local server = asyncio.start_server(handle, host, port)
for _, s in ipairs(server.sockets) do
  print(("echo server listening on %s port %d"):format(s.host, s.port))
end
server:serve_forever()
