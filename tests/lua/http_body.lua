-- both
-- body, json (a table or a scalar, encoded, sets content-type), form (urlencoded), auth (basic); r:json() with asyncio.http.null, malformed JSON raises
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop

asyncio.run(function()
  local p, base = server()
  local bin = "a\0b\r\n" .. string.rep("z", 3000)
  local e = http.post(base .. "/echo", {body = bin}):json()
  print("body", e.body == bin, e.headers["content-length"])
  e = http.post(base .. "/echo", {json = {a = 1, b = {true, false}, c = "x"}}):json()
  print("json", e.headers["content-type"])
  local sent = require("cjson").decode(e.body)
  print(math.tointeger(sent.a), sent.b[1], sent.b[2], sent.c)
  e = http.put(base .. "/echo", {json = {n = http.null}}):json()
  print("json null", e.body)
  -- Any value lua-cjson encodes, as Python's json= takes any: a JSON text may be a scalar.
  for _, v in ipairs({5, "x", false}) do
    e = http.post(base .. "/echo", {json = v}):json()
    io.write("json scalar ", e.body, " ", e.headers["content-type"], "\n")
  end
  e = http.post(base .. "/echo", {form = {name = "a b", sym = "&=+"}}):json()
  print("form", e.headers["content-type"])
  local parts = {}
  for kv in e.body:gmatch("[^&]+") do  -- "+" or "%20" for a space: both are the form encoding
    parts[#parts + 1] = kv:gsub("%+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
  end
  table.sort(parts)
  print(table.concat(parts, " "))
  e = http.get(base .. "/echo", {auth = {"user", "pa:ss"}}):json()
  print("auth", e.headers["authorization"])
  e = http.post(base .. "/echo", {json = {1, 2}, headers = {["Content-Type"] = "application/x-custom"}}):json()
  print("own content-type", e.headers["content-type"], e.body)

  local r = http.get(base .. "/json")
  local doc = r:json()
  print("decoded", doc.a == http.null, doc.a ~= nil, math.tointeger(doc.b[1]), doc.b[3].c, doc.s, doc.n)
  print("number types", math.type(doc.b[1]), math.type(doc.n))
  print("null", http.null == require("cjson").null, type(http.null))
  r = http.get(base .. "/badjson")
  print("bad json", r.status, pcall(r.json, r) == false, r.body)
  stop(p)
end)
