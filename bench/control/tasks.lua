-- control workload's daemon: N tasks parked on an Event, and a ticker that
-- measures the loop's longest stall (the largest gap between its 1 ms
-- sleeps) since the last SIGUSR2; each SIGUSR2 prints it and starts anew.
local asyncio = require "asyncio"

local N = tonumber(arg[1]) or 100000
local ev = asyncio.Event()
for _ = 1, N do
  asyncio.create_task(function() ev:wait() end)
end

local loop = asyncio.get_running_loop()
local worst, last = 0, loop:time()
asyncio.create_task(function()
  while true do
    asyncio.sleep(0.001)
    local now = loop:time()
    if now - last > worst then worst = now - last end
    last = now
  end
end)
loop:add_signal_handler("USR2", function()
  print(("max %.6f"):format(worst))
  io.stdout:flush()
  worst = 0
end)
asyncio.sleep(0.1)
-- The tasks' own garbage is gone before anything is measured: a cycle of
-- the collector left running would stall the loop on its own account.
collectgarbage()
print("ready")
io.stdout:flush()
ev:wait()
