-- both
-- GET/POST/PUT/PATCH/DELETE/HEAD and request(method): the server sees each method and body; Response fields
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop

asyncio.run(function()
  local p, base = server()
  for _, m in ipairs{"get", "post", "put", "patch", "delete"} do
    local body = m ~= "get" and "data-" .. m or nil
    local r = http[m](base .. "/echo", {body = body})
    local e = r:json()
    print(m, r.status, r.ok, e.method, e.body, e.headers["content-length"], e.query)
  end
  local r = http.request("OPTIONS", base .. "/echo?x=1")
  print("request", r.status, r:json().method, r:json().query)
  r = http.request("POST", base .. "/echo", {body = ""})
  print("empty body", r:json().method, r:json().headers["content-length"], r:json().body == "")
  r = http.head(base .. "/echo")
  print("head", r.status, r.body == "", r:text() == "", tonumber(r.headers["content-length"]) > 100)
  r = http.get(base .. "/echo")
  print("fields", math.type(r.status), r.url == base .. "/echo", r.http_version,
        type(r.elapsed) == "number" and r.elapsed >= 0 and r.elapsed < 5, r:text() == r.body,
        r.headers["content-type"])
  stop(p)
end)
