-- proctools.lua -- helpers of the process tests: this process's descriptors and children, and whether a pid lives
local M = {}

local f = assert(io.open("/proc/self/stat"))
M.pid = f:read("a"):match("^%d+")
f:close()

-- How many descriptors this process has open, counted by a shell that
-- io.popen starts and waits for. popen's own pipe is left out: the shell
-- may look while popen still holds both of its ends (and a child of the
-- loop's own could be caught halfway through its spawn).
local COUNT = [[me=$(readlink /proc/$$/fd/1) n=0
for f in /proc/%s/fd/*; do t=$(readlink "$f") && [ "$t" != "$me" ] && n=$((n + 1)); done
echo $n]]

function M.descriptors()
  local sh = assert(io.popen(COUNT:format(M.pid)))
  local n = sh:read("a")
  sh:close()
  return n
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
