-- aiod: after the main chunk returns, aiod keeps running until the tasks it left are finished
local asyncio = require "asyncio"

asyncio.create_task(function()
  asyncio.sleep(0.02)
  print("late task done")
end)
asyncio.create_task(function()
  asyncio.sleep(0.01)
  asyncio.create_task(function() asyncio.sleep(0.03) print("grandchild done") end)
  print("early task done")
end)
print("main chunk done")
