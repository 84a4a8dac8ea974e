-- both
-- ICMP errors: a connected endpoint hears "port unreachable" as ConnectionRefusedError from
-- its next recv (or send), and stays open; an unconnected one hears nothing (Linux tells it
-- only with IP_RECVERR, which aiod leaves off, as Python does), so its recv just waits
local asyncio = require "asyncio"

asyncio.run(function()
  -- a port nobody listens on: bound, then closed
  local gone = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}}
  local port = select(2, gone:get_extra_info("sockname"))
  gone:close()

  local connected <close> = asyncio.open_datagram_endpoint{remote_addr = {"127.0.0.1", port}}
  connected:send("anyone?")
  local ok, e = pcall(connected.recv, connected)
  print("connected recv", ok, asyncio.ConnectionRefusedError:is(e), e.errno == 111)
  print("still open", not connected:is_closing(), select(2, connected:get_extra_info("peername")) == port)
  -- reported once: the next send goes out, and the refusal comes with the send after it
  connected:send("again")
  asyncio.sleep(0.01)
  ok, e = pcall(connected.send, connected, "and again")
  print("connected send", ok, asyncio.ConnectionRefusedError:is(e))

  local unconnected <close> = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}}
  unconnected:sendto("anyone?", "127.0.0.1", port)
  ok, e = pcall(asyncio.wait_for, function() return unconnected:recvfrom() end, 0.05)
  print("unconnected", ok, asyncio.TimeoutError:is(e))
  print("unconnected send", pcall(unconnected.sendto, unconnected, "x", "127.0.0.1", port))
end)
