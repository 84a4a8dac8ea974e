-- subprocess workload for aiod through asyncio.run_process: 500 runs of /bin/true, at most 20 at once (asyncio.Semaphore), stdout piped as in aiod.lua (stderr not), each run to its end; prints how many exited 0.
local asyncio = require "asyncio"

local N, LIMIT = 500, 20

local sem = asyncio.Semaphore(LIMIT)

local function run_true()
  local _ <close> = sem:guard()
  return asyncio.run_process({"/bin/true"}, {capture_output = false, stdout = asyncio.PIPE}).returncode
end

local tasks = {}
for i = 1, N do tasks[i] = asyncio.create_task(run_true) end
local ok = 0
for _, code in ipairs(asyncio.gather(table.unpack(tasks))) do
  if code == 0 then ok = ok + 1 end
end
print(ok)
