-- both
-- A zero byte in a program name, an argument, cwd, the environment or a shell command is refused
-- (the OS would cut the string short there); nothing is started.
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok and "started" or (tostring(e):gsub("^[^:]*:%d+: ", "")))
end

asyncio.run(function()
  try(function() return asyncio.create_subprocess_exec("echo\0x") end)
  try(function() return asyncio.create_subprocess_exec("echo", "a", "b\0c") end)
  try(function() return asyncio.create_subprocess_exec("echo", "a", {stdout = asyncio.DEVNULL}, "x\0") end)
  try(function() return asyncio.create_subprocess_exec("echo", {cwd = "/tmp\0/x"}) end)
  try(function() return asyncio.create_subprocess_exec("echo", {env = {["A\0B"] = "1"}}) end)
  try(function() return asyncio.create_subprocess_exec("echo", {env = {A = "1\0"}}) end)
  try(function() return asyncio.create_subprocess_exec("echo", {env = {["A=B"] = "1"}}) end)
  try(function() return asyncio.create_subprocess_shell("echo a\0; echo b") end)
  try(function() return asyncio.create_subprocess_shell("true", {cwd = "\0"}) end)
  -- the same without the zero byte still runs
  local p = asyncio.create_subprocess_exec("echo", "a", "b c", {stdout = asyncio.PIPE, env = {A = "1"}, cwd = "/"})
  print(p:communicate())
end)
