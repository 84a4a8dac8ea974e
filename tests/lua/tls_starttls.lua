-- both
-- STARTTLS: a plaintext line exchange, then both sides start_tls on the same reader and writer; a ClientHello read ahead with the command goes into the handshake, never to reader:read as plaintext
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

asyncio.run(function()
  -- What the server saw, printed after each round (its order against the
  -- client's is the scheduler's business).
  local log = {}
  local done
  -- The server answers "220 go ahead" before its start_tls, unless the client
  -- pipelines: then the ClientHello comes right behind the command, and the
  -- server waits so that both are in the reader's buffer when it reads the line.
  local server = asyncio.start_server(function(r, w)
    w:write("220 hello\n")
    local cmd = r:readline()
    if cmd == "STARTTLS\n" then
      w:write("220 go ahead\n")
      w:drain()
    else
      asyncio.sleep(0.02)
    end
    log[#log + 1] = "server got: " .. cmd:gsub("\n", "") .. " " .. tostring(w:get_extra_info("tls_version"))
    w:start_tls(server_ctx)
    log[#log + 1] = "server: " .. w:get_extra_info("tls_version") .. " " ..
      tostring(w:get_extra_info("sslcontext") == server_ctx)
    log[#log + 1] = "server read over TLS: " .. r:readline():gsub("\n", "")
    w:write("secret reply\n")
    for l in r:lines() do log[#log + 1] = "server line: " .. l:gsub("\n", "") end
    done:set_result(true)
  end, "127.0.0.1", 0)
  local port = server.sockets[1].port

  for _, pipelined in ipairs({false, true}) do
    done = asyncio.Future()
    local r, w = asyncio.open_connection("127.0.0.1", port)
    io.write("client got: ", r:readline())
    if pipelined then
      w:write("STARTTLS-PIPELINED\n")
    else
      w:write("STARTTLS\n")
      io.write("client got: ", r:readline())
    end
    print("client before:", w:get_extra_info("tls_version"), w:get_extra_info("peercert"),
      w:can_write_eof())
    w:start_tls(client_ctx, {server_hostname = "localhost"})
    print("client:", w:get_extra_info("tls_version"), w:get_extra_info("server_hostname"),
      w:get_extra_info("sslcontext") == client_ctx, w:get_extra_info("peercert").serialNumber ~= nil,
      w:can_write_eof())
    w:write("first over TLS\n")
    io.write("client got: ", r:readline())
    w:writelines({"a\n", "b\n"})
    w:close()
    w:wait_closed()
    done:await()
    for _, l in ipairs(log) do print(l) end
    log = {}
  end
  server:close()
  server:wait_closed()
end)
