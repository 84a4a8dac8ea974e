-- -- both
-- shutdown(true) lets the items it drops be collected, for every kind of queue; so does get for the one it returns
local asyncio = require "asyncio"

for _, kind in ipairs{"Queue", "LifoQueue", "PriorityQueue"} do
  local q = asyncio[kind]()
  local seen = setmetatable({}, {__mode = "k"})
  for i = 1, 40 do
    local item = {i}
    seen[item] = true
    q:put_nowait(item)
  end
  for _ = 1, 5 do q:get_nowait() end
  collectgarbage()
  local n = 0
  for _ in pairs(seen) do n = n + 1 end
  q:shutdown(true)
  collectgarbage()
  local left = 0
  for _ in pairs(seen) do left = left + 1 end
  print(kind, n, left, q:qsize(), q:empty())
end
