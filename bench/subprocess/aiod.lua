-- subprocess workload for aiod: 500 runs of /bin/true, at most 20 at once (asyncio.Semaphore), stdout piped, each awaited with communicate() (with the argument --run-process: run_process, the same pipes); prints how many exited 0.
local asyncio = require "asyncio"

local N, LIMIT = 500, 20
local RUN_PROCESS = ... == "--run-process"

local sem = asyncio.Semaphore(LIMIT)

local function run_true()
  local _ <close> = sem:guard()
  if RUN_PROCESS then
    return asyncio.run_process({"/bin/true"}, {capture_output = false, stdout = asyncio.PIPE}).returncode
  end
  local proc = asyncio.create_subprocess_exec("/bin/true", {stdout = asyncio.PIPE})
  proc:communicate()
  return proc.returncode
end

local tasks = {}
for i = 1, N do tasks[i] = asyncio.create_task(run_true) end
local ok = 0
for _, code in ipairs(asyncio.gather(table.unpack(tasks))) do
  if code == 0 then ok = ok + 1 end
end
print(ok)
