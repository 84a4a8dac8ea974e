-- set() wakes every waiter in the order they started waiting and wait() returns true, even if clear() came before they ran
local asyncio = require "asyncio"

local ev = asyncio.Event()
local ts = {}
for i, yields in ipairs({2, 0, 1}) do
  ts[i] = asyncio.create_task(function()
    for _ = 1, yields do asyncio.sleep(0) end
    print("waiter " .. i .. " waits")
    local r = ev:wait()
    print("waiter " .. i .. " woke", r, ev:is_set())
  end)
end
asyncio.sleep(0.01)
ev:set()
ev:clear()
print("set and cleared")
for _, t in ipairs(ts) do t:await() end
local late = asyncio.create_task(function() print("late waiter woke", ev:wait()) end)
asyncio.sleep(0.01)
print("late waiter still waits", not late:done())
ev:set()
late:await()
