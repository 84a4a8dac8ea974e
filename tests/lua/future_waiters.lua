-- several tasks awaiting one Future all get its result, woken in the order they started waiting
local asyncio = require "asyncio"

local fut = asyncio.Future()
local function waiter(name) print(name, "got", fut:await()) end
local t1 = asyncio.create_task(waiter, "w1")
local t2 = asyncio.create_task(waiter, "w2")
asyncio.sleep(0)
fut:set_result("go")
t1:await()
t2:await()
