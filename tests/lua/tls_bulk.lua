-- both
-- 4 MiB each way at once over TLS with drain on both sides, under TLS 1.3 and 1.2, with a small reader limit too: every byte arrives, in order
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local SIZE = 4 * 1024 * 1024
-- 4 MiB with no short period: a lost or repeated record shows
local block = {}
for i = 1, 4096 do block[i] = string.char((i * 7 + i // 256) % 256) end
block = table.concat(block)
local chunks = {}
for i = 1, SIZE // #block do chunks[i] = string.format("%08d", i) .. block:sub(9) end
local payload = table.concat(chunks)
assert(#payload == SIZE)

local function send(w, data, piece)
  for i = 1, #data, piece do
    w:write(data:sub(i, i + piece - 1))
    w:drain()
  end
end

local function receive(r, n)
  local parts, got = {}, 0
  while got < n do
    local d = r:read(65536)
    if d == "" then break end
    parts[#parts + 1] = d
    got = got + #d
  end
  return table.concat(parts)
end

asyncio.run(function()
  for _, version in ipairs({"TLSv1.3", "TLSv1.2"}) do
    for _, limit in ipairs({65536, 1024}) do
      local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
      server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
      server_ctx.maximum_version = version
      local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
      local server_got = asyncio.Future()
      local server = asyncio.start_server(function(r, w)
        local sender = asyncio.create_task(send, w, payload, 100000)
        server_got:set_result(receive(r, SIZE))
        sender:await()
      end, "127.0.0.1", 0, {ssl = server_ctx, limit = limit})
      local r, w = asyncio.open_connection("localhost", server.sockets[1].port,
        {ssl = client_ctx, limit = limit})
      local sender = asyncio.create_task(send, w, payload, 65536 + 17)
      local got = receive(r, SIZE)
      sender:await()
      local sgot = server_got:await()
      print(version, limit, w:get_extra_info("tls_version"), #got, got == payload, #sgot, sgot == payload)
      w:close()
      w:wait_closed()
      server:close()
      server:wait_closed()
    end
  end
end)
