-- HTTP client for aiod's asyncio.http (args: URL N CONCURRENCY [CAFILE]): one Session, CONCURRENCY tasks GET until N are done; prints how many answers were 200 with 1024 body bytes.
local asyncio = require "asyncio"
local http = asyncio.http

local url, total, conc, cafile = assert(arg[1]), assert(tonumber(arg[2])), assert(tonumber(arg[3])), arg[4]
local s <close> = http.Session{max_connections = conc, max_connections_per_host = conc, cafile = cafile}
local left, good = total, 0

local function worker()
  while left > 0 do
    left = left - 1
    local r = s:get(url)
    if r.status == 200 and #r.body == 1024 then good = good + 1 end
  end
end

local tasks = {}
for i = 1, conc do tasks[i] = asyncio.create_task(worker) end
asyncio.gather(table.unpack(tasks))
print(good)
