-- both
-- Listening on IPv6, on all interfaces (host nil), on localhost (every address it has, one port), with reuse_port; a stale Unix socket is replaced
local asyncio = require "asyncio"

local function echo(r, w) w:write(r:readline()) end

local function roundtrip(host, port, text)
  local r, w = asyncio.open_connection(host, port)
  w:write(text .. "\n")
  local line = r:readline()
  local peer = w:get_extra_info("peername")
  w:close()
  return line:sub(1, -2), peer
end

asyncio.run(function()
  local s6 = asyncio.start_server(echo, "::1", 0)
  print("v6 socket:", s6.sockets[1].host, #s6.sockets)
  print(roundtrip("::1", s6.sockets[1].port, "over IPv6"))
  s6:close()

  -- host nil: one dual-stack socket takes IPv4 and IPv6
  local any = asyncio.start_server(echo, nil, 0)
  local port = any.sockets[1].port
  print("all interfaces:", #any.sockets, any.sockets[1].host)
  print(roundtrip("127.0.0.1", port, "v4 to any"))
  print(roundtrip("::1", port, "v6 to any"))
  any:close()

  -- localhost: a socket per address, all on the port the first one got
  local lh = asyncio.start_server(echo, "localhost", 0)
  print("localhost sockets:", #lh.sockets, lh.sockets[1].port == lh.sockets[#lh.sockets].port)
  print(roundtrip("localhost", lh.sockets[1].port, "to localhost"))
  lh:close()

  -- reuse_port: two servers on one port
  local a = asyncio.start_server(echo, "127.0.0.1", 0, {reuse_port = true})
  local b = asyncio.start_server(echo, "127.0.0.1", a.sockets[1].port, {reuse_port = true})
  print("reuse_port:", a.sockets[1].port == b.sockets[1].port)
  local ok, e = pcall(asyncio.start_server, echo, "127.0.0.1", a.sockets[1].port)
  print("same port without it:", ok, e.name, e.errno)
  a:close(); b:close()

  -- Unix: a socket file left by a dead server is replaced
  local path = os.tmpname()
  os.remove(path)
  local u1 = asyncio.start_unix_server(echo, path)
  print("unix sockets:", u1.sockets[1].path == path)
  u1:close()  -- leaves the file, like a server that died
  local u2 = asyncio.start_unix_server(echo, path)
  local r, w = asyncio.open_unix_connection(path)
  w:write("over unix\n")
  print(r:readline():sub(1, -2), w:get_extra_info("sockname") == "")
  w:close()
  u2:close()
  os.remove(path)
end)
