-- both
-- writer:abort() on plaintext and TLS streams closes at once, dropping what is buffered: the peer sees the end soon, wait_closed returns, later writes fail, a second abort or close does nothing
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

local TOTAL = 16 * 1024 * 1024

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  for _, kind in ipairs({"plain", "tls"}) do
    local received = asyncio.Future()
    local go = asyncio.Event()
    -- the server reads slowly at first, so the client's output piles up
    local server = asyncio.start_server(function(r, w)
      go:wait()
      local n, how = 0, "end of file"
      while true do
        local ok, data = pcall(r.read, r, 65536)
        if not ok then how = asyncio.ConnectionError:is(data) and "end of file" or tostring(data) break end
        if data == "" then break end
        n = n + #data
      end
      received:set_result({n, how})
    end, "127.0.0.1", 0, kind == "tls" and {ssl = server_ctx} or nil)
    local opts = kind == "tls" and {ssl = client_ctx, server_hostname = "localhost"} or nil
    local r, w = asyncio.open_connection("127.0.0.1", server.sockets[1].port, opts)
    local piece = string.rep("a", 1024 * 1024)
    for _ = 1, TOTAL // #piece do w:write(piece) end
    local t0 = loop:time()
    w:abort()
    print(kind, "is_closing", w:is_closing())
    go:set()
    w:wait_closed()
    local got = received:await()
    print(kind, "peer got less than was written:", got[1] < TOTAL, got[2], loop:time() - t0 < 1)
    local ok, e = pcall(w.write, w, "more")
    print(kind, "write after abort:", ok, asyncio.ConnectionError:is(e))
    print(kind, "abort again:", pcall(w.abort, w))
    print(kind, "close after abort:", pcall(w.close, w))
    print(kind, "read after abort:", pcall(r.read, r))
    server:close()
    server:wait_closed()
  end

  -- abort while the TLS server's handshake has not begun: the server drops it
  local served = 0
  local server = asyncio.start_server(function(r, w) served = served + 1 end,
    "127.0.0.1", 0, {ssl = server_ctx})
  local r, w = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
  w:abort()
  w:wait_closed()
  r, w = asyncio.open_connection("localhost", server.sockets[1].port, {ssl = client_ctx})
  print("next client served:", r:read() == "")
  w:close()
  server:close()
  server:wait_closed()
  print("served:", served)
end)
