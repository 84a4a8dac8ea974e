-- -- both
-- PriorityQueue over 2,000 mixed puts and gets (priorities 1..50 from a fixed generator) gives exactly the order of a stable sort
local asyncio = require "asyncio"

local seed = 12345
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

local q = asyncio.PriorityQueue()
local model, got, want, serial = {}, {}, {}, 0
local function model_get()
  local best = 1
  for i = 2, #model do
    local a, b = model[i], model[best]
    if a[1] < b[1] or (a[1] == b[1] and a.serial < b.serial) then best = i end
  end
  return table.remove(model, best)
end
for _ = 1, 2000 do
  if rand(3) < 3 or #model == 0 then
    serial = serial + 1
    local item = {rand(50), serial, serial = serial}
    q:put_nowait(item)
    model[#model + 1] = item
  else
    got[#got + 1] = q:get_nowait()[2]
    want[#want + 1] = model_get()[2]
  end
end
while not q:empty() do
  got[#got + 1] = q:get_nowait()[2]
  want[#want + 1] = model_get()[2]
end
print(#got, table.concat(got, ",") == table.concat(want, ","))
