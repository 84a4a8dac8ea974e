-- A parked task (asleep) costs at most 328 bytes of the Lua heap over a bare
-- coroutine suspended in a C function: a guard on what aiod adds per task
-- (the Task userdata and its user values, the anchor, the body's frame),
-- counted by collectgarbage, not timed. It adds 320 B (416 B before the task
-- shrank by a call and a user value, 368 B before its extras moved into the
-- callbacks slot, 352 B before its struct went from 168 to 152 B, 336 B
-- before its error and its waiter moved onto its coroutine).
local asyncio = require "asyncio"

local N = 2000
local BOUND = 328

local function per_item(make)
  local items = {}
  for i = 1, N do items[i] = false end  -- the array is sized before counting
  collectgarbage()
  collectgarbage()
  local before = collectgarbage("count")
  for i = 1, N do items[i] = make() end
  asyncio.sleep(0)  -- every task runs up to its sleep
  collectgarbage()
  collectgarbage()
  return (collectgarbage("count") - before) * 1024 / N, items
end

local bare, cos = per_item(function()
  local co = coroutine.create(coroutine.yield)
  coroutine.resume(co)
  return co
end)
local task, tasks = per_item(function() return asyncio.create_task(asyncio.sleep, 10) end)
local added = task - bare
print("a parked task adds at most " .. BOUND .. " B:", added <= BOUND)
if added > BOUND then
  print(string.format("it adds %.0f B (task %.0f, bare %.0f)", added, task, bare))
end
for i = 1, N do tasks[i]:cancel() end
asyncio.sleep(0)
assert(#cos == N)
