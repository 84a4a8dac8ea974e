-- both
-- params: a table URL-encoded into the query (appended to one already in the URL), reserved and UTF-8 characters escaped
local asyncio = require "asyncio"
local http = asyncio.http

-- tests/http/server.py in a child: → the process, the base URL, a port where connecting hangs
local function server(...)
  local argv = {"/usr/bin/python3", "-I", "../http/server.py", ...}
  argv[#argv + 1] = {stdin = asyncio.PIPE, stdout = asyncio.PIPE}
  local p = asyncio.create_subprocess_exec(table.unpack(argv))
  local port, hole = p.stdout:readline():match("^(%d+) (%d+)")
  return p, "http://127.0.0.1:" .. port, hole
end
local function stop(p) p.stdin:close(); p:wait() end

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
