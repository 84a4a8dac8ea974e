-- both
-- raise_for_status: HTTPStatusError with status and response for 4xx/5xx, nothing for 2xx/3xx
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop

asyncio.run(function()
  local p, base = server()
  for _, status in ipairs{200, 201, 302, 400, 404, 418, 500, 599} do
    local r = http.get(base .. "/status/" .. status, {follow_redirects = false})
    local ok, e = pcall(r.raise_for_status, r)
    if ok then
      print(status, "ok")
    else
      print(status, asyncio.HTTPStatusError:is(e), e.status, e.response == r, e.response.body,
            tostring(e):find(tostring(status), 1, true) ~= nil)
    end
  end
  stop(p)
end)
