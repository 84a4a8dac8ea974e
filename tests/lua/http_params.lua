-- both
-- params: a table URL-encoded into the query (appended to one already in the URL), reserved and UTF-8 characters escaped
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop

local function decode(s)
  return (s:gsub("%+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end
local function pairs_of(query)
  local out = {}
  for kv in query:gmatch("[^&]+") do
    local k, v = kv:match("^([^=]*)=(.*)$")
    out[#out + 1] = decode(k) .. "=" .. decode(v)
  end
  table.sort(out)
  return table.concat(out, " | ")
end
asyncio.run(function()
  local p, base = server()
  local r = http.get(base .. "/echo", {params = {q = "a b&c=d/é?#+", n = 1, ["k y"] = "v"}})
  local q = r:json().query
  print(pairs_of(q))
  print("raw safe", not q:find("[ #é]"), select(2, q:gsub("&", "&")))
  r = http.get(base .. "/echo?x=1", {params = {y = "2"}})
  print(pairs_of(r:json().query))
  r = http.get(base .. "/echo", {params = {}})
  print("empty", r:json().query == "", r.url == base .. "/echo")
  stop(p)
end)
