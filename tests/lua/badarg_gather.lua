-- gather checks that every argument before the options table is an awaitable
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
try(function() asyncio.gather(1) end)
try(function() asyncio.gather(function() end, "x") end)
try(function() asyncio.gather(true, {return_exceptions = true}) end)
