-- both
-- more faults: a body cut short, a reply that is no HTTP (HTTPError); a kept-alive connection the server closed (the next request makes a new one); TLS: expired, wrong host, self-signed (SSLCertVerificationError), a TLS server that never answers the handshake (TimeoutError), plain HTTP to a TLS server
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop
local stats, until_stats = T.stats, T.until_stats

local C = os.getenv("AIOD_TEST_CERTS") .. "/"
asyncio.run(function()
  local p, base = server()
  local ok, e = pcall(http.get, base .. "/cut")
  print("cut short", ok, asyncio.HTTPError:is(e), asyncio.TimeoutError:is(e))
  -- stream=true: the head is in, so the call returns; the cut shows when the body is read
  -- (five times: the head and the close come in the same turn of the loop or not)
  local heads, reads = 0, 0
  for _ = 1, 5 do
    local ok2, r = pcall(http.get, base .. "/cut", {stream = true})
    if ok2 and r.status == 200 then
      heads = heads + 1
      local ok3, e3 = pcall(r.read, r)
      if not ok3 and asyncio.HTTPError:is(e3) then reads = reads + 1 end
    end
  end
  print("cut short, stream: head returned, read failed", heads, reads)
  ok, e = pcall(http.get, base .. "/garbage")
  print("no HTTP", ok, asyncio.HTTPError:is(e))

  local s <close> = http.Session()
  local before = stats(base).total
  print("close after", s:get(base .. "/closeafter").body)
  -- the /closeafter connection, then a new one: a dead kept-alive connection is not reused
  print("next one", s:get(base .. "/echo").status, s:get(base .. "/echo").status, stats(base).total - before)

  -- a big upload (curl sends Expect: 100-continue) and a big download
  local up = string.rep("0123456789", 200000)
  print("upload", #s:post(base .. "/echo", {body = up}):json().body)
  print("download", #s:get(base .. "/big?n=5000000").body)

  -- https to a server that speaks plain HTTP: it waits for a request head that never comes
  local t0 = asyncio.get_running_loop():time()
  ok, e = pcall(http.get, base:gsub("^http:", "https:") .. "/", {timeout = 0.2, verify = false})
  print("handshake never answered", ok, asyncio.TimeoutError:is(e), asyncio.get_running_loop():time() - t0 < 1)
  stop(p)

  for _, name in ipairs{"expired", "wronghost", "selfsigned"} do
    p, base = server("--tls", C, "--cert", name)
    base = base:gsub("^http:", "https:")
    ok, e = pcall(http.get, base .. "/echo", {cafile = C .. "ca.pem"})
    print(name, ok, asyncio.SSLCertVerificationError:is(e))
    print(name .. ", verify=false", http.get(base .. "/echo", {verify = false}).status)
    -- plain HTTP to the TLS server
    ok, e = pcall(http.get, base:gsub("^https:", "http:") .. "/echo", {timeout = 2})
    print(name .. ", plain to TLS", ok, asyncio.OSError:is(e))
    stop(p)
  end
end)
