-- both
-- the module functions' default Session is one per loop: asyncio.run twice, each with its own; a request in flight when the loop's main function returns is cancelled
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop

for round = 1, 2 do
  asyncio.run(function()
    local p, base = server()
    local r = http.get(base .. "/echo")
    print("round", round, r.status, http.get(base .. "/status/201").status)
    -- left running: run() cancels it as the main function returns
    asyncio.create_task(function() http.get(base .. "/never") end)
    asyncio.sleep(0.05)
    stop(p)
  end)
end
print("done")
