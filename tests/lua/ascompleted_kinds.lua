-- as_completed accepts Futures (given back as they are), coroutine objects and functions (given as Tasks); an empty list gives nothing
local asyncio = require "asyncio"

local job = asyncio.async(function(name, delay) asyncio.sleep(delay) return name end)
local fut = asyncio.Future()
asyncio.get_running_loop():call_later(0.03, function() fut:set_result("future") end)
local count = 0
for t in asyncio.as_completed({job("coroutine", 0.05), fut, function() asyncio.sleep(0.01) return "function" end}) do
  count = count + 1
  print(t:result(), t:done(), t == fut)
end
print(count)
for _ in asyncio.as_completed({}) do print("never") end
print("empty done")
