-- aiod reaps only the children it started: os.execute and io.popen():close() keep their exit
-- statuses, in the main state and in to_thread workers, while aiod's own children run and end
-- (the loop used to reap every child on SIGCHLD: "No child processes", statuses lost).
local asyncio = require "asyncio"

local N = REAP_RUNS or 1000  -- process_reap_foreign_children_lua.lua runs fewer under stock lua5.4

asyncio.run(function()
  -- aiod's own children, starting and ending all the while
  local own_ok, own_runs, stop = 0, 0, false
  local function spawner()
    while not stop do
      local p = asyncio.create_subprocess_exec("/bin/sh", "-c", "exit 7")
      own_runs = own_runs + 1
      if p:wait() == 7 then own_ok = own_ok + 1 end
      asyncio.sleep(0.002)
    end
  end
  local spawners = {}
  for i = 1, 2 do spawners[i] = asyncio.create_task(spawner) end

  -- main state: popen'd children end while the loop runs, then are closed
  local popen_ok, exec_ok = 0, 0
  for _ = 1, N / 50 do
    local files = {}
    for j = 1, 50 do files[j] = io.popen("exit 5") end
    asyncio.sleep(0.001)
    for j = 1, 50 do
      local ok, how, code = files[j]:close()
      if ok == nil and how == "exit" and code == 5 then popen_ok = popen_ok + 1 end
    end
  end
  for i = 1, N do
    local ok, how, code = os.execute("exit 3")
    if ok == nil and how == "exit" and code == 3 then exec_ok = exec_ok + 1 end
    if i % 50 == 0 then asyncio.sleep(0) end
  end
  print("main popen", popen_ok == N, "main os.execute", exec_ok == N)

  -- workers: each does its share, the loop reaping its own children meanwhile
  local function worker(n)
    local popen_ok, exec_ok = 0, 0
    for _ = 1, n do
      local ok, how, code = io.popen("exit 5"):close()
      if ok == nil and how == "exit" and code == 5 then popen_ok = popen_ok + 1 end
      ok, how, code = os.execute("exit 3")
      if ok == nil and how == "exit" and code == 3 then exec_ok = exec_ok + 1 end
    end
    return popen_ok, exec_ok
  end
  local results = asyncio.gather(
    function() return {asyncio.to_thread(worker, N / 4)} end,
    function() return {asyncio.to_thread(worker, N / 4)} end,
    function() return {asyncio.to_thread(worker, N / 4)} end,
    function() return {asyncio.to_thread(worker, N / 4)} end)
  local popen_total, exec_total = 0, 0
  for i = 1, 4 do
    local a, b = table.unpack(results[i])
    popen_total, exec_total = popen_total + a, exec_total + b
  end
  print("thread popen", popen_total == N, "thread os.execute", exec_total == N)

  stop = true
  for i = 1, 2 do spawners[i]:await() end
  print("own children all right", own_runs > 0 and own_ok == own_runs)
end)
