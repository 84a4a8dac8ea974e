-- 2,000 run_process calls, 50 at a time, some cut short by a timeout: every child reaped, no descriptor left open
-- (Not "-- both": under the sanitizer build stock lua5.4 runs with LD_PRELOAD, which each of the 2,000 children would load.)
local asyncio = require "asyncio"
local proctools = require "proctools"
local children, descriptors = proctools.children, proctools.descriptors

asyncio.run(function()
  local before = descriptors()
  local slots = asyncio.Semaphore(50)
  local ok, timed_out, tasks = 0, 0, {}
  for i = 1, 2000 do
    tasks[i] = asyncio.create_task(function()
      local _ <close> = slots:guard()
      if i % 100 == 0 then
        local done, e = pcall(asyncio.run_process, {"sleep", "5"}, {timeout = 0.01})
        if not done and asyncio.TimeoutError:is(e) then timed_out = timed_out + 1 end
      elseif asyncio.run_process({"/bin/true"}).returncode == 0 then
        ok = ok + 1
      end
    end)
  end
  asyncio.gather(table.unpack(tasks))
  print("exited 0:", ok, "timed out:", timed_out)
  print("children left:", children() == "")
  print("descriptors as before:", descriptors() == before)
end)
