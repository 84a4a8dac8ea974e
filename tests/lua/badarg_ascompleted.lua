-- as_completed checks its list and its timeout option
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
try(function() for _ in asyncio.as_completed(5) do end end)
try(function() for _ in asyncio.as_completed({}, {timeout = "x"}) do end end)
