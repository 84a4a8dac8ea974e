-- both
-- Session: base_url, default headers merged with the request's, default options (params, auth, follow_redirects) a request can override; s:request; <close> closes its connections
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

asyncio.run(function()
  local p, base = server()
  do
    local s <close> = http.Session{base_url = base, headers = {["X-Default"] = "d", ["X-Both"] = "session"},
                                   auth = {"u", "p"}, follow_redirects = false}
    local r = s:get("/echo", {headers = {["X-Both"] = "request", ["X-Own"] = "o"}})
    local e = r:json()
    print("headers", e.headers["x-default"], e.headers["x-both"], e.headers["x-own"], e.headers["authorization"] ~= nil)
    print("url", r.url == base .. "/echo")
    e = s:get("/echo"):json()
    print("defaults stay", e.headers["x-both"], e.headers["x-own"])
    print("session option", s:get("/redirect/1").status, s:get("/redirect/1", {follow_redirects = true}).status)
    print("request", s:request("PUT", "/echo", {body = "b"}):json().method, s:post("/echo"):json().method,
          s:delete("/echo"):json().method, s:patch("/echo"):json().method, s:head("/echo").status,
          s:put("/echo"):json().method)
    -- an absolute URL ignores base_url
    print("absolute", s:get(base .. "/status/201").status)
    print("open", stats(base).open)
  end
  print("after <close>", until_stats(base, function(st) return st.open == 0 end).open)
  local s = http.Session()
  s:get(base .. "/echo")
  s:close()
  print("after s:close()", until_stats(base, function(st) return st.open == 0 end).open)
  s:close()  -- twice: nothing
  print("closed twice")
  stop(p)
end)
