-- both
-- A Future of a closed loop: scheduling its callbacks raises "Event loop is closed",
-- as Python's RuntimeError does (set_result and add_done_callback crashed)
local asyncio = require "asyncio"

local function try(what, f)
  local ok, e = pcall(f)
  print(what, ok, ok or tostring(e):gsub("^.-:%d+: ", ""))
end

local loop = asyncio.new_event_loop()
local plain = loop:create_future()
local hooked = loop:create_future()
hooked:add_done_callback(print)
local cancelled = loop:create_future()
cancelled:add_done_callback(print)
local unstarted = loop:create_task(function() print("never runs") end)
loop:close()

-- no callback to schedule: nothing to refuse
try("set_result, no callbacks", function() plain:set_result(1) end)
print("result", plain:result())
try("add_done_callback, done", function() plain:add_done_callback(print) end)
try("add_done_callback, pending", function() hooked:add_done_callback(print) end)
try("set_result, callbacks", function() hooked:set_result(2) end)
print("done", hooked:done(), hooked:result())
try("cancel, callbacks", function() return cancelled:cancel() end)
print("cancelled", cancelled:cancelled())
-- a task of the closed loop never runs again; cancelling it is harmless
try("task cancel", function() return unstarted:cancel() end)
print("task", unstarted:done(), unstarted:cancelling())
try("call_soon", function() loop:call_soon(print) end)
