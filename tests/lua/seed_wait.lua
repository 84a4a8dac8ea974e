-- both
-- port of the wait() snippet: done, pending = wait(aws)
local asyncio = require "asyncio"

asyncio.run(function()
  local aws = {}
  for i = 1, 3 do
    aws[i] = asyncio.create_task(function() asyncio.sleep(0.01 * i) return i * i end)
  end
  local done, pending = asyncio.wait(aws)
  print(done.n, pending.n)
  local sum = 0
  for i = 1, done.n do sum = sum + done[i]:result() end
  print(sum)
end)
