-- bench/gc_unretrieved.lua -- on a heap of MB megabytes: how soon a dropped failed task is reported, and how long the collector's slices stall the loop meanwhile
-- usage: aiod bench/gc_unretrieved.lua [MB (default 200)] 2>/dev/null
local asyncio = require "asyncio"

local mb = tonumber(arg[1]) or 200
-- In chunks of 1000 items: the collector marks a table in one go, so one
-- table of millions would stall a turn however the work is sliced.
local keep, chunk, n = {}, {}, 0
while collectgarbage("count") < mb * 1024 do
  n = n + 1
  chunk[#chunk + 1] = {n, "item " .. n, {x = n}}
  if #chunk == 1000 then keep[#keep + 1], chunk = chunk, {} end
end
-- A full collection now: Lua's own collector then waits for the heap to
-- double, so what collects below is the unretrieved report's driver.
collectgarbage()
collectgarbage()

-- Lateness of a 5 ms ticker over secs: the turns' stall.
local function ticker(secs, stop)
  local worst, sum, count = 0, 0, 0
  local loop = asyncio.get_running_loop()
  local finish = loop:time() + secs
  while loop:time() < finish and not stop() do
    local due = loop:time() + 0.005
    asyncio.sleep(0.005)
    local late = loop:time() - due
    worst = math.max(worst, late)
    sum, count = sum + late, count + 1
  end
  return worst, sum / math.max(count, 1)
end

local base_worst, base_mean = ticker(0.5, function() return false end)

-- The task's report comes from its finalizer; a sentinel dropped with it
-- is finalized in the same pass of the same cycle, and tells the time.
local loop = asyncio.get_running_loop()
local reported
asyncio.create_task(function() error("dropped") end)
setmetatable({}, {__gc = function() reported = reported or loop:time() end})
asyncio.sleep(0)
local t0 = loop:time()
local worst, mean = ticker(120, function() return reported ~= nil end)

print(("heap %.0f MB (%d objects): reported %s %.2f s after the drop; ticker lateness: idle max %.2f ms, " ..
       "while collecting max %.2f ms, mean %.2f ms"):format(
  collectgarbage("count") / 1024, n * 4, reported and "" or "NOT", (reported or loop:time()) - t0,
  base_worst * 1e3, worst * 1e3, mean * 1e3))
