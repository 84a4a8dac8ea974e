-- echo server for Lua 5.4 + cqueues on 127.0.0.1:PORT (arg 1): a cq:wrap per client; read(-65536) returns what is there (up to 64 KiB), written back unbuffered; TCP_NODELAY as the other servers.
local cqueues = require "cqueues"
local socket = require "cqueues.socket"

local cq = cqueues.new()
local server = socket.listen("127.0.0.1", assert(tonumber(arg[1])))

local function handle(con)
  con:setmode("bn", "bn") -- binary, no output buffering: each write goes out at once
  con:onerror(function(_, _, why) return why end) -- a reset ends the loop below instead of raising
  while true do
    local data = con:read(-65536)
    if not data then break end
    con:write(data)
  end
  con:close()
end

cq:wrap(function()
  for con in server:clients({nodelay = true}) do
    cq:wrap(handle, con)
  end
end)
assert(cq:loop())
