-- both
-- The report of an ExceptionGroup: each error in a tree, indented per level, at most 15 errors a group ("and N more") and 10 levels deep, as Python prints them
local asyncio = require "asyncio"
local describe = debug.getregistry()["asyncio.internals"].describe_error

local function lines(text, pattern)
  local out = {}
  for line in text:gmatch("[^\n]+") do
    if line:find(pattern) then out[#out + 1] = line end
  end
  return out
end

local many = {}
for i = 1, 17 do many[i] = "error " .. i end
local wide = describe(asyncio.ExceptionGroup("wide", many))
print(#lines(wide, "^  | error %d+$"), lines(wide, "more exception")[1])
print(lines(wide, "^%+%-%+")[1], lines(wide, "^  %+%-+ 15 ")[1] ~= nil)

local g = asyncio.ExceptionGroup("level 1", {"leaf"})
for level = 2, 12 do g = asyncio.ExceptionGroup("level " .. level, {g}) end
local deep = describe(g)
for _, line in ipairs(lines(deep, "ExceptionGroup: level")) do print(line) end
print(lines(deep, "max ExceptionGroup depth")[1])
print(#lines(deep, "leaf"))
