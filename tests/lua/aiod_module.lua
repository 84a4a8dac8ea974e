-- The aiod module under aiod: its fields in generation 1, aiod.log's levels and its bad arguments
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
aiod.log("warn", "a %s with a bad format %d", "line")  -- a format error still logs the text
aiod.ready()
aiod.ready()  -- twice is harmless
print("done")
