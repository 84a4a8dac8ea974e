-- both
-- Bad-argument errors name their function and point at the caller (issue 11, defect 20):
-- C methods called through pcall were named '?', and checks inside asyncio's Lua parts
-- gave their own position (tasks.lua:87:) instead of the caller's.
local asyncio = require "asyncio"

local function try(f, ...)
  local ok, err = pcall(f, ...)
  print(ok, err)
end

asyncio.run(function()
  -- No name at the call site: the class's method, as stock Lua names string.rep.
  try(asyncio.Future().set_result, 1)
  try(asyncio.current_task().get_name, asyncio.Future())
  try(asyncio.Queue().put, {})
  try(getmetatable(asyncio.Future()).__tostring, 1)
  try(getmetatable(asyncio.Queue()).__tostring, 1)
  -- Checked in a helper of the Lua parts: still the caller's line.
  try(function() asyncio.timeout("x") end)
  try(function() asyncio.timeout_at({}) end)
  try(function() asyncio.wait_for(function() end, "x") end)
  try(function() asyncio.shield(1) end)
  try(function() asyncio.wait({1}) end)
  try(function() asyncio.wait(5) end)
  try(function() asyncio.as_completed({n = 1}) end)
  try(function() asyncio.start_unix_server(function() end, "unused", "x") end)
  try(function() asyncio.start_server(function() end, "127.0.0.1", 0, {limit = -1}) end)
  try(function() asyncio.start_server(function() end, "127.0.0.1", 0, {limit = "x"}) end)
  local cond = asyncio.Condition()
  try(function() cond:wait_for(function() return false end) end)
  try(function() cond:wait() end)
  local t <close> = asyncio.timeout(nil)
  try(function() t:reschedule(0/0) end)
  try(function() tostring(asyncio.TimeoutError.__tostring(5)) end)
  try(function() asyncio.timeout_at(0/0) end)
  try(function() asyncio.connect_read_pipe("x") end)
  try(function() asyncio.connect_write_pipe() end)
end)
