-- both
-- port of the seed's shell example: ls /zzz, stderr captured, non-zero exit
local asyncio = require "asyncio"

local function run(cmd)
  local proc = asyncio.create_subprocess_shell(cmd,
    {stdout = asyncio.PIPE, stderr = asyncio.PIPE})

  local stdout, stderr = proc:communicate()

  print((("[%q exited with %d]"):format(cmd, proc.returncode):gsub('"', "'")))
  if stdout ~= "" then print("[stdout]\n" .. stdout) end
  if stderr ~= "" then print("[stderr]\n" .. stderr) end
end

asyncio.run(run, "ls /zzz")
