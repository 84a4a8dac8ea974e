-- both
-- 1,000 TLS clients at once against one server, each with its own request and answer
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

local N = 1000
asyncio.run(function()
  local handlers = 0
  local server = asyncio.start_server(function(r, w)
    handlers = handlers + 1
    local line = r:readline()
    w:write("re: " .. line)
  end, "127.0.0.1", 0, {ssl = server_ctx, backlog = N})  -- a full backlog drops SYNs: 1 s retries
  local port = server.sockets[1].port

  local clients = {}
  for i = 1, N do
    clients[i] = function()
      local r, w = asyncio.open_connection("127.0.0.1", port, {ssl = client_ctx})
      w:write("client " .. i .. "\n")
      local answer = r:readline()
      w:close()
      w:wait_closed()
      return answer == "re: client " .. i .. "\n"
    end
  end
  local results = asyncio.gather(table.unpack(clients))
  local good = 0
  for i = 1, N do if results[i] then good = good + 1 end end
  print("answered right:", good)
  server:close()
  server:wait_closed()
  print("handlers run:", handlers)
end)
