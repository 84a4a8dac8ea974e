-- keep-alive HTTP/1.1 hello server for Lua 5.4 + luv on 127.0.0.1:PORT (arg 1): input is buffered per client and every "\r\n\r\n" gets the answer.
local uv = require "luv"

local RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!"

local server = uv.new_tcp()
assert(server:bind("127.0.0.1", assert(tonumber(arg[1]))))
assert(server:listen(511, function(err)
  assert(not err, err)
  local client = uv.new_tcp()
  server:accept(client)
  client:nodelay(true) -- as asyncio does
  local buffered = ""
  client:read_start(function(rerr, data)
    if rerr or not data then
      client:close()
      return
    end
    buffered = buffered .. data
    local from = 1
    while true do
      local _, last = buffered:find("\r\n\r\n", from, true)
      if not last then break end
      client:write(RESPONSE)
      from = last + 1
    end
    buffered = buffered:sub(from)
  end)
end))
uv.run()
