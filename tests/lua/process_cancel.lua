-- both
-- Cancelling a task in wait() or communicate() leaves the child running; it can still be killed and waited for
local asyncio = require "asyncio"

asyncio.run(function()
  local p = asyncio.create_subprocess_exec("sleep", "30")
  local t = asyncio.create_task(function() return p:wait() end)
  asyncio.sleep(0.01)
  t:cancel()
  print("wait cancelled:", select(2, pcall(t.await, t)).name, p.returncode)
  p:kill()
  print("then killed:", p:wait())

  p = asyncio.create_subprocess_shell("sleep 0.05; echo started; exec sleep 30", {stdout = asyncio.PIPE})
  local ok, e = pcall(asyncio.wait_for, function() return p:communicate() end, 0.5)
  print("communicate timed out:", ok, e.name, p.returncode)
  p:terminate()
  print("then terminated:", p:wait())
  print("output kept:", p.stdout:read())

  -- a cancelled reader of a child's pipe loses nothing
  p = asyncio.create_subprocess_shell("sleep 0.05; echo late", {stdout = asyncio.PIPE})
  t = asyncio.create_task(function() return p.stdout:readline() end)
  asyncio.sleep(0)
  t:cancel()
  pcall(t.await, t)
  print("line after cancel:", p.stdout:readline())
  print(p:wait())
end)
