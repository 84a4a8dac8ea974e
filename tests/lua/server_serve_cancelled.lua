-- The task serving a connection is its own coroutine body (l_net.c's serve): cancelled during
-- a TLS handshake, the CancelledError leaves that body itself; the task ends cancelled, the
-- connection is closed and nothing is reported.
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx:load_cert_chain(C .. "server.pem", C .. "server.key")

local server = asyncio.start_server(function() print("no handler runs") end, "127.0.0.1", 0, {ssl = ctx})
local r, w = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
asyncio.sleep(0.05)  -- accepted: its task waits for a ClientHello
local me, serving = asyncio.current_task(), {}
for _, t in ipairs(asyncio.all_tasks()) do
  if t ~= me then serving[#serving + 1] = t end
end
print("serving tasks:", #serving)
serving[1]:cancel("stop")
local ok, err = pcall(asyncio.await, serving[1])
print("cancelled:", serving[1]:cancelled(), ok, asyncio.CancelledError:is(err), err.message)
print("the client reads the end:", r:read(10) == "")
w:close()
server:close()
server:wait_closed()
