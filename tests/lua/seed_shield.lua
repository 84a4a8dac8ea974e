-- both
-- port of the shield example: res = shield(something()) in a pcall that maps CancelledError to nil; something() is not cancelled
local asyncio = require "asyncio"

local something = asyncio.async(function()
  asyncio.sleep(0.03)
  print("something() finished")
  return "something's result"
end)

local function main()
  local inner = asyncio.create_task(something())
  local caller = asyncio.create_task(function()
    local ok, res = pcall(asyncio.shield, inner)
    if not ok then
      if asyncio.CancelledError:is(res) then res = nil else error(res, 0) end
    end
    print("res =", res)
  end)
  asyncio.sleep(0.01)
  caller:cancel()
  caller:await()
  print("caller cancelled:", caller:cancelled())
  print("inner result:", inner:await())
end

asyncio.run(main)
