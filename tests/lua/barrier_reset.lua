-- reset() breaks the round in progress: its waiters get BrokenBarrierError; the barrier is not broken afterwards and the next full round passes
local asyncio = require "asyncio"

local b = asyncio.Barrier(3)
local function waiter(name)
  local ok, r = pcall(b.wait, b)
  if ok then
    print(name .. " passed with index " .. r)
  else
    print(name .. " got " .. r.name, asyncio.BrokenBarrierError:is(r))
  end
end
local t1 = asyncio.create_task(waiter, "a")
local t2 = asyncio.create_task(waiter, "b")
asyncio.sleep(0.01)
print("n_waiting", b.n_waiting)
b:reset()
print("reset done")
t1:await()
t2:await()
print("broken", b.broken, "n_waiting", b.n_waiting)
local ts = {}
for i, n in ipairs({"x", "y", "z"}) do ts[i] = asyncio.create_task(waiter, n) end
for _, t in ipairs(ts) do t:await() end
print("broken", b.broken, "n_waiting", b.n_waiting)
