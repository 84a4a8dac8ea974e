-- Semaphore:guard(): at most value tasks inside at once; leaving by error or cancellation gives the unit back, exactly once
local asyncio = require "asyncio"

local s = asyncio.Semaphore(2)
local inside, most = 0, 0
local job3_inside = asyncio.Event()
local function job(i, how)
  local _ <close> = s:guard()
  local count <close> = setmetatable({}, {__close = function() inside = inside - 1 end})
  inside = inside + 1
  if inside > most then most = inside end
  print("job " .. i .. " in")
  if how == "error" then error("job " .. i .. " failed", 0) end
  if how == "cancel" then
    job3_inside:set()
    asyncio.sleep(1)
  end
  asyncio.sleep(how)
end
local ts = {}
for i, how in ipairs({0.02, "error", "cancel", 0.01, 0.01}) do
  ts[i] = asyncio.create_task(job, i, how)
end
job3_inside:wait()
ts[3]:cancel()
local r = asyncio.gather(ts[1], ts[2], ts[3], ts[4], ts[5], {return_exceptions = true})
print(r[1], r[2], r[3].name, r[4], r[5])
print("most inside at once", most, "inside now", inside)
print(s:locked(), s:acquire(), s:acquire(), s:locked())
