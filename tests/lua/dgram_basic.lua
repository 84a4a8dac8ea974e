-- both
-- open_datagram_endpoint: an echo over datagrams(), recvfrom's and recv's results, the empty
-- datagram, truncation at max_size, get_extra_info, sendto to a host name, EADDRINUSE,
-- IPv6, Unix datagrams, and closing: a waiting recv raises, the iterator ends
local asyncio = require "asyncio"

asyncio.run(function()
  local server <close> = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}, max_size = 8}
  local host, port = server:get_extra_info("sockname")
  print("sockname", host, math.type(port), port > 0, math.type(server:get_extra_info("fd")))
  local echo = asyncio.create_task(function()
    for data, h, p, cut in server:datagrams() do
      server:sendto(data:upper() .. (cut and "!" or ""), h, p)
    end
    return "iterator ended"
  end)

  local client <close> = asyncio.open_datagram_endpoint{remote_addr = {"127.0.0.1", port}}
  local ph, pp = client:get_extra_info("peername")
  print("peername", ph, pp == port)
  client:send("hello")
  print("recv", client:recv())
  client:sendto("")
  local data = client:recv()
  print("empty", data == "", #data)
  client:send("0123456789")	-- longer than the server's max_size: cut, and said so
  print("cut", client:recv())

  -- an unconnected endpoint: recvfrom gives the sender; sendto to localhost by name
  local other <close> = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}}
  other:sendto("abc", "localhost", port)
  local d, h, p = other:recvfrom()
  print("recvfrom", d, h, p == port)
  -- a recv cut: its second result
  local small <close> = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}, max_size = 3}
  other:sendto("abcdef", "127.0.0.1", select(2, small:get_extra_info("sockname")))
  print("recv cut", small:recv())
  other:sendto("abc", "127.0.0.1", select(2, small:get_extra_info("sockname")))
  print("recv exact", select("#", small:recv()))
  -- a host name goes to the resolver; one that does not exist is an OSError
  local ok, e = pcall(other.sendto, other, "x", "nonexistent.invalid", port)
  print("name", ok, asyncio.OSError:is(e))

  -- the same address twice: EADDRINUSE
  ok, e = pcall(asyncio.open_datagram_endpoint, {local_addr = {"127.0.0.1", port}})
  print("in use", ok, asyncio.OSError:is(e), e.errno == 98, (tostring(e):gsub(":%d+%)", ":PORT)")))

  -- IPv6
  local six <close> = asyncio.open_datagram_endpoint{local_addr = {"::1", 0}}
  local six_port = select(2, six:get_extra_info("sockname"))
  local six_client <close> = asyncio.open_datagram_endpoint{family = "inet6", remote_addr = {"::1", six_port}}
  six_client:send("v6")
  d, h = six:recvfrom()
  print("inet6", d, h)

  -- Unix datagrams: recvfrom gives the path, nil for a sender that is not bound
  local dir = os.tmpname()
  os.remove(dir)
  local path, cpath = dir .. ".s", dir .. ".c"
  local unix <close> = asyncio.open_datagram_endpoint{local_path = path}
  local unix_client <close> = asyncio.open_datagram_endpoint{local_path = cpath, remote_path = path}
  unix_client:send("over unix")
  d, h = unix:recvfrom()
  print("unix", d, h == cpath, select("#", unix:get_extra_info("sockname")))
  unix:sendto("back", h)
  print("unix back", unix_client:recv())
  local anonymous <close> = asyncio.open_datagram_endpoint{remote_path = path}
  anonymous:send("who")
  print("unix anonymous", unix:recvfrom())
  os.remove(path)
  os.remove(cpath)

  -- closing wakes a waiting recv, which raises; the iterator just ends
  local waiter = asyncio.create_task(function() return other:recv() end)
  asyncio.sleep(0)
  other:close()
  other:close()
  ok, e = pcall(waiter.await, waiter)
  print("closed recv", ok, tostring(e))
  print("closed send", pcall(other.sendto, other, "x", "127.0.0.1", port))
  print("closed info", other:get_extra_info("sockname"), other:get_extra_info("fd", -1), other:is_closing())
  server:close()
  print(echo:await())
  print(tostring(server):match("^DatagramEndpoint %(closed%)") ~= nil)
end)
