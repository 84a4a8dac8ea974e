-- A future's extras (a task's name, a cancel message) and its done callbacks
-- share one slot: setting either keeps the other.
local asyncio = require "asyncio"

-- A name set while a finished task's own callback is queued: the callback
-- still runs, once, and sees the name.
local t = asyncio.create_task(function() print("body") end)
t:add_done_callback(function(task) print("callback of " .. task:get_name()) end)
asyncio.sleep(0)  -- the body has run, its callback is queued
print("done, renaming:", t:done())
t:set_name("renamed")
asyncio.sleep(0)
asyncio.sleep(0)

-- Callbacks added after a name, one removed: the rest run, the name stays.
local u = asyncio.create_task(function() asyncio.sleep(0) end)
u:set_name("named")
u:add_done_callback(function(task) print("first callback of " .. task:get_name()) end)
local never = function() print("a removed callback ran") end
u:add_done_callback(never)
u:add_done_callback(function() print("second callback") end)
print("removed", u:remove_done_callback(never))
asyncio.await(u)
asyncio.sleep(0)
print("name after:", u:get_name())

-- A cancelled future keeps its message beside its callbacks.
local f = asyncio.get_running_loop():create_future()
f:add_done_callback(function(fut) print("future cancelled:", fut:cancelled()) end)
f:add_done_callback(function() print("and its second callback") end)
f:cancel("the reason")
local ok, err = pcall(f.result, f)
print(ok, err.message)
asyncio.sleep(0)
