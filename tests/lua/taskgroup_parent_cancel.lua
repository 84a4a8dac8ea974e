-- cancelling the task that runs a TaskGroup cancels the group's tasks (their cleanup runs); the block raises CancelledError
local asyncio = require "asyncio"

local children, cleaned = {}, {}
local parent = asyncio.create_task(function()
  local tg <close> = asyncio.TaskGroup()
  for i = 1, 2 do
    children[i] = tg:create_task(function()
      local c <close> = setmetatable({}, {__close = function() cleaned[#cleaned + 1] = "child " .. i end})
      asyncio.sleep(1)
    end)
  end
  asyncio.sleep(1)
end)
asyncio.sleep(0.01)
parent:cancel()
local ok, e = pcall(parent.await, parent)
print(ok, e.name)
table.sort(cleaned) -- the order in which the group cancels its tasks is not specified
print(table.concat(cleaned, ", "))
print(parent:cancelled(), children[1]:cancelled(), children[2]:cancelled())
