-- handle:cancel() stops a pending call_soon/call_later callback; cancelled() reports it
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
local h1 = loop:call_soon(print, "soon cancelled")
local h2 = loop:call_later(0.01, print, "later cancelled")
local h3 = loop:call_later(0.01, print, "later runs")
loop:call_soon(print, "soon runs")
print(h1:cancelled(), h2:cancelled())
h1:cancel()
h2:cancel()
print(h1:cancelled(), h2:cancelled(), h3:cancelled())
asyncio.sleep(0.03)
print(h3:cancelled())
