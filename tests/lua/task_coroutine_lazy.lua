-- calling an async function does not run it; create_task on the coroutine object runs it in a new task
local asyncio = require "asyncio"

local main = asyncio.current_task()
local f = asyncio.async(function(a, b)
  print("body runs", a, b, asyncio.current_task() ~= main)
  return a + b
end)
local c = f(1, 2)
print("called")
local t = asyncio.create_task(c)
print("task created")
print(t:await())
