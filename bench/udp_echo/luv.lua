-- UDP echo server for Lua 5.4 + luv on 127.0.0.1:PORT (arg 1): recv_start's callback sends each datagram back (udp:send; libuv queues what the socket does not take).
local uv = require "luv"

local udp = uv.new_udp()
assert(udp:bind("127.0.0.1", assert(tonumber(arg[1]))))
assert(udp:recv_start(function(err, data, addr)
  assert(not err, err)
  if data then -- nil data and addr: the socket is empty for now
    udp:send(data, addr.ip, addr.port)
  end
end))
uv.run()
