-- both
-- Option errors of asyncio.http point at the caller's line, as luaL_argerror's do, for every check of the options table
local asyncio = require "asyncio"
local http = asyncio.http

local function where(f)
  local ok, e = pcall(f)
  print(ok and "no error" or tostring(e))
end

asyncio.run(function()
  local url = "http://127.0.0.1:9/"
  local s <close> = http.Session()
  where(function() local _ = http.post(url, {body = "x", json = {}}) end)
  where(function() local _ = http.get(url, {cafile = "a\0b"}) end)
  where(function() local _ = s:post(url, {form = {a = "1"}, body = "x"}) end)
  where(function() local _ = http.get(url, {timeout = "x"}) end)
end)
