-- both
-- gather returns the results in argument order, not completion order, as a list with n
local asyncio = require "asyncio"

local function show(t)
  local p = {}
  for i = 1, t.n do p[i] = tostring(t[i]) end
  print("[" .. table.concat(p, ", ") .. "]")
end
local job = asyncio.async(function(name, delay)
  asyncio.sleep(delay)
  print("done", name)
  return name
end)
asyncio.run(function()
  local r = asyncio.gather(job("a", 0.05), job("b", 0.01), job("c", 0.03))
  print(r.n)
  show(r)
end)
