-- The aiod module under aiod: its fields in generation 1, aiod.log's levels, its bad arguments, and a bad format still logging its line
local aiod = require "aiod"
print(aiod.generation, type(aiod.state), aiod.state == require("aiod").state)
aiod.log("debug", "not shown at the default level")
aiod.log("info", "shown %d", 1)
local function try(...)
  local ok, e = pcall(...)
  print(ok, (tostring(e):gsub("^[^:]*:%d+: ", "")))
end
try(aiod.log, "loud", "x")
try(aiod.log, nil, "x")
try(aiod.log, "info", nil)
try(aiod.log, "debug", {})  -- checked below the level too
-- stderr is not compared here: catch the lines by standing in for io.stderr.
local lines = {}
local real = io.stderr
io.stderr = {write = function(self, s) lines[#lines + 1] = s; return self end, flush = function() end}
aiod.log("warn", "a %s with a bad format %d", "line", "x")
aiod.log("warn", "too few: %s %s", 1)
aiod.log("error", "%y", 1)
aiod.log("info", 42)
io.stderr = real
for _, l in ipairs(lines) do io.write((l:gsub("^%d+%-%d+%-%d+ %d+:%d+:%d+%.%d+ ", ""))) end
aiod.ready()
aiod.ready()  -- twice is harmless
print("done")
