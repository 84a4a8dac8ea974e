-- both
-- port of the Semaphore snippet: Semaphore(10) guards a shared resource used by 25 tasks; at most 10 are inside at once, with guard() or acquire/release
local asyncio = require "asyncio"

local sem = asyncio.Semaphore(10)
local inside, most, done = 0, 0, 0

local function use_resource()
  inside = inside + 1
  if inside > most then most = inside end
  asyncio.sleep(0.01)
  inside = inside - 1
  done = done + 1
end

local with_guard = asyncio.async(function()
  -- ... later
  local _ <close> = sem:guard()
  -- work with shared resource
  use_resource()
end)

local with_acquire = asyncio.async(function()
  sem:acquire()
  local ok, err = pcall(use_resource)
  sem:release()
  if not ok then error(err, 0) end
end)

local function main()
  local aws = {}
  for i = 1, 25 do
    aws[i] = (i % 2 == 0) and with_acquire() or with_guard()
  end
  asyncio.gather(table.unpack(aws))
  print("tasks done:", done)
  print("max concurrency:", most)
  print("locked:", sem:locked())
end

asyncio.run(main)
