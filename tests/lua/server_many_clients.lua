-- 1,000 clients at once against one server, each with its own request and answer
local asyncio = require "asyncio"

local N = 1000
local server = asyncio.start_server(function(r, w)
  local line = r:readline()
  w:write("re: " .. line)
end, "127.0.0.1", 0, {backlog = N})  -- a full backlog drops SYNs: 1 s retries
local port = server.sockets[1].port

local clients = {}
for i = 1, N do
  clients[i] = function()
    local r, w = asyncio.open_connection("127.0.0.1", port)
    w:write("client " .. i .. "\n")
    local answer = r:readline()
    w:close()
    return answer == "re: client " .. i .. "\n"
  end
end
local results = asyncio.gather(table.unpack(clients))
local good = 0
for i = 1, N do if results[i] then good = good + 1 end end
print("answered right:", good)
server:close()
server:wait_closed()
print("all handlers done")
