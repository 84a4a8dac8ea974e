-- both
-- A NaN delay or time is a bad argument everywhere a deadline is taken
-- (call_later(0/0, f) froze every timer of the loop at 100 % CPU)
local asyncio = require "asyncio"
local nan = 0 / 0

local function try(what, f)
  local ok, e = pcall(f)
  print(what, ok, ok or tostring(e):gsub("^.-:%d+: ", ""))
end

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  local fired = {}
  -- armed first: a NaN timer on top of the heap hid the later ones
  local f = function(name) fired[#fired + 1] = name end
  try("call_later", function() loop:call_later(nan, f, "nan later") end)
  try("call_at", function() loop:call_at(nan, f, "nan at") end)
  try("sleep", function() asyncio.sleep(nan) end)
  try("timeout", function() return asyncio.timeout(nan) end)
  try("timeout_at", function() return asyncio.timeout_at(nan) end)
  try("wait_for", function() asyncio.wait_for(function() return 1 end, nan) end)
  try("wait", function() asyncio.wait({function() end}, {timeout = nan}) end)
  try("as_completed", function() asyncio.as_completed({function() end}, {timeout = nan}) end)
  do
    local t <close> = asyncio.timeout(10)
    try("reschedule", function() t:reschedule(nan) end)
    print("when", t:when() > loop:time())
  end
  loop:call_later(0.001, f, "later")
  loop:call_at(loop:time() + 0.002, f, "at")
  asyncio.sleep(0.005)
  print("fired", table.concat(fired, ", "))
  -- infinities are deadlines that never or always came, not errors
  local h = loop:call_later(math.huge, f, "never")
  print("huge", h:when() == math.huge)
  h:cancel()
  loop:call_later(-math.huge, f, "now")
  asyncio.sleep(0.001)
  print("fired", table.concat(fired, ", "))
end)
