-- error classes are callable: name, message ("" when none given), tostring "Name: message" or just "Name"
local asyncio = require "asyncio"

local e = asyncio.TimeoutError("too slow")
print(e.name, e.message, tostring(e))
local e2 = asyncio.InvalidStateError()
print(e2.name, e2.message == "", tostring(e2))
print(tostring(asyncio.CancelledError("why")))
