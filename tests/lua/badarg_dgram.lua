-- both
-- Every datagram function and method checks its arguments in luaL_argerror's words
local asyncio = require "asyncio"

local function try(f, ...)
  local ok, e = pcall(f, ...)
  print(ok and "ok" or tostring(e):gsub("^[^:]*:%d+: ", ""))
end

asyncio.run(function()
  local open = asyncio.open_datagram_endpoint
  try(function() return open() end)
  try(function() return open("127.0.0.1") end)
  try(function() return open(setmetatable({}, {})) end)
  try(function() return open{local_addr = "127.0.0.1"} end)
  try(function() return open{local_addr = {1, 2}} end)
  try(function() return open{local_addr = {"127.0.0.1"}} end)
  try(function() return open{local_addr = {"127.0.0.1", 70000}} end)
  try(function() return open{remote_addr = {"127.0.0.1", 1.5}} end)
  try(function() return open{family = "unix"} end)
  try(function() return open{family = 4} end)
  try(function() return open{max_size = 0} end)
  try(function() return open{max_size = "big"} end)
  try(function() return open{reuse_port = 1} end)
  try(function() return open{allow_broadcast = "yes"} end)
  try(function() return open{local_path = 5} end)
  try(function() return open{local_path = ("x"):rep(200)} end)
  try(function() return open{remote_path = "a\0b"} end)
  try(function() return open{local_path = "/tmp/x", local_addr = {"127.0.0.1", 0}} end)

  local ep <close> = open{local_addr = {"127.0.0.1", 0}}
  local unix_path = os.tmpname()
  os.remove(unix_path)
  local unix <close> = open{local_path = unix_path}
  try(function() return ep:sendto() end)
  try(function() return ep:sendto(42, "127.0.0.1", 9) end)
  try(function() return ep:sendto("x", 127, 9) end)
  try(function() return ep:sendto("x", "127.0.0.1") end)
  try(function() return ep:sendto("x", "127.0.0.1", 0) end)
  try(function() return ep:sendto("x", "127.0.0.1", 65536) end)
  try(function() return ep:sendto("x", "127.0.0.1", "nine") end)
  try(function() return ep:sendto("x", "a\0b", 9) end)
  try(function() return unix:sendto("x", {}) end)
  try(function() return unix:sendto("x", ("x"):rep(200)) end)
  try(function() return ep:send() end)
  try(function() return ep:send({}) end)
  try(function() return ep:get_extra_info() end)
  try(function() return ep:get_extra_info({}) end)
  try(function() return ep.recvfrom({}) end)
  try(function() return ep.recv(42) end)
  try(function() return ep.datagrams() end)
  try(function() return ep.close("x") end)
  try(function() return ep.is_closing(nil) end)
  try(function() return getmetatable(ep).__close({}) end)
  try(function() return getmetatable(ep).__tostring({}) end)
  -- sent to nobody: no destination on an unconnected endpoint
  try(function() return ep:send("x") end)
  try(function() return unix:sendto("x", 5) end)
  -- the endpoint's descriptor is aiod's: add_reader and wait_readable refuse it
  local fd = ep:get_extra_info("fd")
  local said = {}
  for _, f in ipairs{function() asyncio.get_running_loop():add_reader(fd, print) end,
                     function() asyncio.wait_readable(fd, 0) end} do
    local ok, e = pcall(f)
    said[#said + 1] = ok and "ok" or tostring(e):gsub("^[^:]*:%d+: ", ""):gsub(tostring(fd), "FD")
  end
  print(said[1])
  print(said[2])
  -- waiting outside a task: a loop callback is not one
  local done = asyncio.Event()
  asyncio.get_running_loop():call_soon(function()
    try(ep.recv, ep)
    try(ep.recvfrom, ep)
    done:set()
  end)
  done:wait()
  os.remove(unix_path)
end)
