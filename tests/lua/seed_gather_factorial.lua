-- both
-- port of the gather/factorial example: three factorials computed concurrently (sleep 0.01 s instead of 1)
local asyncio = require "asyncio"

local factorial = asyncio.async(function(name, number)
  local f = 1
  for i = 2, number do
    print(string.format("Task %s: Compute factorial(%d), currently i=%d...", name, number, i))
    asyncio.sleep(0.01)
    f = f * i
  end
  print(string.format("Task %s: factorial(%d) = %d", name, number, f))
  return f
end)

local function main()
  -- Schedule three calls *concurrently*:
  local L = asyncio.gather(
    factorial("A", 2),
    factorial("B", 3),
    factorial("C", 4)
  )
  local parts = {}
  for i = 1, L.n do parts[i] = tostring(L[i]) end
  print("[" .. table.concat(parts, ", ") .. "]")
end

asyncio.run(main)
