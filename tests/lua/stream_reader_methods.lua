-- both
-- StreamReader: read(n), read() to EOF, readline, readexactly, readuntil, lines, at_eof over a Unix socket
local asyncio = require "asyncio"
local path = os.tmpname()
os.remove(path)  -- a regular file there would be refused, as in Python

local function serve(reader, writer)
  writer:write("line one\nline two\nABCDEFGHIJ--sep--tail")
  writer:write_eof()
  print("server got", reader:read())
end

asyncio.run(function()
  local server = asyncio.start_unix_server(serve, path)
  local reader, writer = asyncio.open_unix_connection(path)
  writer:write("bye")
  writer:write_eof()
  print(("%q"):format(reader:readline()))
  print(("%q"):format(reader:read(4)))
  print(("%q"):format(reader:readuntil(" ")))
  print(("%q"):format(reader:readuntil("\n")))
  print(("%q"):format(reader:readexactly(10)))
  print(("%q"):format(reader:readuntil("--sep--")))
  print("at_eof before", reader:at_eof())
  print(("%q"):format(reader:read()))
  print("at_eof after", reader:at_eof())
  print(("%q"):format(reader:read()), ("%q"):format(reader:read(10)), ("%q"):format(reader:readline()))
  print(("%q"):format(reader:read(0)))
  writer:close()
  writer:wait_closed()
  server:close()
  server:wait_closed()
  os.remove(path)

  -- lines(): every line keeps its "\n"; the last one may lack it
  server = asyncio.start_unix_server(function(_, w) w:write("a\nbb\n\nccc") end, path)
  reader, writer = asyncio.open_unix_connection(path)
  for line in reader:lines() do io.write(("%q "):format(line)) end
  print()
  writer:close()
  server:close()
  server:wait_closed()
  os.remove(path)
end)
