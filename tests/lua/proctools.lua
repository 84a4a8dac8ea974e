-- proctools.lua -- helpers of the process tests: this process's descriptors and children, and whether a pid lives
local asyncio = require "asyncio"

local M = {}

local f = assert(io.open("/proc/self/stat"))
M.pid = f:read("a"):match("^%d+")
f:close()

-- How many descriptors this process has open (counted from outside it).
function M.descriptors()
  return asyncio.run_process("ls /proc/" .. M.pid .. "/fd | wc -l").stdout
end

-- This process's children (their pids, space-separated), zombies included.
function M.children()
  local list = assert(io.open("/proc/" .. M.pid .. "/task/" .. M.pid .. "/children"))
  local pids = list:read("a")
  list:close()
  return pids
end

function M.alive(pid)
  local stat = io.open("/proc/" .. pid .. "/stat")
  if not stat then return false end
  local state = stat:read("a"):match("^%d+ %b() (%a)")
  stat:close()
  return state ~= "Z"	-- an orphan's zombie waits for a reaper that may be slow
end

return M
