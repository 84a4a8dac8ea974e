-- both
-- connect_read_pipe / connect_write_pipe: a character device works (the tests' stdin is
-- /dev/null: end of file at once); a closed descriptor is OSError EBADF; a regular file (the
-- tests' stdout) or a non-descriptor is a bad argument.
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok and "ok" or type(e) == "table" and e.name .. " " .. e.errno or (tostring(e):gsub("^[^:]*:%d+: ", "")))
end

asyncio.run(function()
  local reader = asyncio.connect_read_pipe(0)
  print("stdin", string.format("%q", reader:read()), reader:at_eof())
  try(function() return asyncio.connect_read_pipe(987) end)
  try(function() return asyncio.connect_write_pipe(-1) end)
  try(function() return asyncio.connect_read_pipe() end)
  try(function() return asyncio.connect_write_pipe("1") end)
  try(function() return asyncio.connect_read_pipe(1.5) end)
  -- run.sh sends the tests' stdout to a regular file
  try(function() return asyncio.connect_write_pipe(1) end)
end)
