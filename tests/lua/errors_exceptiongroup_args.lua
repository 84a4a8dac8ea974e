-- both
-- ExceptionGroup(msg, exceptions) checks its list: a table, an n that is a
-- non-negative integer not past its last index; a huge n or __len looped for ever
local asyncio = require "asyncio"
local EG = asyncio.ExceptionGroup

local function try(what, f)
  local ok, e = pcall(f)
  if ok then
    local parts = {}
    for i = 1, e.exceptions.n do parts[i] = tostring(e.exceptions[i]) end
    print(what, "n=" .. e.exceptions.n, table.concat(parts, " "))
  else
    print(what, (tostring(e):gsub("^.-:%d+: ", "")))
  end
end

try("list", function() return EG("m", {"a", "b"}) end)
try("empty", function() return EG("m", {}) end)
try("holes with n", function() return EG("m", {n = 3, "a", nil, "c"}) end)
try("n below length", function() return EG("m", {n = 1, "a", "b"}) end)
try("n float", function() return EG("m", {n = 2.0, "a", "b"}) end)
try("huge n", function() return EG("m", {n = 2 ^ 40}) end)
try("huge n, entries", function() return EG("m", {n = 2 ^ 40, "a"}) end)
try("n past last", function() return EG("m", {n = 3, "a", "b"}) end)
try("negative n", function() return EG("m", {n = -1}) end)
try("fraction n", function() return EG("m", {n = 1.5, "a"}) end)
try("string n", function() return EG("m", {n = "2", "a", "b"}) end)
try("nan n", function() return EG("m", {n = 0 / 0}) end)
try("huge __len", function()
  return EG("m", setmetatable({"a"}, {__len = function() return 2 ^ 40 end}))
end)
try("__index", function()
  return EG("m", setmetatable({}, {__index = function() return "x" end,
                                   __len = function() return math.maxinteger end}))
end)
try("no list", function() return EG("m") end)
try("nil list", function() return EG("m", nil) end)
try("string list", function() return EG("m", "a") end)
local e = EG("two", {"a", "b"})
print(tostring(e), EG:is(e), asyncio.ExceptionGroup:is(e))
