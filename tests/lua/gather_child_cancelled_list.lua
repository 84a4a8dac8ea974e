-- with return_exceptions a cancelled child gives its CancelledError (with the cancel message) in its place (Python 3.11-3.13 lose the message here; API.md: message == msg)
local asyncio = require "asyncio"

local c1 = asyncio.create_task(function() asyncio.sleep(1) end)
local c2 = asyncio.create_task(function() asyncio.sleep(0.03) return "c2" end)
asyncio.get_running_loop():call_later(0.01, function() c1:cancel("because") end)
local r = asyncio.gather(c1, c2, {return_exceptions = true})
print(r.n, asyncio.CancelledError:is(r[1]), r[1].message, r[2])
