-- both
-- A task that cancels itself and returns without suspending ends cancelled
-- (it ended "finished"); Python 3.13's twin prints the same.
local asyncio = require "asyncio"

local function returns()
  local t = asyncio.current_task()
  print("cancel", t:cancel("bye"), t:cancelling())
  return 42
end
local function uncancels()
  local t = asyncio.current_task()
  t:cancel()
  print("uncancel", t:uncancel(), t:cancelling())
  return 43
end
local function twice()
  local t = asyncio.current_task()
  t:cancel()
  t:cancel()
  print("cancelling", t:cancelling())
  print("uncancel", t:uncancel())
  return 44
end
local function fails()
  asyncio.current_task():cancel()
  error("boom", 0)
end
local function catches()
  local t = asyncio.current_task()
  t:cancel()
  print("caught", pcall(asyncio.sleep, 0))
  return 45
end

asyncio.run(function()
  for _, case in ipairs {{"returns", returns}, {"uncancels", uncancels}, {"twice", twice},
                         {"fails", fails}, {"catches", catches}} do
    local name, fn = case[1], case[2]
    local t = asyncio.create_task(fn)
    local ok, r = pcall(t.await, t)
    if ok then
      print(name, "result", r)
    elseif asyncio.CancelledError:is(r) then
      print(name, "CancelledError", r.message)
    else
      print(name, "error", r)
    end
    print(name, t:cancelled(), t:done(), t:cancelling())
    if t:cancelled() then print(name, "result()", select(2, pcall(t.result, t)).message) end
  end
  local t = asyncio.create_task(returns)
  local r = asyncio.gather(t, {return_exceptions = true})
  print("gather", r.n, asyncio.CancelledError:is(r[1]), r[1].message)
  print("run", pcall(asyncio.run, returns))
end)
