-- both
-- add_signal_handler(sig, fn, ...) with 10,000 arguments: the handler gets them all when the signal comes
local asyncio = require "asyncio"

local pid = io.open("/proc/self/stat"):read("n")
asyncio.run(function()
  local loop = asyncio.get_running_loop()
  local got = loop:create_future()
  local args = {}
  for i = 1, 10000 do args[i] = i end
  loop:add_signal_handler("USR2", function(...)
    got:set_result(select("#", ...), (select(10000, ...)))
  end, table.unpack(args))
  os.execute("kill -USR2 " .. pid)
  print(got:await())
  loop:remove_signal_handler("USR2")
end)
