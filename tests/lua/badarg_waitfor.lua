-- wait_for checks its awaitable and its timeout (a number or nil)
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
try(function() asyncio.wait_for(nil, 1) end)
try(function() asyncio.wait_for(42, 1) end)
local t = asyncio.create_task(function() end)
try(function() asyncio.wait_for(t, "soon") end)
t:await()
