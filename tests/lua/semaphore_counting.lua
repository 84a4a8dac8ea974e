-- Semaphore(n) lets n acquires through (default 1, 0 allowed); locked() is true when an acquire would wait; release() may go above the start value
local asyncio = require "asyncio"

local s = asyncio.Semaphore(2)
print(s:locked(), s:acquire(), s:locked(), s:acquire(), s:locked())
s:release()
print(s:locked())
s:release()
s:release()
print(s:acquire(), s:acquire(), s:acquire(), s:locked())
local d = asyncio.Semaphore()
print(d:locked(), d:acquire(), d:locked())
local z = asyncio.Semaphore(0)
print(z:locked())
z:release()
print(z:locked(), z:acquire(), z:locked())
