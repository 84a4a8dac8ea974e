-- both
-- HTTP/2 over TLS where ALPN agrees (a node http2 server): default and "2" give HTTP/2, "1.1" HTTP/1.1; concurrent requests on one Session
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop

local C = os.getenv("AIOD_TEST_CERTS") .. "/"
local js = [[
const http2 = require('http2'), fs = require('fs'), d = process.argv[1];
let sessions = 0;
const s = http2.createSecureServer({key: fs.readFileSync(d + '/server.key'), cert: fs.readFileSync(d + '/server.pem'),
  allowHTTP1: true}, (req, res) => {
  if (req.url === '/sessions') { res.end(String(sessions)); return; }
  res.setHeader('X-Proto', req.httpVersion);
  res.end('v' + req.httpVersion);
});
s.on('session', () => { sessions++; });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
]]
asyncio.run(function()
  local p = asyncio.create_subprocess_exec("node", "-e", js, C, {stdin = asyncio.PIPE, stdout = asyncio.PIPE})
  local base = "https://127.0.0.1:" .. p.stdout:readline():match("%d+")
  local tls = {cafile = C .. "ca.pem"}
  local r = http.get(base .. "/", tls)
  print("default", r.status, r.http_version, r.body, r.headers["x-proto"])
  local odd = 0  -- no pseudo-header (":status") nor status line among the fields
  for k in pairs(r.headers) do if k:find("^:") or k:find("[%s/]") then odd = odd + 1 end end
  print("fields", odd, r.headers["content-length"] == nil or r.headers["content-length"] == "4")
  r = http.get(base .. "/", {cafile = C .. "ca.pem", http_version = "2"})
  print("2", r.status, r.http_version, r.body)
  r = http.get(base .. "/", {cafile = C .. "ca.pem", http_version = "1.1"})
  print("1.1", r.status, r.http_version, r.body, r.headers["x-proto"])
  local s <close> = http.Session(tls)
  local tasks = {}
  for i = 1, 30 do tasks[i] = asyncio.create_task(function() return s:get(base .. "/").http_version end) end
  local all = asyncio.gather(table.unpack(tasks))
  local n = 0
  for _, v in ipairs(all) do if v == "2" then n = n + 1 end end
  print("30 on a Session", n)
  p.stdin:close()
  p:wait()
end)
