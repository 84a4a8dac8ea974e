-- to_thread workload for luv: 10,000 sequential calls of a trivial function on libuv's thread pool (uv.new_work + queue_work), each awaited by a coroutine before the next; prints the final value.
local uv = require "luv"

local N = 10000

local main
-- inc runs on a pool thread, in a Lua state of the pool's own (luv copies the function as bytecode);
-- the after-work callback runs on the loop and resumes the coroutine with inc's result.
local work = uv.new_work(function(x) return x + 1 end, function(x)
  assert(coroutine.resume(main, x))
end)

-- What asyncio.to_thread is: queue the call, suspend until its result is back.
local function to_thread(x)
  work:queue(x)
  return coroutine.yield()
end

main = coroutine.create(function()
  local x = 0
  for _ = 1, N do
    x = to_thread(x)
  end
  print(("%d"):format(x)) -- luv passes numbers between states as floats
end)
assert(coroutine.resume(main))
uv.run()
