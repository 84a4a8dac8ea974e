-- echo server for Lua 5.4 + luv on 127.0.0.1:PORT (arg 1): each chunk read is written back (libuv queues what the socket does not take).
local uv = require "luv"

local server = uv.new_tcp()
assert(server:bind("127.0.0.1", assert(tonumber(arg[1]))))
assert(server:listen(511, function(err)
  assert(not err, err)
  local client = uv.new_tcp()
  server:accept(client)
  client:nodelay(true) -- as asyncio does: a reply split in two is not held back by Nagle
  client:read_start(function(rerr, data)
    if data and not rerr then
      client:write(data)
    else
      client:close()
    end
  end)
end))
uv.run()
