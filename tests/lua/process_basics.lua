-- both
-- Subprocesses: arguments, env, cwd, each stdio option, returncode on exit and on a signal
local asyncio = require "asyncio"

asyncio.run(function()
  local p = asyncio.create_subprocess_exec("printf", "%s|", "a b", 42, "c", {stdout = asyncio.PIPE})
  print("args:", p.stdout:read(), p:wait(), p.returncode)

  p = asyncio.create_subprocess_shell('echo "$GREETING from $(pwd)"; echo "${HOME:-no HOME}"',
    {stdout = asyncio.PIPE, env = {GREETING = "hi"}, cwd = "/"})
  print("env, cwd:", (p:communicate()))

  -- stderr into stdout; stdin from /dev/null; stdout to a descriptor
  p = asyncio.create_subprocess_shell("echo one; echo two >&2; cat; echo three",
    {stdin = asyncio.DEVNULL, stdout = asyncio.PIPE, stderr = asyncio.STDOUT})
  local out, err = p:communicate()
  print("merged:", (out:gsub("\n", " ")), err)

  io.stdout:flush()
  p = asyncio.create_subprocess_exec("echo", "to descriptor 1", {stdout = 1, stderr = asyncio.DEVNULL})
  p:wait()

  -- a signal's death is -N
  p = asyncio.create_subprocess_exec("sleep", "30")
  print("running:", p.returncode)
  p:send_signal("SIGUSR1")
  print("by SIGUSR1:", p:wait())
  p = asyncio.create_subprocess_exec("sleep", "30")
  p:kill()
  print("killed:", p:wait())
  p = asyncio.create_subprocess_exec("sleep", "30")
  p:send_signal(15)
  print("by number 15:", p:wait())
  p:terminate()  -- after the end: nothing happens
  p:send_signal("HUP")
  print("tostring:", tostring(p):match("^<Process %d+ returncode=%-15>$") ~= nil)

  -- communicate: 1 MiB in and out at once never deadlocks
  p = asyncio.create_subprocess_exec("cat", {stdin = asyncio.PIPE, stdout = asyncio.PIPE})
  local big = string.rep("0123456789abcdef", 65536)
  out = p:communicate(big)
  print("1 MiB through cat:", out == big, p.returncode)
  -- and both pipes full at once
  p = asyncio.create_subprocess_shell("head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2",
    {stdout = asyncio.PIPE, stderr = asyncio.PIPE})
  out, err = p:communicate()
  print("1 MiB on each pipe:", #out, #err)
  -- without pipes, communicate just waits
  p = asyncio.create_subprocess_exec("true")
  print("no pipes:", p:communicate())
  print("returncode:", p.returncode)
end)
