-- both
-- port of the seed's get_date example: read one line of a child's stdout, then wait for it
local asyncio = require "asyncio"

local function get_date()
  local code = 'print(os.date("!%Y-%m-%d"))'

  -- Create the subprocess; redirect the standard output into a pipe.
  local proc = asyncio.create_subprocess_exec("lua5.4", "-e", code,
    {stdout = asyncio.PIPE})

  -- Read one line of output.
  local data = proc.stdout:readline()
  local line = data:gsub("%s+$", "")

  -- Wait for the subprocess exit.
  proc:wait()
  return line
end

local date = asyncio.run(get_date)
print(("Current date: %s"):format(date) == "Current date: " .. os.date("!%Y-%m-%d"))
