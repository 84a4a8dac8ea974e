-- repl.lua -- the REPL's engine, free of any terminal: compiles entries as lua -i does, runs each as a task, prints what it gives
--[[
The front end (cmd/repl.c for aiod -i; a control-socket session for aiod
attach) reads lines however it can and hands them here:

  local new = <this chunk>(asyncio, internals)
  local r = new{
    write = function(text, is_error) end,  -- all output; is_error: stderr's share
    idle = function() end,                 -- the running entry ended: read on
    spawn = function(fn) return task end,  -- optional: makes the entry's task
    env = table,                           -- optional: the entries' globals (default _G)
  }
  r:feed(line) -> state, entry
      "more"  the entry is incomplete; the next line continues it
      "busy"  the entry runs as a task; idle() is called once it has ended
      "ready" nothing runs (an empty line, a syntax error): read the next line
    entry is the whole entry's text (once complete) for the history.
  r:prompt()    -> "> " or ">> " (the globals _PROMPT / _PROMPT2, as lua.c)
  r:interrupt() -> true when it cancelled the running entry (which then
                   prints "KeyboardInterrupt"); else it dropped an incomplete
                   entry, if any, and returns false
  r:eof()       -> the input has ended: an incomplete entry's syntax error
                   is reported
  r:running()   -> the task of the running entry, or nil
  r:complete(word) -> a sorted list of what word may become: a global, or a
                   field or method along a path of names ("asyncio.sl",
                   "t:aw"), looked up in _G without calling anything but
                   metatables' __index tables
  r:close()     -> the front end has gone (aiod stops, a peer left): an
                   entry still running ends without a word and idle() is
                   no longer called
  r.interrupted -> set it to true before raising CancelledError inside
                   the entry (an entry that never suspends cannot be
                   cancelled), so the entry ends as "KeyboardInterrupt"

An entry's own print writes where the process's print does (a remote
front end may set a print of its own in _G). The rules are lua.c's (Lua 5.4): a first line is tried as "return <line>;"
(a leading '=' means return), then as a statement; an entry whose syntax
error is at "<eof>" continues on the next line. Values print as tostring
gives them, separated by tabs. Entries are chunks of their own on _G, so
globals persist between entries and locals do not.
--]]
local asyncio, C = ...

local getmetatable, load, next, pcall, rawget, tostring, type =
  getmetatable, load, next, pcall, rawget, tostring, type
local concat = table.concat

local Repl = {}
Repl.__index = Repl

local function new(io)
  assert(type(io) == "table" and type(io.write) == "function" and type(io.idle) == "function",
         "repl: write and idle functions are needed")
  return setmetatable({io = io, buffer = nil, task = nil, interrupted = false}, Repl)
end

function Repl:prompt()
  local p
  if self.buffer then p = _G._PROMPT2 else p = _G._PROMPT end
  if p ~= nil then return tostring(p) end
  return self.buffer and ">> " or "> "
end

function Repl:running()
  return self.task
end

-- What an entry gave: its values, or its error with the task's frames.
local function report(self, task)
  local write = self.io.write
  if task:cancelled() then
    if self.interrupted then
      write("KeyboardInterrupt\n", true)
    else
      local _, err = pcall(task.exception, task)
      write(C.describe_error(err, nil, task) .. "\n", true)
    end
    return
  end
  local err = task:exception()
  -- A front end may raise CancelledError inside an entry that never
  -- suspends (from a hook, as lua.c stops a running chunk at Ctrl-C).
  if err ~= nil and self.interrupted and asyncio.CancelledError:is(err) then
    write("KeyboardInterrupt\n", true)
  elseif err ~= nil then
    write(C.describe_error(err, nil, task) .. "\n", true)
    return
  end
  local values = table.pack(task:result())
  if values.n == 0 then return end
  for i = 1, values.n do values[i] = tostring(values[i]) end
  write(concat(values, "\t", 1, values.n) .. "\n", false)
end

function Repl:run(fn)
  self.interrupted = false
  local spawn = self.io.spawn or asyncio.create_task
  local task = spawn(fn)
  task:set_name("repl")
  self.task = task
  task:add_done_callback(function()
    self.task = nil
    if self.closed then return end
    -- The writer may fail (a peer gone): idle must still be told.
    local ok, err = pcall(report, self, task)
    if not ok then self.io.write(tostring(err) .. "\n", true) end
    self.io.idle()
  end)
  return "busy"
end

function Repl:feed(line)
  assert(not self.task, "repl: an entry is running")
  line = line:gsub("\n$", "")
  if not self.buffer then
    if line:find("^%s*$") then return "ready" end
    if line:sub(1, 1) == "=" then line = "return " .. line:sub(2) end
    local fn = load("return " .. line .. ";", "=stdin", "t", self.io.env or _G)
    if fn then return self:run(fn), line end
    self.buffer = line
  else
    self.buffer = self.buffer .. "\n" .. line
  end
  local fn, err = load(self.buffer, "=stdin", "t", self.io.env or _G)
  if not fn and err:sub(-5) == "<eof>" then return "more" end
  local entry = self.buffer
  self.buffer = nil
  if not fn then
    self.io.write(err .. "\n", true)
    return "ready", entry
  end
  return self:run(fn), entry
end

-- The string keys of t and of the __index tables its metatables chain to.
local function names_of(t, into)
  for _ = 1, 8 do
    if type(t) == "table" then
      for k in next, t do
        if type(k) == "string" and k:find("^[%a_][%w_]*$") then into[k] = true end
      end
    end
    local mt = getmetatable(t)
    t = type(mt) == "table" and rawget(mt, "__index")
    if type(t) ~= "table" then return into end
  end
  return into
end

-- v's field name, through __index tables only, so completing never runs
-- a script's __index function (asyncio's own lazy parts do load).
local function field(v, name)
  if v == asyncio then return v[name] end
  for _ = 1, 8 do
    local found = type(v) == "table" and rawget(v, name) or nil
    if found ~= nil then return found end
    local mt = getmetatable(v)
    v = type(mt) == "table" and rawget(mt, "__index")
    if type(v) ~= "table" then return nil end
  end
end

-- The value at a path of names ("asyncio.Task"), or nil.
local function lookup(path)
  local v = _G
  for name in path:gmatch("[^.:]+") do
    v = field(v, name)
    if v == nil then return nil end
  end
  return v
end

function Repl:complete(word)
  local path, sep, prefix = word:match("^([%w_.:]-)([.:])([%w_]*)$")
  local names
  if path then
    local v = lookup(path)
    if v == nil then return {} end
    names = names_of(v, {})
  else
    path, sep, prefix = "", "", word
    names = names_of(_G, {})
  end
  local list = {}
  for name in next, names do
    if name:sub(1, #prefix) == prefix then list[#list + 1] = path .. sep .. name end
  end
  table.sort(list)
  return list
end

function Repl:interrupt()
  if self.task then
    self.interrupted = true
    self.task:cancel()
    return true
  end
  self.buffer = nil
  return false
end

function Repl:close()
  self.closed = true
  self.buffer = nil
end

function Repl:eof()
  if not self.buffer then return end
  local _, err = load(self.buffer, "=stdin", "t")
  self.buffer = nil
  self.io.write(err .. "\n", true)
end

return new
