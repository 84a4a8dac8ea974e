-- as_completed gives the tasks in the order they finish
local asyncio = require "asyncio"

local function job(name, delay)
  asyncio.sleep(delay)
  return name
end
local list = {
  asyncio.create_task(job, "slow", 0.05),
  asyncio.create_task(job, "fast", 0.01),
  asyncio.create_task(job, "mid", 0.03),
}
for t in asyncio.as_completed(list) do
  print(t:result())
end
print("end")
