-- both
-- request headers (string and list), response headers: lower-case names, repeated fields joined with ", ", header_list
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop

asyncio.run(function()
  local p, base = server()
  local r = http.get(base .. "/echo", {headers = {["X-One"] = "1", ["X-List"] = {"a", "b"}, ["User-Agent"] = "aiod-test"}})
  local e = r:json()
  print(e.headers["x-one"], e.headers["x-list"], table.concat(e.header_list["x-list"], "|"), e.headers["user-agent"])
  r = http.get(base .. "/headers")
  print(r.headers["x-multi"], r.headers["set-cookie"], r.headers["x-mixed-case"], r.headers["X-Mixed-Case"])
  print(table.concat(r:header_list("x-multi"), "|"), table.concat(r:header_list("set-cookie"), "|"),
        table.concat(r:header_list("x-mixed-case"), "|"), #r:header_list("absent"))
  -- no status line or blank names among the headers, and only the final response's fields
  local names = {}
  for k in pairs(r.headers) do names[#names + 1] = k end
  table.sort(names)
  print(table.concat(names, " "))
  r = http.get(base .. "/redirect/1")
  print(r.status, r.headers["location"], r.headers["content-length"])
  stop(p)
end)
