-- done callbacks get the task and run via call_soon in the order added; a removed one does not run
local asyncio = require "asyncio"

local t = asyncio.create_task(function() asyncio.sleep(0.01) return 5 end):set_name("cb")
local function cb1(task) print("cb1", task:get_name(), task:result()) end
local function cb2(task) print("cb2", rawequal(task, t)) end
local function cb3() print("cb3 never runs") end
t:add_done_callback(cb1)
t:add_done_callback(cb3)
t:add_done_callback(cb2)
t:remove_done_callback(cb3)
asyncio.sleep(0.03)
print("after")
