-- An error's traceback reads as debug.traceback's would at the same place: library functions by
-- their global names, methods and locals, the main chunk, tail calls, a long stack cut short.
local asyncio = require "asyncio"

local function same(what, e, t)
  local got = e.traceback
  if got == t then print(what .. ": same") else print(what .. ": differs\n" .. got .. "\n---\n" .. t) end
end

-- the main chunk
do
  local e, t = asyncio.InvalidStateError("x"), debug.traceback(nil, 1)
  same("main chunk", e, t)
end

-- a local function called from a library function (string.gsub), then a field and a method
local function inner()
  return asyncio.InvalidStateError("y"), debug.traceback(nil, 1)
end
local box = {}
function box.field() local e, t = inner(); return e, t end
function box:method() local e, t = box.field(); return e, t end
do
  local e, t
  string.gsub("a", "a", function() e, t = box:method() end)
  same("library callback", e, t)
end

-- a tail call leaves its mark
local function tail() local e, t = asyncio.InvalidStateError("t"), debug.traceback(nil, 1); return e, t end
local function caller() return tail() end
do
  local e, t = caller()
  same("tail call", e, t)
end

-- a stack deeper than 21 levels shows its head and its tail
local function deep(n)
  if n == 0 then return asyncio.InvalidStateError("d"), debug.traceback(nil, 1) end
  local e, t = deep(n - 1)
  return e, t
end
do
  local e, t = deep(40)
  same("deep stack", e, t)
  print("skips levels:", e.traceback:find("(skipping", 1, true) ~= nil)
end

-- inside a task, on a coroutine: asyncio's own functions named as debug.traceback names them
local function in_task()
  asyncio.sleep(0)
  local e, t = asyncio.TimeoutError("z"), debug.traceback(nil, 1)
  return e, t
end
local e, t = asyncio.run(function() return asyncio.create_task(in_task):await() end)
same("in a task", e, t)

-- a function put into a module after the first traceback of a turn is named from the next turn on
asyncio.run(function()
  local _ = asyncio.InvalidStateError("first")
  string.late = function() return asyncio.InvalidStateError("late"), debug.traceback(nil, 1) end
  asyncio.sleep(0)
  local e2, t2 = string.late()
  same("function added to a module", e2, t2)
  string.late = nil
end)
