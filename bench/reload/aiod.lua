-- reload workload's server for aiod: one line-echo server per port given as arguments (10 of them), each answer tagged with VERSION; the runner rewrites VERSION before each SIGHUP.
local asyncio = require "asyncio"
local aiod = require "aiod"

local VERSION = 1
local TAG = ("v%d "):format(VERSION)

-- Each request is one line; the answer is the line behind this generation's tag.
local function handle(reader, writer)
  for line in reader:lines() do
    writer:write(TAG .. line)
    writer:drain()
  end
end

for i = 1, #arg do
  asyncio.start_server(handle, "127.0.0.1", assert(tonumber(arg[i])))
end
aiod.log("info", "version %d serving on %d ports (generation %d)", VERSION, #arg, aiod.generation)
-- The main chunk returns: this generation is ready, and its servers serve on.
