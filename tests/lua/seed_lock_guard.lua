-- both
-- port of the Lock snippet: "async with lock" becomes local _ <close> = lock:guard(), and the acquire/try/finally form; a read-yield-write on shared state loses no update
local asyncio = require "asyncio"

local lock = asyncio.Lock()
local shared = {count = 0, inside = 0, most = 0}

local bump = asyncio.async(function(name)
  -- ... later
  local _ <close> = lock:guard()
  -- access shared state
  shared.inside = shared.inside + 1
  if shared.inside > shared.most then shared.most = shared.inside end
  local seen = shared.count
  asyncio.sleep(0)
  shared.count = seen + 1
  print(name .. " wrote " .. shared.count)
  shared.inside = shared.inside - 1
end)

local bump_explicit = asyncio.async(function(name)
  lock:acquire()
  local ok, err = pcall(function()
    shared.inside = shared.inside + 1
    if shared.inside > shared.most then shared.most = shared.inside end
    local seen = shared.count
    asyncio.sleep(0)
    shared.count = seen + 1
    print(name .. " wrote " .. shared.count)
    shared.inside = shared.inside - 1
  end)
  lock:release()
  if not ok then error(err, 0) end
end)

local function main()
  local aws = {}
  for i = 1, 4 do aws[#aws + 1] = bump("guard-" .. i) end
  for i = 1, 2 do aws[#aws + 1] = bump_explicit("explicit-" .. i) end
  asyncio.gather(table.unpack(aws))
  print("count", shared.count, "most inside at once", shared.most, "locked", lock:locked())
end

asyncio.run(main)
