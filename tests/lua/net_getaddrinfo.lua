-- both
-- loop:getaddrinfo: addresses as {family, address, port}; options; gaierror as OSError; bad
-- arguments; a lookup cancelled while it waits on the resolver pool.
local asyncio = require "asyncio"

local function show(list)
  local out = {}
  for i, a in ipairs(list) do out[i] = a.family .. " " .. a.address .. " " .. a.port end
  return table.concat(out, ", ")
end

local function try(f)
  local ok, e = pcall(f)
  print(ok and "ok" or (tostring(e):gsub("^[^:]*:%d+: ", "")))
end

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  print(show(loop:getaddrinfo("127.0.0.1", 80)))
  print(show(loop:getaddrinfo("::1", "8080")))
  print(show(loop:getaddrinfo("localhost", 443, {family = "inet"})))
  print(show(loop:getaddrinfo("localhost", "http", {family = "inet"})))
  print(show(loop:getaddrinfo("localhost", 53, {family = "inet6", type = "dgram"})))
  print(show(loop:getaddrinfo(nil, 53, {family = "inet"})))
  print(show(loop:getaddrinfo(nil, 53, {family = "inet", passive = true})))

  -- a name that does not exist (.invalid is never delegated, RFC 6761)
  local ok, e = pcall(loop.getaddrinfo, loop, "nonexistent.invalid", 80)
  print(ok, asyncio.OSError:is(e), e.errno < 0, type(e.strerror))
  print((tostring(e):gsub("%[Errno %-?%d+%] [^(]*", "[Errno N] ...")))
  ok, e = pcall(loop.getaddrinfo, loop, "127.0.0.1", "no-such-service")
  print(ok, asyncio.OSError:is(e))

  try(function() return loop:getaddrinfo("a\0b", 80) end)
  try(function() return loop:getaddrinfo("localhost", "ht\0tp") end)
  try(function() return loop:getaddrinfo("localhost", {}) end)
  try(function() return loop:getaddrinfo("localhost", 70000) end)
  try(function() return loop:getaddrinfo("localhost", 80, 5) end)
  try(function() return loop:getaddrinfo("localhost", 80, {family = "unix"}) end)
  try(function() return loop:getaddrinfo("localhost", 80, {type = 1}) end)
  try(function() return loop.getaddrinfo({}, "localhost", 80) end)

  -- cancelled while the pool looks the name up: CancelledError, and the lookup's answer is dropped
  local t = asyncio.create_task(function() return loop:getaddrinfo("nonexistent.invalid", 80) end)
  asyncio.sleep(0)
  t:cancel()
  ok, e = pcall(t.await, t)
  print("cancelled", ok, asyncio.CancelledError:is(e), t:cancelled())
  -- and the pool still answers afterwards
  print("after", pcall(loop.getaddrinfo, loop, "nonexistent.invalid", 80) == false)
end)
