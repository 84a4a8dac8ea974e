-- both
-- add_reader/add_writer on stdin (/dev/null: always readable) and stdout: fn(...) runs on every turn the descriptor is ready, a second add replaces the first, remove_* says whether one was there, an error is reported and the hook stays; wait_readable/wait_writable; objects with getfd/fileno
local asyncio = require "asyncio"

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  local done = loop:create_future()
  local n = 0
  loop:add_reader(0, function(a, b)
    n = n + 1
    print("reader", a, b, n)
    if n == 3 then
      print("remove_reader", loop:remove_reader(0), loop:remove_reader(0))
      done:set_result()
    end
  end, "x", nil)
  done:await()

  -- a second add replaces the first
  done = loop:create_future()
  loop:add_writer(1, function() print("first writer") end)
  loop:add_writer(1, function(f)
    print("second writer")
    print("remove_writer", loop:remove_writer(1))
    f:set_result()
  end, done)
  done:await()

  -- an error is reported (on stderr) and the hook stays
  done = loop:create_future()
  local calls = 0
  loop:add_reader(0, function()
    calls = calls + 1
    if calls < 3 then error("boom " .. calls) end
    loop:remove_reader(0)
    done:set_result(calls)
  end)
  print("called", done:await())

  -- the hooks of both directions on one descriptor
  done = loop:create_future()
  local seen = {}
  local function both(dir)
    seen[dir] = true
    loop["remove_" .. dir](loop, 2)
    if seen.reader and seen.writer then done:set_result() end
  end
  loop:add_reader(2, both, "reader")
  loop:add_writer(2, both, "writer")
  done:await()
  print("both directions", seen.reader, seen.writer)

  print("wait_readable", asyncio.wait_readable(0))
  print("wait_writable", asyncio.wait_writable(1, 0.05))
  print("wait_readable, timeout 0", asyncio.wait_readable(0, 0))
  print("getfd object", asyncio.wait_readable({getfd = function() return 0 end}))
  local file = setmetatable({}, {__index = {fileno = function() return 1 end}})
  print("fileno object", asyncio.wait_writable(file))
  done = loop:create_future()
  loop:add_writer(file, function()
    print("writer via fileno, removed", loop:remove_writer(file))
    done:set_result()
  end)
  done:await()
end)
