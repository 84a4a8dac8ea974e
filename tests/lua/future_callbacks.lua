-- Future done callbacks run via call_soon (not inside set_result) in the order added and get the Future; a removed one does not run
local asyncio = require "asyncio"

local fut = asyncio.Future()
local function a(f) print("a", f:result()) end
local function b(f) print("b", rawequal(f, fut)) end
local function c() print("c never runs") end
fut:add_done_callback(a)
fut:add_done_callback(c)
fut:add_done_callback(b)
fut:remove_done_callback(c)
fut:set_result("x")
print("set_result returned")
asyncio.sleep(0)
print("end")
