-- When a gather ends, against other callbacks: its children are counted in
-- the order their done callbacks run (a plain future's, a task's own, one
-- beside a user's callback), whatever the order they finished in, and a
-- failure or the last child ends it at its own callback's turn.
local asyncio = require "asyncio"
local loop = asyncio.get_event_loop()

local function run(name, make)
  local log = {}
  local function mark(what) log[#log + 1] = what end
  local children = make(mark)
  local watcher = asyncio.create_task(function()
    local ok, res = pcall(asyncio.gather, table.unpack(children))
    mark(ok and ("gathered " .. res.n) or ("failed " .. tostring(res)))
  end)
  for i = 1, 6 do
    loop:call_soon(function() mark("soon " .. i) end)
    asyncio.sleep(0)
  end
  watcher:await()
  print(name .. ": " .. table.concat(log, ", "))
end

local function task(mark, label, steps, fail)
  return asyncio.create_task(function()
    for _ = 1, steps do asyncio.sleep(0) end
    mark(label .. " ends")
    if fail then error(label .. " failed", 0) end
    return label
  end)
end

run("future first, task last", function(mark)
  local f = asyncio.Future()
  loop:call_soon(function() mark("future set") f:set_result(1) end)
  return {f, task(mark, "a", 2)}
end)

run("task first, future last", function(mark)
  local f = asyncio.Future()
  loop:call_later(0, function() end)
  asyncio.create_task(function() asyncio.sleep(0) asyncio.sleep(0) asyncio.sleep(0) mark("future set") f:set_result(1) end)
  return {task(mark, "a", 1), task(mark, "b", 2), f}
end)

run("a task sets the future, then ends, in one step", function(mark)
  local f = asyncio.Future()
  local b = asyncio.create_task(function()
    asyncio.sleep(0)
    f:set_result(1)
    mark("b ends")
  end)
  return {f, task(mark, "a", 3), b}
end)

run("a task's callback sets the future", function(mark)
  local f = asyncio.Future()
  local a = task(mark, "a", 1)
  a:add_done_callback(function() mark("future set") f:set_result(1) end)
  return {a, f, task(mark, "c", 1)}
end)

run("three tasks", function(mark)
  return {task(mark, "a", 1), task(mark, "b", 3), task(mark, "c", 2)}
end)

run("a task with a callback of its own", function(mark)
  local a = task(mark, "a", 1)
  a:add_done_callback(function() mark("a's callback") end)
  return {a, task(mark, "b", 2), task(mark, "c", 3)}
end)

run("one fails", function(mark)
  return {task(mark, "a", 1), task(mark, "b", 2, true), task(mark, "c", 3)}
end)

run("return_exceptions, one fails first", function(mark)
  return {task(mark, "a", 2), task(mark, "b", 1, true), task(mark, "c", 3), {return_exceptions = true}}
end)

run("the same task twice", function(mark)
  local a = task(mark, "a", 1)
  return {a, task(mark, "b", 2), a}
end)
