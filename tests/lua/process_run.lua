-- both
-- asyncio.run_process: a list without a shell, a string through /bin/sh; CompletedProcess; input, capture_output, stderr = STDOUT, check and CalledProcessError; a child killed from outside
local asyncio = require "asyncio"
io.stdout:setvbuf("no")	-- a child's inherited output lands in order with ours

asyncio.run(function()
  local r = asyncio.run_process({"echo", "hi there"})
  print(r.returncode, r.stdout, r.stderr == "", getmetatable(r).__name)
  print(r)
  print(r.args[2], asyncio.CompletedProcess == getmetatable(r))

  r = asyncio.run_process("echo out; echo err >&2; exit 3")
  print(r)
  local ok, e = pcall(r.check_returncode, r)
  print(ok, tostring(e))
  print(pcall(asyncio.run_process("true").check_returncode, asyncio.run_process("true")))

  print(asyncio.run_process({"tr", "a-z", "A-Z"}, {input = "shout\n"}).stdout)
  print(asyncio.run_process("wc -c", {input = ("x"):rep(1 << 20)}).stdout)	-- more than a pipe holds
  print(asyncio.run_process("echo x; echo y >&2", {stderr = asyncio.STDOUT}))
  print(asyncio.run_process("echo gone; echo kept >&2", {stdout = asyncio.DEVNULL}))
  r = asyncio.run_process("echo inherited", {capture_output = false})
  print(r.returncode, r.stdout, r.stderr)
  print(asyncio.run_process({"cat"}, {stdin = asyncio.DEVNULL}).stdout == "")
  print(asyncio.run_process({"sh", "-c", 'printf "%s" "$X" "$PWD"'}, {env = {X = "x="}, cwd = "/"}).stdout)

  ok, e = pcall(asyncio.run_process, {"sh", "-c", "echo partial; echo why >&2; exit 2"}, {check = true})
  print(ok, asyncio.CalledProcessError:is(e), e.returncode, e.cmd[1], e.stdout, e.stderr)
  print(tostring(e))
  ok, e = pcall(asyncio.run_process, {"sh", "-c", "kill -TERM $$", "it's"}, {check = true})
  print(e.returncode, tostring(e))
  ok, e = pcall(asyncio.run_process, "exit 1", {check = true})
  print(e.message)

  -- killed from outside while run_process waits for it
  local path = os.tmpname()
  local t = asyncio.create_task(asyncio.run_process, "echo $$ >" .. path .. "; exec sleep 10")
  local pid
  while not pid do
    asyncio.sleep(0.01)
    local f = io.open(path)
    pid = f and f:read("n")
    if f then f:close() end
  end
  asyncio.run_process({"kill", "-KILL", tostring(pid)})
  print("killed from outside:", t:await().returncode)
  os.remove(path)

  ok, e = pcall(asyncio.run_process, {"no-such-program-xyz"})
  print(ok, asyncio.FileNotFoundError:is(e))
end)
