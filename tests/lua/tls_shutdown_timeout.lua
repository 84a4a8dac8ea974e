-- both
-- close() sends close_notify: a live peer sees end of file and answers at once; a peer that never answers costs ssl_shutdown_timeout, on the client and on the server, never a hang
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

-- A TCP relay in front of port; once frozen it drops what it reads, both
-- ways, and keeps both connections open: the peer that never answers.
-- upstream_eof resolves with the time the server's side ended.
local function relay(port)
  local p = {frozen = false, upstream_eof = asyncio.Future()}
  local loop = asyncio.get_running_loop()
  local function pump(from, to)
    while true do
      local data = from:read(65536)
      if data == "" then return end
      if not p.frozen then to:write(data) end
    end
  end
  p.server = asyncio.start_server(function(cr, cw)
    local ur, uw = asyncio.open_connection("127.0.0.1", port)
    local down = asyncio.create_task(function()
      pcall(pump, ur, cw)
      p.upstream_eof:set_result(loop:time())
    end)
    pcall(pump, cr, uw)
    down:await()
    uw:close()
  end, "127.0.0.1", 0)
  p.port = p.server.sockets[1].port
  return p
end

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  local release = asyncio.Event()
  local server_saw = asyncio.Future()
  local server = asyncio.start_server(function(r, w)
    w:write("echo " .. r:readline())
    if r:readline() == "wait\n" then
      release:wait()
      return
    end
    local rest = r:read()
    server_saw:set_result(rest == "" and r:at_eof())
  end, "127.0.0.1", 0, {ssl = server_ctx, ssl_shutdown_timeout = 0.05})
  local port = server.sockets[1].port

  -- a live peer: it sees EOF, answers, and close is quick
  local r, w = asyncio.open_connection("localhost", port, {ssl = client_ctx, ssl_shutdown_timeout = 5})
  w:write("one\nbye\n")
  io.write(r:readline())
  local t0 = loop:time()
  w:close()
  w:wait_closed()
  print("closed at once:", loop:time() - t0 < 1)
  print("the server read end of file:", server_saw:await())

  -- the client's close_notify is never answered
  local p = relay(port)
  r, w = asyncio.open_connection("127.0.0.1", p.port,
    {ssl = client_ctx, server_hostname = "localhost", ssl_shutdown_timeout = 0.05})
  w:write("two\nwait\n")
  io.write(r:readline())
  p.frozen = true
  t0 = loop:time()
  w:close()
  print("is_closing:", w:is_closing())
  w:wait_closed()
  local took = loop:time() - t0
  print("client closed after its timeout:", took >= 0.04, took < 1)

  -- the server's close_notify is never answered either
  t0 = loop:time()
  release:set()
  took = p.upstream_eof:await() - t0
  print("server closed after its timeout:", took >= 0.04, took < 1)
  p.server:close()
  server:close()
  server:wait_closed()
end)
