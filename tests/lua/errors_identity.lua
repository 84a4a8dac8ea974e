-- a table raised in a task is the very same value from await, result(), exception() and gather (with and without return_exceptions)
local asyncio = require "asyncio"

local err = {}
local t = asyncio.create_task(function() asyncio.sleep(0) error(err) end)
local ok, e = pcall(t.await, t)
print("await", rawequal(e, err))
ok, e = pcall(t.result, t)
print("result", rawequal(e, err))
print("exception", rawequal(t:exception(), err))
ok, e = pcall(asyncio.gather, t)
print("gather", rawequal(e, err))
local r = asyncio.gather(t, {return_exceptions = true})
print("gather list", rawequal(r[1], err))
