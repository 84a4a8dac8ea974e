-- both
-- stream=true: returns at the headers, body nil; read([n]), lines() (keeping "\n"), chunks(), close() abandons the rest (the server sees it)
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
-- the server's figures (tests/http/server.py /stats), as integers (cjson decodes every number
-- as a float); until_stats(base, pred) polls them until pred is true (up to 2 s)
local function stats(base)
  local st = http.get(base .. "/stats"):json()
  for _, t in ipairs{st, st.hits} do
    for k, v in pairs(t) do if type(v) == "number" then t[k] = math.tointeger(v) end end
  end
  return st
end
local function until_stats(base, pred)
  for _ = 1, 200 do
    local st = stats(base)
    if pred(st) then return st end
    asyncio.sleep(0.01)
  end
  return stats(base)
end

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
