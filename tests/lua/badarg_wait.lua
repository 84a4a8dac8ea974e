-- wait checks its list and its options: a wrong option type and an unknown return_when are argument errors
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
local t = asyncio.create_task(function() end)
try(function() asyncio.wait(5) end)
try(function() asyncio.wait({t}, {timeout = "x"}) end)
try(function() asyncio.wait({t}, {return_when = "bogus"}) end)
t:await()
