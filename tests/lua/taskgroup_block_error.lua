-- an error raised by the block itself cancels the group's tasks and is in the ExceptionGroup's list
local asyncio = require "asyncio"

local t
local ok, e = pcall(function()
  local tg <close> = asyncio.TaskGroup()
  t = tg:create_task(function()
    local ok, err = pcall(asyncio.sleep, 1)
    print("task got", err.name)
    error(err)
  end)
  asyncio.sleep(0.01)
  error("block failed", 0)
end)
print(ok, e.name, #e.exceptions, e.exceptions[1])
print(t:cancelled())
