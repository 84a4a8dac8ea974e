-- lock workload for aiod: 1,000 tasks each take one asyncio.Lock 1,000 times around a sleep(0); prints the count.
local asyncio = require "asyncio"

local TASKS, ROUNDS = 1000, 1000

local lock = asyncio.Lock()
local count = 0

local function work()
  for _ = 1, ROUNDS do
    local _ <close> = lock:guard()
    asyncio.sleep(0)
    count = count + 1
  end
end

local tasks = {}
for i = 1, TASKS do
  tasks[i] = asyncio.create_task(work)
end
asyncio.gather(table.unpack(tasks, 1, TASKS))
print(count)
