-- asyncio.lua -- the parts of the asyncio module written in Lua, over the C Future and Task
local M, C = ...

local type, select, error, tostring, pairs, ipairs = type, select, error, tostring, pairs, ipairs
local rawget, rawlen, next, setmetatable, getmetatable = rawget, rawlen, next, setmetatable, getmetatable
local math_type = math.type
local traceback = C.traceback

--------------------------------------------------------------------------
-- Error classes: tables with name, message, traceback; Class:is(e).

local ClassMeta = {}
ClassMeta.__index = function(cls, key)
  local base = rawget(cls, "base")
  if base then return base[key] end
end
ClassMeta.__tostring = function(cls) return "class " .. rawget(cls, "name") end
ClassMeta.__call = function(cls, message, fields)
  local e = {}
  if type(fields) == "table" then
    for k, v in pairs(fields) do e[k] = v end
  end
  e.name = rawget(cls, "name")
  if message == nil then message = "" end
  e.message = type(message) == "string" and message or tostring(message)
  e.traceback = traceback(nil, 2)
  return setmetatable(e, cls)
end

local argerror -- defined below

local function error_tostring(e)
  if type(e) ~= "table" then argerror(1, "__tostring", "table expected, got " .. type(e)) end
  local msg = e.message
  if msg == nil or msg == "" then return e.name end
  return e.name .. ": " .. tostring(msg)
end

local Error = setmetatable({name = "Error", __tostring = error_tostring}, ClassMeta)
Error.__index = Error

function Error.is(cls, e)
  if type(e) ~= "table" then return false end
  local mt = getmetatable(e)
  for _ = 1, 64 do
    if mt == cls then return true end
    if type(mt) ~= "table" then return false end
    mt = rawget(mt, "base")
  end
  return false
end

function Error.extend(base, name)
  if type(name) ~= "string" then
    argerror(1, "extend", "string expected, got " .. (name == nil and "no value" or type(name)))
  end
  local cls = setmetatable({name = name, base = base, __tostring = error_tostring}, ClassMeta)
  cls.__index = cls
  return cls
end

local errors = {Error = Error}
local function class(name, base)
  local cls = (base or Error):extend(name)
  errors[name] = cls
  M[name] = cls
  return cls
end

class("CancelledError")
class("InvalidStateError")
class("QueueEmpty"); class("QueueFull"); class("QueueShutDown")
class("BrokenBarrierError")
class("IncompleteReadError"); class("LimitOverrunError")
local ExceptionGroup = class("ExceptionGroup")
local OSError = class("OSError")
class("TimeoutError", OSError)
local ConnectionError = class("ConnectionError", OSError)
class("ConnectionRefusedError", ConnectionError)
class("ConnectionResetError", ConnectionError)
class("BrokenPipeError", ConnectionError)
class("FileNotFoundError", OSError)
class("PermissionError", OSError)
-- TLS (asyncio.ssl holds them too): reason, library; verify_code, verify_message.
local SSLError = class("SSLError", OSError)
class("SSLCertVerificationError", SSLError)
-- asyncio.http (httpx's): a failed transfer; raise_for_status's 4xx/5xx (status, response).
local HTTPError = class("HTTPError", OSError)
class("HTTPStatusError", HTTPError)
-- run_process's check: returncode, cmd, stdout, stderr.
class("CalledProcessError")

-- ExceptionGroup(message, exceptions): the errors as a sequence with n.
-- exceptions is a table read raw, entry by entry, never index by index up
-- to its n or length: a huge n (or __len) looped for ever. Its n, when
-- given, may leave nil holes but not point past its last index in use.
local GroupMeta = {__index = ClassMeta.__index, __tostring = ClassMeta.__tostring}
GroupMeta.__call = function(cls, message, ...)
  local excs = ...
  if type(excs) ~= "table" then
    argerror(2, "ExceptionGroup", "table expected, got " ..
             (select("#", ...) == 0 and "no value" or type(excs)))
  end
  local last = 0
  for k in next, excs do
    if math_type(k) == "integer" and k > last then last = k end
  end
  local n = rawget(excs, "n")
  if n == nil then
    n = rawlen(excs)
  elseif type(n) ~= "number" or math.tointeger(n) == nil or n < 0 then
    argerror(2, "ExceptionGroup", "field 'n': non-negative integer expected, got " ..
             (type(n) ~= "number" and type(n) or n ~= n and "NaN" or tostring(n)))
  elseif n > last then
    argerror(2, "ExceptionGroup", ("field 'n' is %d, past the last exception (at %d)"):format(n, last))
  end
  n = math.tointeger(n)
  local list = {n = n}
  for k, v in next, excs do
    if math_type(k) == "integer" and k >= 1 and k <= n then list[k] = v end
  end
  local e = ClassMeta.__call(cls, message)
  e.traceback = traceback(nil, 2)
  e.exceptions = list
  return e
end
setmetatable(ExceptionGroup, GroupMeta)
C.register_errors(errors)

--------------------------------------------------------------------------
-- Argument checks in luaL_argerror's words.

-- depth: how many helper calls lie between the API function and argerror's caller.
function argerror(n, fname, msg, depth)
  error(("bad argument #%d to '%s' (%s)"):format(n, fname, msg), 3 + (depth or 0))
end

local function typename(v, present)
  if not present then return "no value" end
  return type(v)
end

-- A method called on something else says so as luaL_checkudata does, so
-- the Lua-written classes read like the C ones: "bad argument #1 to
-- 'release' (asyncio.Semaphore expected, got asyncio.Event)", or with
-- obj:method() syntax "calling 'release' on bad self (...)". The check is
-- one metatable comparison (also: a subclass's metatable); the wording is
-- only worked out on failure.
-- depth: calls between the method and bad_self (check_self's is 1).
local function bad_self(self, class, method, depth)
  local level = 2 + (depth or 0)
  local mt = getmetatable(self)
  local got = type(mt) == "table" and type(rawget(mt, "__name")) == "string" and rawget(mt, "__name")
    or type(self)
  local msg = ("%s expected, got %s"):format(rawget(class, "__name"), got)
  local called = debug.getinfo(level, "n")
  if called and called.namewhat == "method" then
    error(("calling '%s' on bad self (%s)"):format(called.name, msg), level + 1)
  end
  error(("bad argument #1 to '%s' (%s)"):format(method, msg), level + 1)
end

-- Hot methods (acquire, release) inline the comparison and call bad_self.
local function check_self(self, class, method, also)
  local mt = getmetatable(self)
  if mt ~= class and (also == nil or mt ~= also) then bad_self(self, class, method, 1) end
end

local function is_plain_table(v)
  return type(v) == "table" and getmetatable(v) == nil
end

local function opt_field(fname, n, opts, field, kind, default, depth)
  local v = opts[field]
  if v == nil then return default end
  if type(v) ~= kind then
    argerror(n, fname, ("field '%s': %s expected, got %s"):format(field, kind, type(v)), (depth or 0) + 1)
  end
  return v
end

local ensure_future, kind = M.ensure_future, C.kind

local function check_awaitable(fname, n, v, present)
  if not kind(v) then
    argerror(n, fname, "awaitable expected, got " .. typename(v, present), 1)
  end
  return ensure_future(v)
end

local function check_timeout(fname, n, v, present)
  if v ~= nil and type(v) ~= "number" then
    argerror(n, fname, "number expected, got " .. typename(v, present), 1)
  end
  -- A NaN deadline never comes (on the loop it froze every timer).
  if v ~= v then argerror(n, fname, "number expected, got NaN", 1) end
  return v
end

local function current_task_or_error()
  local task = M.current_task()
  if not task then error("attempt to suspend outside a task", 3) end
  return task
end

function M.Future()
  return M.get_event_loop():create_future()
end

function M.iscoroutine(v)
  return kind(v) == "coroutine"
end

-- For the other Lua parts (tasks.lua, locks.lua, streams.lua, ...).
C.argerror, C.typename, C.check_self, C.bad_self = argerror, typename, check_self, bad_self
C.current_task_or_error, C.opt_field = current_task_or_error, opt_field
C.is_plain_table, C.check_awaitable, C.check_timeout = is_plain_table, check_awaitable, check_timeout

return M
