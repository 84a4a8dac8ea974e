-- both
-- 10,000 values through every path of threads and subprocesses: to_thread's arguments and
-- results, run_coroutine_threadsafe's both ways (a task's coroutine had room for 20 only: a
-- crash), run_in_executor, create_subprocess_exec's arguments, writelines' items.
local asyncio = require "asyncio"

local N = 10000
local numbers, words = {}, {}
for i = 1, N do numbers[i], words[i] = i, "w" .. i end

asyncio.run(function()
  local r = table.pack(asyncio.to_thread(function(...) return ... end, table.unpack(numbers)))
  print("to_thread", r.n, r[1], r[N])

  r = table.pack(asyncio.to_thread(function(...)
    local h = require("asyncio").run_coroutine_threadsafe(function(...) return ... end, ...)
    return h:result()
  end, table.unpack(numbers)))
  print("run_coroutine_threadsafe", r.n, r[1], r[N])

  local loop = asyncio.get_running_loop()
  local f = loop:run_in_executor(nil, function(...) local n = select("#", ...) return n, (select(n, ...)) end,
    table.unpack(numbers))
  print("run_in_executor", f:await())

  words[N + 1] = {stdout = asyncio.PIPE}
  local p = asyncio.create_subprocess_exec("/bin/sh", "-c", 'echo "$# ${10000}"', "sh",
    table.unpack(words, 1, N + 1))
  print("create_subprocess_exec", (p:communicate()))

  local cat = asyncio.create_subprocess_exec("wc", "-l", {stdin = asyncio.PIPE, stdout = asyncio.PIPE})
  local lines = {}
  for i = 1, N do lines[i] = i .. "\n" end
  local done = asyncio.create_task(function() return cat.stdout:read() end)
  cat.stdin:writelines(lines)
  cat.stdin:drain()
  cat.stdin:close()
  print("writelines", (done:await():gsub("%s", "")))
  cat:wait()
end)
