-- both
-- Stopping a child: run_process's timeout and cancellation, a Process's <close>; TERM to its group, KILL after kill_grace; done only once the child is reaped; a second cancellation does not cut the stop short; a cancelled wait() leaves the child running
local asyncio = require "asyncio"
local alive = require("proctools").alive

-- Whether pid is gone within a second (a signalled orphan dies on its own time).
local function gone(pid)
  for _ = 1, 100 do
    if not alive(pid) then return true end
    asyncio.sleep(0.01)
  end
  return false
end

-- The pids the child writes to a fresh file, once there are n of them.
local function pid_file()
  local path = os.tmpname()
  return path, function(n)
    for _ = 1, 200 do
      local f = io.open(path)
      local pids = {}
      if f then
        for pid in f:read("a"):gmatch("%d+") do pids[#pids + 1] = pid end
        f:close()
      end
      if #pids >= n then
        os.remove(path)
        return table.unpack(pids)
      end
      asyncio.sleep(0.01)
    end
    error("the child wrote no pid")
  end
end

asyncio.run(function()
  -- timeout: TERM ignored (also by what it execs), KILL after kill_grace
  local path, pids = pid_file()
  local ok, e = pcall(asyncio.run_process, "trap '' TERM; echo $$ >" .. path .. "; exec sleep 10",
                      {timeout = 0.2, kill_grace = 0.05})
  print("timeout:", ok, e.name, (e.message:gsub("/tmp/[%w_]+", "F")))
  print("  reaped before TimeoutError:", not alive(pids(1)))

  -- its group: a grandchild that ignores TERM and holds the pipe, and one
  -- that ignores TERM and holds nothing: both get KILL
  for _, redirect in ipairs{"", ">/dev/null 2>&1"} do
    path, pids = pid_file()
    ok, e = pcall(asyncio.run_process, "(trap '' TERM; exec sleep 10) " .. redirect .. " & echo $! $$ >" ..
                  path .. "; wait", {timeout = 0.2, kill_grace = 0.05, process_group = 0})
    local grandchild, child = pids(2)
    print("group:", e.name, "child gone:", not alive(child), "grandchild gone:", gone(grandchild))
  end
  path, pids = pid_file()
  ok, e = pcall(asyncio.run_process, {"sh", "-c", "sleep 10 & echo $! $$ >" .. path .. "; wait"},
                {timeout = 0.2, start_new_session = true})
  local grandchild, child = pids(2)
  print("session:", e.name, "child gone:", not alive(child), "grandchild gone:", gone(grandchild))

  -- no group of its own: the descendants it has get TERM with it, so a
  -- shell's commands end at once and leave the pipes (not after kill_grace)
  for _, cmd in ipairs{{"sleep 10 & echo $! $$ >%s; wait", 2}, {"echo $$ >%s; sleep 10; echo never", 1},
                       {"echo $$ >%s; sleep 10 | cat", 1}} do
    path, pids = pid_file()
    local loop = asyncio.get_running_loop()
    local started = loop:time()
    ok, e = pcall(asyncio.run_process, cmd[1]:format(path), {timeout = 0.2, kill_grace = 5})
    local first, second = pids(cmd[2])
    print("descendants:", e.name, "within kill_grace:", loop:time() - started < 2.5,
          "gone:", gone(first), second == nil or gone(second))
  end

  -- cancellation: the child is gone once the cancel completes
  path, pids = pid_file()
  local t = asyncio.create_task(asyncio.run_process, "echo $$ >" .. path .. "; exec sleep 10")
  local pid = pids(1)
  t:cancel("enough")
  ok, e = pcall(t.await, t)
  print("cancelled:", e.name, e.message, "child gone:", not alive(pid))

  -- a second cancellation during the stop waits for it all the same
  path, pids = pid_file()
  t = asyncio.create_task(asyncio.run_process, "trap '' TERM; echo $$ >" .. path .. "; exec sleep 10",
                          {kill_grace = 0.1})
  pid = pids(1)
  t:cancel()
  asyncio.sleep(0.02)
  print("stopping, TERM ignored:", t:done(), alive(pid))
  t:cancel()
  ok, e = pcall(t.await, t)
  print("cancelled twice:", e.name, "child gone:", not alive(pid))

  -- inside asyncio.wait_for: the TimeoutError comes after the stop
  path, pids = pid_file()
  ok, e = pcall(asyncio.wait_for, function()
    return asyncio.run_process("echo $$ >" .. path .. "; exec sleep 10")
  end, 0.2)
  print("wait_for:", e.name, "child gone:", not alive(pids(1)))

  -- <close>: left normally, by an error, with the child done
  do
    local p <close> = asyncio.create_subprocess_shell("trap '' TERM; exec sleep 10",
                                                      {kill_grace = 0.05, stdout = asyncio.PIPE})
    pid = p.pid
  end
  print("<close>:", not alive(pid))
  ok, e = pcall(function()
    local p <close> = asyncio.create_subprocess_exec("sleep", "10")
    pid = p.pid
    error("boom", 0)
  end)
  print("<close> by an error:", ok, e, not alive(pid))
  local p = asyncio.create_subprocess_exec("echo", "done", {stdout = asyncio.PIPE, stdin = asyncio.PIPE})
  p:wait()
  do local _ <close> = p end
  print("<close> after the exit:", p.returncode, p.stdin:is_closing())

  -- a task still reading a pipe that the block's exit closes sees its end
  -- (a grandchild outside the tree, orphaned at once, holds it open)
  local reader
  do
    local q <close> = asyncio.create_subprocess_shell("(sleep 0.5 &); exec sleep 10",
                                                      {stdout = asyncio.PIPE, kill_grace = 0.05})
    reader = asyncio.create_task(q.stdout.read, q.stdout)
    asyncio.sleep(0.01)
  end
  print("a reader of the closed pipe:", reader:await())

  -- <close> cancelled, twice: the block's exit still waits for the stop
  t = asyncio.create_task(function()
    local q <close> = asyncio.create_subprocess_shell("trap '' TERM; exec sleep 10", {kill_grace = 0.1})
    pid = q.pid
    asyncio.sleep(10)
  end)
  asyncio.sleep(0.02)
  t:cancel()
  asyncio.sleep(0.02)
  t:cancel()
  ok, e = pcall(t.await, t)
  print("<close> cancelled twice:", e.name, not alive(pid))

  -- where nothing can wait (a coroutine of the task's own): KILL at once
  p = asyncio.create_subprocess_exec("sleep", "10")
  coroutine.wrap(function() local _ <close> = p end)()
  print("<close> in a nested coroutine:", p:wait())

  -- a plain wait() that is cancelled leaves the child running, as in Python
  p = asyncio.create_subprocess_exec("sleep", "10")
  t = asyncio.create_task(p.wait, p)
  asyncio.sleep(0.01)
  t:cancel()
  print("wait() cancelled:", pcall(t.await, t), p.returncode, alive(p.pid))
  p:kill()
  print("then killed:", p:wait())
end)
