-- both
-- asyncio.http against a tiny HTTP/1.1 server in the same test: GET, POST json, headers, params, HEAD, stream, errors
local asyncio = require "asyncio"
local http = asyncio.http

-- Answers each request with its method, target, a header and the body it got, as JSON-ish text.
local function serve(r, w)
  while true do
    local line = r:readline()
    if line == "" then break end
    local method, target = line:match("^(%u+) (%S+)")
    local headers, len = {}, 0
    while true do
      local h = r:readline()
      if h == "\r\n" or h == "" then break end
      local k, v = h:match("^([^:]+):%s*(.-)\r\n$")
      headers[k:lower()] = v
    end
    len = tonumber(headers["content-length"] or 0)
    local body = len > 0 and r:readexactly(len) or ""
    if target == "/redirect" then
      w:write("HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Length: 0\r\n\r\n")
    elseif target == "/loop" then
      w:write("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n")
    elseif target == "/missing" then
      w:write("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno")
    elseif target == "/big" then
      w:write("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" .. ("x"):rep(5000))
    elseif target == "/stream" then
      w:write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
      for i = 1, 3 do
        local s = ("line %d\n"):format(i)
        w:write(("%x\r\n%s\r\n"):format(#s, s)); w:drain(); asyncio.sleep(0.01)
      end
      w:write("0\r\n\r\n")
    else
      local out = ("%s %s ct=%s x=%s body=%s"):format(method, target, headers["content-type"] or "-",
                                                     headers["x-test"] or "-", body)
      if headers.authorization then out = out .. " auth=" .. headers.authorization end
      local extra = method == "HEAD" and "" or out
      w:write(("HTTP/1.1 200 OK\r\nContent-Length: %d\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n" ..
               "Content-Type: text/plain\r\n\r\n%s"):format(#out, extra))
    end
    w:drain()
  end
  w:close()
end

asyncio.run(function()
  -- A client that goes away mid-answer (the cancellation below) is no failure here.
  local server = asyncio.start_server(function(r, w) pcall(serve, r, w) end, "127.0.0.1", 0)
  local base = ("http://127.0.0.1:%d"):format(server.sockets[1].port)

  local r = http.get(base .. "/hello", {headers = {["X-Test"] = "yes"}, params = {q = "a b", n = 1}})
  print(r.status, r.ok, r.body, r.http_version, r.url == base .. "/hello?n=1&q=a%20b")
  print(r.headers["content-type"], r.headers["set-cookie"], table.concat(r:header_list("Set-Cookie"), "|"))
  print(type(r.elapsed) == "number" and r.elapsed >= 0)

  r = http.post(base .. "/p", {json = {a = 1}})
  print(r.body)
  r = http.post(base .. "/f", {form = {k = "v w"}})
  print(r.body)
  r = http.put(base .. "/b", {body = "raw", headers = {["content-type"] = "text/x"}})
  print(r.body)
  r = http.get(base .. "/a", {auth = {"user", "pass word"}, http_version = "1.1", timeout = false})
  print(r.body)
  r = http.head(base .. "/h")
  print(r.status, r.body == "", r.headers["content-length"])
  r = http.request("DELETE", base .. "/d")
  print(r.body)

  r = http.get(base .. "/redirect")
  print(r.status, r.body:match("^%S+ %S+"), r.url == base .. "/final")
  print(http.get(base .. "/redirect", {follow_redirects = false}).status)
  local ok, e = pcall(http.get, base .. "/loop", {max_redirects = 2})
  print(ok, e.name)
  r = http.get(base .. "/missing")
  print(r.status, r.ok)
  ok, e = pcall(r.raise_for_status, r)
  print(ok, e.name, e.status, e.response == r, (e.message:gsub(":%d+/", ":PORT/")))
  ok, e = pcall(http.get, base .. "/big", {max_body = 1000})
  print(ok, e.name, e.message)
  ok, e = pcall(r.json, r)
  print(ok, (tostring(e):match("not valid JSON")))

  r = http.get(base .. "/stream", {stream = true})
  print(r.status, r.body)
  for line in r:lines() do io.write("got ", line) end
  r = http.get(base .. "/stream", {stream = true})
  print(r:read(3), r:read(0) == "")
  for chunk in r:chunks() do io.write("chunk ", chunk) end
  print(r:read(), r:read(5))
  r = http.get(base .. "/stream", {stream = true})
  print(#r:text(), r.body == r:text())
  r:close()

  local s <close> = http.Session{base_url = base .. "/api/", headers = {["x-test"] = "s"}}
  print(s:get("v1").body)
  print(s:get("/v2", {headers = {["X-Test"] = "override"}}).body)

  -- refused: a port nobody listens on
  local probe = asyncio.start_server(function() end, "127.0.0.1", 0)
  local dead = probe.sockets[1].port
  probe:close()
  ok, e = pcall(http.get, ("http://127.0.0.1:%d/"):format(dead))
  print(ok, e.name, e.errno)
  ok, e = pcall(http.get, "http://nonexistent.invalid/")
  print(ok, e.name, (e.message:find("nonexistent.invalid", 1, true) ~= nil))

  -- only http and https, asked or redirected to
  for _, u in ipairs{"file:///etc/passwd", "ftp://127.0.0.1/", "http://127.0.0.1:99999/"} do
    ok, e = pcall(http.get, u)
    print(u, ok, e.name, e.message)
  end

  -- cancellation while waiting for the response
  local t = asyncio.create_task(function() return http.get(base .. "/stream") end)
  asyncio.sleep(0.005)
  t:cancel()
  print("cancelled:", pcall(t.await, t) == false and t:cancelled())
  -- The pool keeps its connections alive: their handlers would keep aiod serving.
  server:close(); server:close_clients()
end)
