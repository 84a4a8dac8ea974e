-- asyncio.async needs a function; create_task rejects a value that is neither a function nor a coroutine object
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
try(function() asyncio.async(5) end)
local ok, e = pcall(function() asyncio.create_task(5) end)
print(ok, tostring(e):find("bad argument #1 to 'create_task'", 1, true) ~= nil)
