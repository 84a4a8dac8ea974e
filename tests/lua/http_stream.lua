-- both
-- stream=true: returns at the headers, body nil; read([n]), lines() (keeping "\n"), chunks(), close() abandons the rest (the server sees it)
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop
local stats, until_stats = T.stats, T.until_stats

local function show(s) return (s:gsub("\n", "\\n")) end
asyncio.run(function()
  local p, base = server()
  local r = http.get(base .. "/lines", {stream = true})
  print("head", r.status, r.body, r.headers["transfer-encoding"])
  for line in r:lines() do io.write("[", show(line), "]") end
  print()

  r = http.get(base .. "/lines", {stream = true})
  local parts = {}
  for chunk in r:chunks() do parts[#parts + 1] = chunk end
  print("chunks", show(table.concat(parts)), #parts >= 1)

  r = http.get(base .. "/big?n=100000", {stream = true})
  local got, calls = 0, 0
  while true do
    local s = r:read(4096)
    if s == nil or s == "" then break end
    assert(#s <= 4096, #s)
    got, calls = got + #s, calls + 1
  end
  print("read(n)", got, calls >= 25)
  r = http.get(base .. "/big?n=70000", {stream = true})
  print("read()", #r:read())
  r = http.get(base .. "/big?n=10", {stream = true})
  print("read after end", #r:read(), r:read() == "" or r:read() == nil)

  -- close() in the middle: the server sees the connection close
  r = http.get(base .. "/stall", {stream = true})
  print("stall head", r.status, r.headers["content-length"], r:read(10))
  r:close()
  print("server saw the close", until_stats(base, function(st) return st.aborted == 1 end).aborted)

  -- the stream's timeout: the whole request's
  r = http.get(base .. "/stall", {stream = true, timeout = 0.2})
  local ok, e = pcall(function() return r:read() end)
  print("stream timeout", ok, asyncio.TimeoutError:is(e))
  stop(p)
end)
