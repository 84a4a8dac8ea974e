-- Event starts clear; set() sets the flag and wait() on a set Event returns true at once; clear() resets it; both are idempotent
local asyncio = require "asyncio"

local ev = asyncio.Event()
print(ev:is_set())
ev:set()
print(ev:is_set(), ev:wait())
ev:set()
print(ev:is_set(), ev:wait())
ev:clear()
print(ev:is_set())
ev:clear()
print(ev:is_set())
local other = asyncio.Event()
ev:set()
print(ev:is_set(), other:is_set())
