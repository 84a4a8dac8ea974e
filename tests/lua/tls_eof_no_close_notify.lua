-- both
-- A TCP end of file without close_notify ends a TLS stream as end of file (as uvloop does), not as an error: on the client and on the server, for read, readline and readexactly
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

-- A TCP relay in front of port. conn.cut_client() / conn.cut_server() end
-- one side with a plain TCP FIN, so no close_notify goes that way.
local function relay(port)
  local conns = asyncio.Queue()
  local server = asyncio.start_server(function(cr, cw)
    local ur, uw = asyncio.open_connection("127.0.0.1", port)
    local cut = false
    local function pump(from, to)
      while true do
        local data = from:read(65536)
        if data == "" or cut then return end
        to:write(data)
      end
    end
    local finished = asyncio.Event()
    conns:put({
      cut_client = function() cut = true cw:write_eof() end,
      cut_server = function() cut = true uw:write_eof() end,
      finished = finished,
    })
    local down = asyncio.create_task(pcall, pump, ur, cw)
    pcall(pump, cr, uw)
    down:await()
    finished:wait()
    uw:close()
  end, "127.0.0.1", 0)
  return server, conns
end

asyncio.run(function()
  local server_read = asyncio.Queue()
  local finish = asyncio.Event()
  local server = asyncio.start_server(function(r, w)
    w:write("hello\npartial")
    w:drain()
    local ok, a = pcall(r.readline, r)
    local ok2, b = pcall(r.read, r)
    server_read:put({ok, a, ok2, b, r:at_eof()})
    finish:wait()
  end, "127.0.0.1", 0, {ssl = server_ctx, ssl_shutdown_timeout = 0.1})
  local rs, conns = relay(server.sockets[1].port)
  local port = rs.sockets[1].port
  local function connect()
    local r, w = asyncio.open_connection("127.0.0.1", port, {ssl = client_ctx, server_hostname = "localhost"})
    return r, w, conns:get()
  end

  -- the client's side ends without close_notify
  local r, w, conn = connect()
  io.write("client: ", r:readline())
  asyncio.sleep(0.01)   -- "partial" has arrived
  conn.cut_client()
  print("client readline:", pcall(r.readline, r))
  print("client read:", pcall(r.read, r))
  print("client at_eof:", r:at_eof())
  w:close()
  w:wait_closed()
  conn.finished:set()

  r, w, conn = connect()
  r:readline()
  conn.cut_client()
  local ok, e = pcall(r.readexactly, r, 100)
  print("client readexactly:", ok, e.name, e.partial, e.expected)
  w:abort()
  conn.finished:set()

  -- the server's side ends without close_notify
  r, w, conn = connect()
  r:readline()
  w:write("line\nrest")
  w:drain()
  asyncio.sleep(0.01)
  conn.cut_server()
  print("server got:", table.unpack(server_read:get()))
  w:abort()
  conn.finished:set()
  -- the handlers of the first two never got a line: they end now
  finish:set()
  rs:close()
  server:close()
  server:close_clients()
end)
