-- both
-- What the error reports need leaves error values alone: the very value raised comes out of await, a TaskGroup's group and a handler (a user's table gains no field); a timeout's TimeoutError carries the line where the task waited
local asyncio = require "asyncio"

local function keys(t)
  local list = {}
  for k in pairs(t) do list[#list + 1] = tostring(k) end
  table.sort(list)
  return table.concat(list, ",")
end

asyncio.run(function()
  local e = {code = 7}
  local t = asyncio.create_task(function() asyncio.sleep(0) error(e) end)
  local ok, got = pcall(t.await, t)
  print("await", ok, got == e, keys(e))

  local s = "plain"
  local ok2, got2 = pcall(function()
    local tg <close> = asyncio.TaskGroup()
    tg:create_task(function() asyncio.sleep(0) error(e) end)
    tg:create_task(function() asyncio.sleep(0) error(s, 0) end)
  end)
  print("group", ok2, asyncio.ExceptionGroup:is(got2), got2.exceptions.n,
        got2.exceptions[1] == e, got2.exceptions[2] == s, keys(e))

  local ok3, got3 = pcall(function()
    local scope <close> = asyncio.timeout(0.01)
    asyncio.sleep(1)
  end)
  print("timeout", ok3, asyncio.TimeoutError:is(got3),
        got3.traceback:match("errors_report_values.lua:(%d+): in"))

  local ok4, got4 = pcall(asyncio.wait_for, function() asyncio.sleep(1) end, 0.01)
  print("wait_for", ok4, asyncio.TimeoutError:is(got4),
        got4.traceback:match("errors_report_values.lua:(%d+): in"))

  local srv = asyncio.start_server(function(r) r:readline() error(e) end, "127.0.0.1", 0)
  local r, w = asyncio.open_connection("127.0.0.1", srv.sockets[1].port)
  w:write("x\n")
  print("handler closed", r:read() == "")
  srv:close()
  print("handler", keys(e))
end)
