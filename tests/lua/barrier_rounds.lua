-- a Barrier is reusable: each round trips when parties tasks have arrived and indices restart at 0
local asyncio = require "asyncio"

local b = asyncio.Barrier(2)
local function runner(name, yields)
  for round = 1, 3 do
    for _ = 1, yields[round] do asyncio.sleep(0) end
    local index = b:wait()
    print("round " .. round .. ": " .. name .. " index " .. index)
  end
end
local x = asyncio.create_task(runner, "x", {0, 3, 0})
local y = asyncio.create_task(runner, "y", {2, 0, 1})
x:await()
y:await()
print(b.n_waiting, b.broken)
