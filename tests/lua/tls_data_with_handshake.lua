-- both
-- Data that arrives together with the end of the handshake (and its close_notify right behind it) reaches the server's handler: nothing is lost between the handshake and the first read
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

asyncio.run(function()
  local got = asyncio.Queue()
  local server = asyncio.start_server(function(r, w)
    local ok, data = pcall(r.read, r)
    got:put(ok and data or "error: " .. tostring(data))
  end, "127.0.0.1", 0, {ssl = server_ctx})
  local port = server.sockets[1].port
  -- the client's Finished, its data and its close_notify in one burst
  local r, w = asyncio.open_connection("localhost", port, {ssl = client_ctx})
  w:write("right behind the handshake")
  w:close()
  print("closed:", got:get())
  -- (Not tested: the same with abort(). The client then closes with the
  -- server's session tickets unread, the kernel answers with a reset, and
  -- the server's read fails, as in Python's asyncio.)
  -- many clients doing the first at once
  local tasks = {}
  for i = 1, 50 do
    tasks[i] = asyncio.create_task(function()
      local _, cw = asyncio.open_connection("localhost", port, {ssl = client_ctx})
      cw:write("client " .. i)
      cw:close()
      cw:wait_closed()
    end)
  end
  local seen = {}
  for _ = 1, 50 do seen[got:get()] = true end
  local all = true
  for i = 1, 50 do all = all and seen["client " .. i] == true end
  print("all 50 delivered:", all)
  for _, t in ipairs(tasks) do t:await() end
  server:close()
  server:wait_closed()
end)
