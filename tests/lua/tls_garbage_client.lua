-- both
-- Clients that send garbage to a TLS server: each such connection fails without reaching the handler, and the next good client is served
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

-- Reads until the server ends the connection: by EOF, or by a reset when it
-- closed with garbage left unread (either is fine, an alert may come first).
local function ending(r)
  local ok, e = pcall(function()
    repeat local data = r:read(65536) until data == ""
  end)
  if ok or asyncio.ConnectionError:is(e) then return "ended" end
  return tostring(e)
end

asyncio.run(function()
  local served = 0
  local server = asyncio.start_server(function(r, w)
    served = served + 1
    w:write("served " .. r:readline())
  end, "127.0.0.1", 0, {ssl = server_ctx})
  local port = server.sockets[1].port

  local function good(n)
    local r, w = asyncio.open_connection("localhost", port, {ssl = client_ctx})
    w:write("client " .. n .. "\n")
    io.write(r:readline())
    w:close()
    w:wait_closed()
  end

  local garbage = {
    http = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    bytes = string.rep("\0\1\2\255", 4096),
    -- a TLS handshake record header that promises more than a record may hold
    record = "\22\3\1\255\255" .. string.rep("x", 100),
    -- a record of a type TLS does not have
    badtype = "\99\3\3\0\5hello",
  }
  for _, kind in ipairs({"http", "bytes", "record", "badtype"}) do
    local r, w = asyncio.open_connection("127.0.0.1", port)
    w:write(garbage[kind])
    print(kind .. ":", ending(r))
    w:close()
    good(kind)
  end

  -- many garbage clients at once, with good ones among them
  local tasks = {}
  for i = 1, 20 do
    tasks[#tasks + 1] = asyncio.create_task(function()
      local r, w = asyncio.open_connection("127.0.0.1", port)
      w:write(garbage.http)
      local how = ending(r)
      w:close()
      return how
    end)
  end
  local r, w = asyncio.open_connection("localhost", port, {ssl = client_ctx})
  w:write("among them\n")
  io.write(r:readline())
  w:close()
  local ended = 0
  for _, t in ipairs(tasks) do
    local how = t:await()
    if how == "ended" then ended = ended + 1 end
  end
  print("garbage clients ended:", ended)
  server:close()
  server:wait_closed()
  print("served:", served)
end)
