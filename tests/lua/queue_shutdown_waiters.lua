-- shutdown() wakes every task blocked in get() on an empty queue and in put() on a full one, each with QueueShutDown, in order
local asyncio = require "asyncio"

local empty_q = asyncio.Queue()
local full_q = asyncio.Queue(1)
full_q:put_nowait("kept")
local function try(name, f)
  return asyncio.create_task(function()
    local ok, e = pcall(f)
    print(name, ok, e.name)
  end)
end
local ts = {
  try("getter 1", function() return empty_q:get() end),
  try("getter 2", function() return empty_q:get() end),
  try("putter 1", function() full_q:put("p1") end),
  try("putter 2", function() full_q:put("p2") end),
}
local joiner = asyncio.create_task(function() full_q:join() print("joiner done") end)
asyncio.sleep(0.01)
empty_q:shutdown()
full_q:shutdown()
print("shut down")
for _, t in ipairs(ts) do t:await() end
print("joiner still waits", not joiner:done())
print("left", full_q:qsize(), full_q:get_nowait())
full_q:task_done()
joiner:await()
