-- both
-- Subprocess errors: missing program or cwd, a file that cannot run, writing to a closed pipe, bad arguments
local asyncio = require "asyncio"

local function try(f, ...)
  local ok, e = pcall(f, ...)
  print(ok and "ok" or (type(e) == "table" and e.name .. " " .. tostring(e.errno) .. " " .. e.message
                        or (tostring(e):gsub("^[^:]*:%d+: ", ""))))
end

asyncio.run(function()
  try(asyncio.create_subprocess_exec, "/no/such/program")
  try(asyncio.create_subprocess_exec, "no-such-program-anywhere")
  try(asyncio.create_subprocess_exec, "ls", {cwd = "/no/such/dir"})
  local script = os.tmpname()  -- a file without execute permission
  print(select(2, pcall(asyncio.create_subprocess_exec, script)).name)
  os.remove(script)
  try(asyncio.create_subprocess_exec, "ls", {stdout = 987})

  -- writing to a child that has exited without reading
  local p = asyncio.create_subprocess_exec("true", {stdin = asyncio.PIPE})
  p:wait()
  try(function()
    for _ = 1, 100 do
      p.stdin:write(string.rep("x", 65536))
      p.stdin:drain()
    end
  end)

  try(function() local p = asyncio.create_subprocess_exec() return p end)
  try(function() local p = asyncio.create_subprocess_exec("ls", {}, "x") return p end)
  try(function() local p = asyncio.create_subprocess_exec("ls", {stdout = "pipe"}) return p end)
  try(function() local p = asyncio.create_subprocess_exec("ls", {stdout = asyncio.STDOUT}) return p end)
  try(function() local p = asyncio.create_subprocess_exec("ls", {env = {PATH = {}}}) return p end)
  try(function() local p = asyncio.create_subprocess_exec("ls", {cwd = 1}) return p end)
  try(function() local p = asyncio.create_subprocess_exec("ls", {limit = 0}) return p end)
  try(function() local p = asyncio.create_subprocess_shell() return p end)
  try(function() local p = asyncio.create_subprocess_shell("ls", 5) return p end)
  p = asyncio.create_subprocess_exec("true")
  try(function() p:send_signal("NOSUCH") end)
  try(function() p:send_signal({}) end)
  try(function() p:send_signal(0) end)
  try(function() p:communicate(5) end)
  try(function() p:communicate("input but no stdin pipe") end)
  try(function() p.wait({}) end)
  p:wait()
end)
