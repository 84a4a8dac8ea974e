-- Queue is first in, first out for any non-nil value (false and tables included); qsize() and empty() follow puts and gets
local asyncio = require "asyncio"

local q = asyncio.Queue()
print(q:qsize(), q:empty(), q:full())
local t = {}
q:put_nowait("a")
q:put_nowait(2)
q:put_nowait(false)
q:put_nowait(t)
q:put("e")
print(q:qsize(), q:empty(), q:full())
print(q:get_nowait(), q:get_nowait(), q:get_nowait())
print(q:qsize(), q:get_nowait() == t, q:get())
print(q:qsize(), q:empty())
