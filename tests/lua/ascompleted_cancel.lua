-- cancelling the task that iterates as_completed raises CancelledError from the iterator; the awaitables are not cancelled
local asyncio = require "asyncio"

local a = asyncio.create_task(function() asyncio.sleep(0.01) return "a" end)
local b = asyncio.create_task(function() asyncio.sleep(0.05) return "b" end)
local it = asyncio.create_task(function()
  local ok, e = pcall(function()
    for t in asyncio.as_completed({a, b}) do print("got", t:result()) end
  end)
  print("iterator raised", e.name)
  error(e)
end)
asyncio.sleep(0.03)
it:cancel()
pcall(it.await, it)
print(it:cancelled(), b:cancelled())
print(b:await())
