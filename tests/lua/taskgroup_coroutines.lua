-- TaskGroup:create_task takes coroutine objects too; tasks may add more tasks to the group; an empty group is fine
local asyncio = require "asyncio"

local job = asyncio.async(function(name, delay) asyncio.sleep(delay) print(name) return name end)
do
  local tg <close> = asyncio.TaskGroup()
  tg:create_task(job("first", 0.01))
  tg:create_task(function()
    asyncio.sleep(0.02)
    tg:create_task(job("added later", 0.01))
  end)
end
print("group done")
do
  local tg <close> = asyncio.TaskGroup()
end
print("empty group done")
