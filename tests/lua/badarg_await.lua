-- await and shield take an awaitable
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
try(function() asyncio.await("x") end)
try(function() asyncio.await() end)
try(function() asyncio.shield(5) end)
