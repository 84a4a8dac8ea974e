-- keep-alive HTTP/1.1 hello server for Lua 5.4 + cqueues on 127.0.0.1:PORT (arg 1): a cq:wrap per client reads header lines; a blank one ends a request.
local cqueues = require "cqueues"
local socket = require "cqueues.socket"

local RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!"

local cq = cqueues.new()
local server = socket.listen("127.0.0.1", assert(tonumber(arg[1])))

local function handle(con)
  con:setmode("t", "bn") -- text input (lines lose their "\r\n"), unbuffered binary output
  con:onerror(function(_, _, why) return why end) -- a reset ends the loop below instead of raising
  while true do
    local line = con:read("*l")
    if not line then break end
    if line == "" then con:write(RESPONSE) end
  end
  con:close()
end

cq:wrap(function()
  for con in server:clients({nodelay = true}) do
    cq:wrap(handle, con)
  end
end)
assert(cq:loop())
