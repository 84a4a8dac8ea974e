-- both
-- IncompleteReadError and LimitOverrunError: their fields, and what stays in the buffer afterwards
local asyncio = require "asyncio"

local function pair(payload, opts)
  local server
  server = asyncio.start_server(function(_, w)
    w:write(payload)
    w:write_eof()
  end, "127.0.0.1", 0)
  local r, w = asyncio.open_connection("127.0.0.1", server.sockets[1].port, opts)
  return r, w, server
end

local servers = {}
local pair0 = pair
pair = function(...)
  local r, w, server = pair0(...)
  servers[#servers + 1] = server
  return r, w
end

asyncio.run(function()
  local r, w = pair("12345")
  local ok, e = pcall(r.readexactly, r, 10)
  print(asyncio.IncompleteReadError:is(e), e.partial, e.expected, e.message)
  print(("%q"):format(r:read()))
  w:close()

  r, w = pair("no separator here")
  ok, e = pcall(r.readuntil, r, "\r\n")
  print(asyncio.IncompleteReadError:is(e), e.partial, e.expected, e.message)
  print(asyncio.EOFError == nil, asyncio.IncompleteReadError:is(e) and not asyncio.OSError:is(e))
  w:close()

  -- readuntil past the limit raises and keeps the data
  r, w = pair(string.rep("x", 30) .. "\n" .. "rest", {limit = 16})
  ok, e = pcall(r.readuntil, r, "\n")
  print(asyncio.LimitOverrunError:is(e), e.consumed, e.message)
  print(#r:readexactly(31), r:read())
  w:close()

  -- not found and past the limit
  r, w = pair(string.rep("y", 100), {limit = 16})
  ok, e = pcall(r.readuntil, r, "\n")
  print(asyncio.LimitOverrunError:is(e), e.consumed >= 16, e.message)
  print(#r:read())
  w:close()

  -- readline drops the over-long line, as Python's does, and reading goes on
  r, w = pair(string.rep("z", 40) .. "\nshort\n", {limit = 16})
  ok, e = pcall(r.readline, r)
  print(asyncio.LimitOverrunError:is(e), e.consumed)
  print(("%q"):format(r:readline()))
  w:close()
  for _, server in ipairs(servers) do server:close() end
end)
