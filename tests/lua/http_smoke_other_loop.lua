-- lua-only
-- A Session's pool belongs to the loop it was first used on: another loop may not use it (aiod runs one loop)
local asyncio = require "asyncio"
local http = asyncio.http

local session = http.Session()
asyncio.run(function()
  local server = asyncio.start_server(function(r, w)
    r:readline()
    repeat local h = r:readline() until h == "\r\n" or h == ""
    w:write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    w:close()
  end, "127.0.0.1", 0)
  print("first loop:", session:get(("http://127.0.0.1:%d/"):format(server.sockets[1].port)).body)
  server:close()
end)
local loop2 = asyncio.new_event_loop()
local ok, e = pcall(loop2.run_until_complete, loop2, function() return session:get("http://127.0.0.1:9/") end)
print("other loop:", ok, (tostring(e):gsub("^[^:]*:%d+: ", "")))
-- the module's functions have a Session per loop
ok, e = pcall(loop2.run_until_complete, loop2, function() return http.get("http://127.0.0.1:9/") end)
print("module function:", ok, e.name)
session:close()
loop2:close()
