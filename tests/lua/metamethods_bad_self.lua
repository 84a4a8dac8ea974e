-- both
-- Every function of every metatable the module makes (metamethods and methods)
-- called with nil, a table, a foreign userdata or another class's object
-- raises a clear error or does nothing; getmetatable(asyncio.Future()).__gc(nil)
-- segfaulted, and so did a Loop's __gc
local asyncio = require "asyncio"

local registry = debug.getregistry()
-- the lazy parts make their classes when first touched
local _ = asyncio.open_connection, asyncio.start_server, asyncio.create_subprocess_exec,
  asyncio.open_datagram_endpoint
local queue = asyncio.Queue()
local handle = asyncio.get_event_loop():call_soon(function() end)
local future = asyncio.Future()

local classes = {}
for name, mt in pairs(registry) do
  if type(name) == "string" and name:match("^asyncio%.") and type(mt) == "table"
     and rawget(mt, "__name") == name then
    classes[#classes + 1] = name
  end
end
table.sort(classes)
local metatables = {}
for _, name in ipairs(classes) do metatables[name] = registry[name] end
classes[#classes + 1] = "asyncio.Queue"
metatables["asyncio.Queue"] = getmetatable(queue)

local function sorted_functions(t, prefix, into)
  local keys = {}
  for k, v in pairs(t) do
    if type(v) == "function" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do into[#into + 1] = {prefix .. k, t[k]} end
end

local function outcome(f, v)
  local ok, e = pcall(f, v)
  if ok then return "no-op" end
  e = tostring(e)
  if e:match("bad argument #%d") or e:match("bad self") then return "error" end
  return (e:gsub("^.-:%d+: ", ""))
end

for _, name in ipairs(classes) do
  local mt = metatables[name]
  local fns = {}
  sorted_functions(mt, "", fns)
  -- a queue holds its methods itself
  local methods = name == "asyncio.Queue" and queue or mt.__index
  if type(methods) == "table" then sorted_functions(methods, ":", fns) end
  local wrong = name == "asyncio.Handle" and future or handle
  local tally = {}
  for _, entry in ipairs(fns) do
    local key, f = entry[1], entry[2]
    local got = {outcome(f, nil), outcome(f, {}), outcome(f, io.stdout), outcome(f, wrong)}
    local all_errors = true
    for _, g in ipairs(got) do all_errors = all_errors and g == "error" end
    if all_errors then
      tally[#tally + 1] = key
    else
      print(name, key, table.concat(got, " | "))
    end
  end
  print(name, "bad argument for all four:", table.concat(tally, " "))
end
handle:cancel()
print("still alive", future:done())
