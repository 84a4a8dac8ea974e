-- both
-- to_thread copies arguments and results (nested tables, shared tables, cycles), re-raises errors, refuses what cannot be copied
local asyncio = require "asyncio"

asyncio.run(function()
  local shared = {1, 2, 3}
  local t = {name = "cfg", a = shared, b = shared, [10] = true, [2.5] = "float key", nested = {deep = {deeper = "x"}}}
  t.self = t
  local function inspect(v, s)
    return type(v), v.a == v.b, v.self == v, v.nested.deep.deeper, v[10], v[2.5], #v.a, s, math.type(s)
  end
  print(asyncio.to_thread(inspect, t, 7))
  print(asyncio.to_thread(function(...) return select("#", ...), ... end, nil, false, 1.5, "s", nil))
  local back = asyncio.to_thread(function() local r = {x = {}} r.x.up = r return r end)
  print("cycle back:", back.x.up == back)
  -- the worker has the standard libraries and require
  print(asyncio.to_thread(function() return string.rep("ab", 2), math.max(3, 9), require("string").upper("ok") end))

  -- errors: the worker's value comes back, a table too
  print(pcall(asyncio.to_thread, function() error("plain failure") end))
  local ok, e = pcall(asyncio.to_thread, function() error({code = 42}) end)
  print(ok, type(e), e.code)
  print(pcall(asyncio.to_thread, function() return function() end end))
  print(pcall(asyncio.to_thread, function() return coroutine.create(print) end))

  -- what cannot go to a thread
  local upvalue = 1
  print(pcall(asyncio.to_thread, function() return upvalue end))
  print(pcall(asyncio.to_thread, print))
  print(pcall(asyncio.to_thread, "not a function"))
  print(pcall(asyncio.to_thread, function() end, {f = print}))
  print(pcall(asyncio.to_thread, function() end, io.stdout))
  -- outside a task
  local done = asyncio.Event()
  asyncio.get_running_loop():call_soon(function()
    print(pcall(asyncio.to_thread, function() end))
    done:set()
  end)
  done:wait()
end)
