-- lua-only
-- a loop made by new_event_loop takes hooks too; closing it with a hook still on drops the hook, and the descriptor stays open
local asyncio = require "asyncio"

local loop = asyncio.new_event_loop()
local n = 0
loop:add_reader(0, function()
  n = n + 1
  if n == 2 then loop:stop() end
end)
loop:run_forever()
print("turns with the reader", n)
loop:close()
print("remove after close", loop:remove_reader(0))
print("stdin still open", io.stdin:read("a") == "")
