-- loop:call_soon/call_later/call_at check their arguments (method calls: self is not counted)
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
local loop = asyncio.get_running_loop()
try(function() loop:call_soon(5) end)
try(function() loop:call_later("x", print) end)
try(function() loop:call_later(0.01, 5) end)
try(function() loop:call_at(nil, print) end)
