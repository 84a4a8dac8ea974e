-- attach.lua -- aiod attach's engine: repl.lua's interface, carried over the control socket to a REPL inside the daemon
--[[
  local new = <this chunk>(asyncio, path, reader, writer, id, prompt, ended)
  new{write =, idle =} -> an engine as repl.lua's (see there), whose entries
  run in the daemon at path, over the session (reader, writer, its id, its
  first prompt) that the caller opened; ended(status) once it is over.
The protocol is control.lua's (its attach part). A line is sent as it is
typed: the daemon's engine decides when an entry is whole, and answers
with its output and the next prompt. --]]
local asyncio, path, reader, writer, id, first_prompt, ended = ...

local format = string.format

local Remote = {}
Remote.__index = Remote

-- One control request on a connection of its own.
local function request(line)
  local reader, writer = asyncio.open_unix_connection(path)
  writer:write(line .. "\n")
  local answer = reader:read()
  writer:close()
  return answer
end

function Remote:prompt()
  return self.prompt_text
end

-- Nothing runs here: the entry is the daemon's.
function Remote:running()
  return nil
end

function Remote:feed(line)
  line = line:gsub("\n$", "")
  self.busy = true
  writer:write("L " .. line .. "\n")
  return "busy", line
end

-- Ctrl-C: the daemon's engine cancels the entry, or drops an incomplete
-- one; sent apart from the session, so that it reaches an entry that
-- holds the daemon's loop.
function Remote:interrupt()
  local busy = self.busy
  asyncio.create_task(request, "interrupt " .. id)
  return busy
end

-- The daemon says why an incomplete entry fails, then ends the session:
-- true, the front end waits for that end.
function Remote:eof()
  if not writer:is_closing() then
    writer:write("D\n")
    return true
  end
end

function Remote:complete()
  return {}
end

function Remote:close()
  self.closed = true
  writer:close()
end

local function session(self)
  while true do
    local head = reader:readline()
    if head == "" then return end
    local kind, n = head:match("^(%u) (%d+)\n$")
    if not kind then error(format("%s sent %q, not a frame of a session", path, head:sub(1, 80)), 0) end
    local body = reader:readexactly(tonumber(n))
    if kind == "E" then
      self.io.write(body, true)
    elseif kind == "P" then
      self.prompt_text = body
      self.busy = false
      if not self.closed then self.io.idle() end
    else
      self.io.write(body, false)
    end
  end
end

return function(io)
  local self = setmetatable({io = io, prompt_text = first_prompt, busy = false}, Remote)
  asyncio.create_task(function()
    local done, err = pcall(session, self)
    if not done and not asyncio.CancelledError:is(err) then
      io.write("aiod attach: " .. tostring(err) .. "\n", true)
    end
    writer:close()
    ended(done and 0 or 1)
  end)
  return self
end
