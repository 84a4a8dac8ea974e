-- both
-- Cancellation: a recvfrom or recv cancelled while it waits, or woken for a datagram and
-- cancelled before it ran, loses no datagram; a sendto blocked on a full buffer sends
-- nothing once cancelled, and one that waits sends once there is room; an open cancelled
-- while its host name is looked up
local asyncio = require "asyncio"

asyncio.run(function()
  local server <close> = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}}
  local port = select(2, server:get_extra_info("sockname"))
  local client <close> = asyncio.open_datagram_endpoint{remote_addr = {"127.0.0.1", port}}

  -- cancelled while it waits
  local t = asyncio.create_task(function() return server:recvfrom() end)
  asyncio.sleep(0)
  t:cancel()
  print("recvfrom cancelled", pcall(t.await, t) == false, t:cancelled())
  client:send("one")
  print("then", (server:recvfrom()))

  -- woken for a datagram, cancelled before it ran: the datagram is still there
  t = asyncio.create_task(function() return server:recv() end)
  asyncio.sleep(0)
  client:send("two")
  asyncio.sleep(0)	-- the next poll wakes t, queued behind this task
  t:cancel()
  print("woken, cancelled", server:recv(), pcall(t.await, t) == false, t:cancelled())
  -- two readers: the first cancelled, the second gets the datagram
  local a = asyncio.create_task(function() return server:recv() end)
  local b = asyncio.create_task(function() return server:recv() end)
  asyncio.sleep(0)
  a:cancel()
  client:send("three")
  print("second reader", b:await(), a:cancelled())

  -- a Unix datagram socket's sender waits while the receiver's queue is full
  local path = os.tmpname()
  os.remove(path)
  local receiver <close> = asyncio.open_datagram_endpoint{local_path = path}
  local sender <close> = asyncio.open_datagram_endpoint{remote_path = path}
  local sent = 0
  local filler = asyncio.create_task(function()
    for i = 1, 100000 do
      sender:send("m" .. i)
      sent = i
    end
  end)
  for _ = 1, 5 do asyncio.sleep(0) end
  print("blocked", not filler:done(), sent > 0)
  filler:cancel()
  print("send cancelled", pcall(filler.await, filler) == false, filler:cancelled())
  local got = 0
  while true do
    local ok = pcall(asyncio.wait_for, function() return receiver:recv() end, 0.02)
    if not ok then break end
    got = got + 1
  end
  print("received what was sent", got == sent)
  -- one waiting for room sends once the receiver reads
  for i = 1, sent do sender:send("again" .. i) end
  local last = asyncio.create_task(function() sender:send("last") return "sent" end)
  asyncio.sleep(0)
  print("waits", not last:done())
  receiver:recv()
  print("then", last:await())
  os.remove(path)

  -- cancelled while the name is looked up
  t = asyncio.create_task(function()
    return asyncio.open_datagram_endpoint{remote_addr = {"nonexistent.invalid", 9}}
  end)
  asyncio.sleep(0)
  t:cancel()
  print("open cancelled", pcall(t.await, t) == false, t:cancelled())
end)
