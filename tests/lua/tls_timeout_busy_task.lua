-- both
-- The TLS timeouts count from the call, even when the loop's turn has been long (a busy task ran first): ssl_handshake_timeout and ssl_shutdown_timeout never fire early
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")

-- 40 ms of work without suspending
local function busy()
  local t = os.clock()
  while os.clock() - t < 0.04 do end
end

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  local silent = asyncio.start_server(function(r) r:read() end, "127.0.0.1", 0)
  local port = silent.sockets[1].port
  local tasks = {}
  -- the busy task runs first in the same turn as the connecting one
  asyncio.sleep(0)
  tasks[1] = asyncio.create_task(busy)
  tasks[2] = asyncio.create_task(function()
    local t0 = loop:time()
    local ok, e = pcall(asyncio.open_connection, "127.0.0.1", port,
      {ssl = client_ctx, server_hostname = "localhost", ssl_handshake_timeout = 0.05})
    return e.name, loop:time() - t0
  end)
  local name, took = tasks[2]:await()
  print("handshake:", name, took >= 0.045, took < 1)
  silent:close()

  -- close: a peer that holds its close_notify (a handler that never reads)
  local hold = asyncio.Event()
  local server = asyncio.start_server(function() hold:wait() end, "127.0.0.1", 0, {ssl = server_ctx})
  local r, w = asyncio.open_connection("localhost", server.sockets[1].port,
    {ssl = client_ctx, ssl_shutdown_timeout = 0.05})
  asyncio.sleep(0.01)
  busy()
  local t0 = loop:time()
  w:close()
  w:wait_closed()
  took = loop:time() - t0
  print("shutdown:", took >= 0.045, took < 1)
  hold:set()
  server:close()
end)
