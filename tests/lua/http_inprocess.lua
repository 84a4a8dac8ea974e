-- both
-- client and server in one loop (asyncio.start_server speaking HTTP/1.1): the loop is never blocked; 50 requests at once on a Session of 3 per host; streaming is real: a chunk reaches r:chunks() / r:read() before the server writes the next
local asyncio = require "asyncio"
local http = asyncio.http

asyncio.run(function()
  local conns, open, max_open = 0, 0, 0
  local step = {}  -- step[i]: a Future the streaming route waits for before chunk i
  local server = asyncio.start_server(function(r, w)
    conns, open = conns + 1, open + 1
    max_open = math.max(max_open, open)
    while true do
      local line = r:readline()
      if line == "" then break end
      local path = line:match("^%u+ (%S+)")
      repeat line = r:readline() until line == "\r\n" or line == ""
      if path == "/stream" then
        w:write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for i = 1, 3 do
          step[i]:await()
          local piece = ("piece %d\n"):format(i)
          w:write(("%x\r\n%s\r\n"):format(#piece, piece))
          w:drain()
        end
        w:write("0\r\n\r\n")
      else
        asyncio.sleep(0.002)
        w:write("HTTP/1.1 200 OK\r\nContent-Length: " .. #path .. "\r\n\r\n" .. path)
      end
      w:drain()
    end
    open = open - 1
    w:close()
  end, "127.0.0.1", 0)
  local base = "http://127.0.0.1:" .. server.sockets[1].port

  local s <close> = http.Session{max_connections_per_host = 3}
  local tasks = {}
  for i = 1, 50 do tasks[i] = asyncio.create_task(function() return s:get(base .. "/n" .. i).body end) end
  local bodies = asyncio.gather(table.unpack(tasks))
  local right = 0
  for i, b in ipairs(bodies) do if b == "/n" .. i then right = right + 1 end end
  print("50 requests", right, max_open <= 3, conns <= 3)

  for i = 1, 3 do step[i] = asyncio.Future() end
  step[1]:set_result(true)
  local r = s:get(base .. "/stream", {stream = true})
  local got = {}
  for chunk in r:chunks() do
    got[#got + 1] = chunk
    -- the server writes the next piece only now: chunks() gave this one as it came
    local n = tonumber(table.concat(got):match("(%d)\n$"))
    if n and n < 3 and not step[n + 1]:done() then step[n + 1]:set_result(true) end
  end
  print("stream", (table.concat(got):gsub("\n", "|")))

  for i = 1, 3 do step[i] = asyncio.Future() end
  step[1]:set_result(true)
  r = s:get(base .. "/stream", {stream = true})
  local first = r:read(100)
  step[2]:set_result(true)
  local second = r:read(100)
  step[3]:set_result(true)
  print("read", first, second, r:read())
  s:close()
  server:close()
  server:wait_closed()
end)
