-- Barrier(3): tasks wait until three have arrived; wait() returns each one's arrival index 0..2; parties, n_waiting and broken read as fields
local asyncio = require "asyncio"

local b = asyncio.Barrier(3)
print(b.parties, b.n_waiting, b.broken)
local ts = {}
for i, spec in ipairs({{"a", 2}, {"b", 0}, {"c", 1}}) do
  ts[i] = asyncio.create_task(function()
    for _ = 1, spec[2] do asyncio.sleep(0) end
    print(spec[1] .. " arrives, n_waiting " .. b.n_waiting)
    local index = b:wait()
    print(spec[1] .. " passes with index " .. index)
  end)
end
asyncio.sleep(0.01)
for _, t in ipairs(ts) do t:await() end
print(b.parties, b.n_waiting, b.broken)
local one = asyncio.Barrier(1)
print(one:wait(), one:wait(), one.n_waiting)
