-- timeout and timeout_at take a number or nil
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
try(function() local t <close> = asyncio.timeout("x") end)
try(function() local t <close> = asyncio.timeout({}) end)
try(function() local t <close> = asyncio.timeout_at("x") end)
