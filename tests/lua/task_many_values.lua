-- both
-- 10,000 values through every path that moves a caller-chosen number of values
-- (arguments onto a task's coroutine crashed from about 42 on)
local asyncio = require "asyncio"

local N = 10000
local t = {}
for i = 1, N do t[i] = i end
local function count(...) return select("#", ...), (select(-1, ...)) end
local function awaitables()
  local aws = {}
  for i = 1, N do aws[i] = function() return i end end
  return aws
end

print("run", asyncio.run(function(...) return count(...) end, table.unpack(t, 1, N)))

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  print("create_task", asyncio.create_task(count, table.unpack(t, 1, N)):await())
  print("loop:create_task", loop:create_task(count, table.unpack(t, 1, N)):await())
  local task = asyncio.create_task(function() return table.unpack(t, 1, N) end)
  print("task await", count(task:await()))
  print("task result", count(task:result()))
  print("nested run", asyncio.run(count, table.unpack(t, 1, N)))

  local f = loop:create_future()
  f:set_result(table.unpack(t, 1, N))
  print("future result", count(f:result()))
  print("future await", count(f:await()))
  f = loop:create_future()
  loop:call_soon(function() f:set_result(table.unpack(t, 1, N)) end)
  print("future await pending", count(f:await()))

  for _, how in ipairs {"call_soon", "call_later", "call_at"} do
    f = loop:create_future()
    local cb = function(...) f:set_result(count(...)) end
    if how == "call_soon" then loop:call_soon(cb, table.unpack(t, 1, N))
    elseif how == "call_later" then loop:call_later(0, cb, table.unpack(t, 1, N))
    else loop:call_at(loop:time(), cb, table.unpack(t, 1, N)) end
    print(how, f:await())
  end

  local af = asyncio.async(count)
  print("coroutine await", af(table.unpack(t, 1, N)):await())
  print("coroutine task", asyncio.create_task(af(table.unpack(t, 1, N))):await())
  print("coroutine in gather", asyncio.gather(af(table.unpack(t, 1, N)))[1])

  local r = asyncio.gather(table.unpack(awaitables(), 1, N))
  print("gather", r.n, r[1], r[N])
  local done, pending = asyncio.wait(awaitables())
  print("wait", done.n, pending.n)
  local k = 0
  for _ in asyncio.as_completed(awaitables()) do k = k + 1 end
  print("as_completed", k)
  print("to_thread", count(asyncio.to_thread(function(...) return ... end, table.unpack(t, 1, N))))

  -- Past what a Handle or a coroutine object keeps, and past Lua's stack: clean errors.
  for i = N + 1, 200000 do t[i] = i end
  print(pcall(loop.call_soon, loop, print, table.unpack(t, 1, 70000)))
  print(pcall(af, table.unpack(t, 1, 70000)))
  print("create_task 200000", asyncio.create_task(count, table.unpack(t, 1, 200000)):await())
  for i = 200001, 800000 do t[i] = i end
  f = loop:create_future()
  f:set_result(table.unpack(t, 1, 300000))
  print(pcall(function(...) return select("#", f:result()) end, table.unpack(t, 1, 800000)))
end)
