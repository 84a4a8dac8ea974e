-- both
-- add_reader, add_writer, remove_reader, remove_writer, wait_readable, wait_writable check their arguments; a descriptor that is not open is an OSError (EBADF); one aiod owns (a stream's) is refused; a wait outside a task raises
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
  return e
end
local fileno = setmetatable({}, {__index = {fileno = function() return "seven" end}})
asyncio.run(function()
  local loop = asyncio.get_running_loop()
  try(function() loop:add_reader("x", print) end)
  try(function() loop:add_reader(-1, print) end)
  try(function() loop:add_reader(1.5, print) end)
  try(function() loop:add_reader({}, print) end)
  try(function() loop:add_reader(fileno, print) end)
  try(function() loop:add_reader(0, 5) end)
  try(function() loop:add_reader(0) end)
  try(function() loop:add_writer(nil, print) end)
  try(function() loop:add_writer(1, "print") end)
  try(function() loop:remove_reader("x") end)
  try(function() loop:remove_writer(-2) end)
  try(function() asyncio.wait_readable("x") end)
  try(function() asyncio.wait_readable(0, "soon") end)
  try(function() asyncio.wait_writable(1, 0 / 0) end)
  try(function() asyncio.wait_writable() end)
  try(function() loop.add_reader(5, 0, print) end)
  -- a number that is not an open descriptor
  local e = try(function() loop:add_reader(999, print) end)
  print(asyncio.OSError:is(e), e.errno)
  e = try(function() asyncio.wait_writable(999) end)
  print(asyncio.OSError:is(e), e.errno)
  print("remove_reader(999)", loop:remove_reader(999))
  -- a descriptor of aiod's own: a connection's
  local server = asyncio.start_server(function(r, w) r:read() w:close() end, "127.0.0.1", 0)
  local r, w = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
  local fd = w:get_extra_info("fd")
  for _, f in ipairs{function() loop:add_reader(fd, print) end,
                     function() loop:add_writer(fd, print) end,
                     function() asyncio.wait_readable(fd) end,
                     function() asyncio.wait_writable(fd, 1) end} do
    local ok, msg = pcall(f)
    print(ok, (msg:gsub("^[^:]+:%d+: ", ""):gsub("descriptor %d+", "descriptor N")))
  end
  print("remove_writer(stream's)", loop:remove_writer(fd))
  w:close()
  w:wait_closed()
  server:close()
  -- outside a task
  local done = loop:create_future()
  loop:call_soon(function()
    local ok, msg = pcall(asyncio.wait_readable, 0)
    print("in a callback", ok, msg:find("attempt to suspend outside a task", 1, true) ~= nil)
    done:set_result(true)
  end)
  done:await()
end)
-- a closed loop has no hooks to remove
local loop = asyncio.new_event_loop()
loop:close()
print("closed loop", loop:remove_reader(0), loop:remove_writer(1))
try(function() loop:add_reader(0, print) end)
