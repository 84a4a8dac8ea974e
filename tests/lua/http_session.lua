-- both
-- Session: base_url, default headers merged with the request's, default options (params, auth, follow_redirects) a request can override; s:request; <close> closes its connections
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop
local stats, until_stats = T.stats, T.until_stats

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
