-- tasks.lua -- the task-level API written in Lua: timeouts, wait_for, shield, wait, as_completed, TaskGroup, run, Runner (a lazy part)
local M, C = ...

local type, select, error, tostring, pairs, ipairs = type, select, error, tostring, pairs, ipairs
local setmetatable, getmetatable = setmetatable, getmetatable
local argerror, typename, check_self, opt_field = C.argerror, C.typename, C.check_self, C.opt_field
local is_plain_table, check_awaitable, check_timeout = C.is_plain_table, C.check_awaitable, C.check_timeout
local current_task_or_error, ensure_future, kind = C.current_task_or_error, M.ensure_future, C.kind
local CancelledError, TimeoutError, ExceptionGroup = M.CancelledError, M.TimeoutError, M.ExceptionGroup

--------------------------------------------------------------------------
-- gather is in C (l_gather.c); asyncio.run's shutdown uses its future.

local gather_future = C.gather_future

--------------------------------------------------------------------------
-- timeout, timeout_at: a scope whose deadline cancels the task, and whose
-- exit turns that cancellation into TimeoutError (Python's Timeout).

local Timeout = {__name = "asyncio.Timeout"}
Timeout.__index = Timeout

-- The TimeoutError a timeout turns the cancellation into: its traceback is
-- the cancellation's, taken where the task was waiting (the script's line),
-- as Python chains the CancelledError; by the time the scope closes, those
-- frames are unwound.
local function timeout_error(cancelled)
  local e = TimeoutError()
  if type(cancelled.traceback) == "string" then e.traceback = cancelled.traceback end
  return e
end

local function on_timeout(self)
  self._task:cancel()
  self._state = "expiring"
  self._handle = nil
end

function Timeout:when()
  check_self(self, Timeout, "when")
  return self._when
end

function Timeout:expired()
  check_self(self, Timeout, "expired")
  return self._state == "expiring" or self._state == "expired"
end

local function reschedule(self, when)
  self._when = when
  if self._handle then self._handle:cancel() end
  if when == nil then
    self._handle = nil
  else
    local loop = M.get_running_loop()
    if when <= loop:time() then
      self._handle = loop:call_soon(on_timeout, self)
    else
      self._handle = loop:call_at(when, on_timeout, self)
    end
  end
end

function Timeout:reschedule(when)
  check_self(self, Timeout, "reschedule")
  if when ~= nil and type(when) ~= "number" then
    argerror(1, "reschedule", "number expected, got " .. type(when))
  end
  if when ~= when then argerror(1, "reschedule", "number expected, got NaN") end
  if self._state ~= "entered" then
    error("Cannot change state of " .. self._state .. " Timeout", 2)
  end
  reschedule(self, when)
end

function Timeout:__close(err)
  check_self(self, Timeout, "__close")
  if self._handle then
    self._handle:cancel()
    self._handle = nil
  end
  if self._state == "expiring" then
    self._state = "expired"
    if self._task:uncancel() <= self._cancelling and err ~= nil then
      if CancelledError:is(err) then
        error(timeout_error(err), 0)
      end
    end
  elseif self._state == "entered" then
    self._state = "exited"
  end
end

Timeout.__tostring = function(self)
  check_self(self, Timeout, "__tostring")
  return ("<Timeout %s when=%s>"):format(self._state, tostring(self._when))
end

local function new_timeout(when)
  local task = current_task_or_error()
  local self = setmetatable({_state = "entered", _when = when, _task = task,
                             _cancelling = task:cancelling()}, Timeout)
  reschedule(self, when)
  return self
end

function M.timeout_at(...)
  local when = ...
  check_timeout("timeout_at", 1, when, select("#", ...) >= 1)
  return new_timeout(when)
end

function M.timeout(...)
  local delay = ...
  check_timeout("timeout", 1, delay, select("#", ...) >= 1)
  if delay ~= nil then delay = M.get_running_loop():time() + delay end
  return new_timeout(delay)
end

--------------------------------------------------------------------------
-- wait_for, shield

local function cancel_and_wait(fut)
  fut:cancel()
  local waiter = fut:get_loop():create_future()
  fut:add_done_callback(function() if not waiter:done() then waiter:set_result() end end)
  C.note_wait("cancel", fut)
  waiter:await()
end

function M.wait_for(...)
  local nargs, aw, timeout = select("#", ...), ...
  if not kind(aw) then argerror(1, "wait_for", "awaitable expected, got " .. typename(aw, nargs >= 1)) end
  check_timeout("wait_for", 2, timeout, nargs >= 2)
  current_task_or_error()
  if timeout ~= nil and timeout <= 0 then
    local fut = ensure_future(aw)
    if fut:done() then return fut:result() end
    cancel_and_wait(fut)
    local res = table.pack(pcall(fut.result, fut))
    if res[1] then return table.unpack(res, 2, res.n) end
    if CancelledError:is(res[2]) then error(timeout_error(res[2]), 0) end
    error(res[2], 0)
  end
  local t <close> = new_timeout(timeout and M.get_running_loop():time() + timeout)
  return M.await(aw)
end

function M.shield(...)
  local aw = ...
  local inner = check_awaitable("shield", 1, aw, select("#", ...) >= 1)
  if inner:done() then return inner:result() end
  current_task_or_error()
  local outer = inner:get_loop():create_future()
  local function inner_done(f)
    if outer:cancelled() then
      if not f:cancelled() then f:exception() end
      return
    end
    if f:cancelled() then
      outer:cancel()
    else
      local exc = f:exception()
      if exc ~= nil then outer:set_exception(exc) else outer:set_result(f:result()) end
    end
  end
  inner:add_done_callback(inner_done)
  outer:add_done_callback(function()
    if not inner:done() then inner:remove_done_callback(inner_done) end
  end)
  C.note_wait("shield", inner)
  return outer:await()
end

--------------------------------------------------------------------------
-- wait, as_completed

M.FIRST_COMPLETED = "FIRST_COMPLETED"
M.FIRST_EXCEPTION = "FIRST_EXCEPTION"
M.ALL_COMPLETED = "ALL_COMPLETED"

local function check_list(fname, list, present)
  if type(list) ~= "table" or not is_plain_table(list) then
    argerror(1, fname, "table expected, got " .. typename(list, present), 1)
  end
  local futs = {}
  for i = 1, list.n or #list do
    local v = list[i]
    if not kind(v) then
      argerror(1, fname, ("awaitable expected at index %d, got %s"):format(i, type(v)), 1)
    end
    futs[i] = ensure_future(v)
  end
  return futs
end

function M.wait(...)
  local list, opts = ...
  local futs = check_list("wait", list, select("#", ...) >= 1)
  local timeout, return_when
  if opts ~= nil then
    if not is_plain_table(opts) then argerror(2, "wait", "table expected, got " .. type(opts)) end
    timeout = opt_field("wait", 2, opts, "timeout", "number")
    if timeout ~= timeout then argerror(2, "wait", "field 'timeout': number expected, got NaN") end
    return_when = opt_field("wait", 2, opts, "return_when", "string", M.ALL_COMPLETED)
    if return_when ~= M.FIRST_COMPLETED and return_when ~= M.FIRST_EXCEPTION and
       return_when ~= M.ALL_COMPLETED then
      argerror(2, "wait", "invalid option 'return_when'")
    end
  end
  return_when = return_when or M.ALL_COMPLETED
  if #futs == 0 then argerror(1, "wait", "empty list of awaitables") end
  current_task_or_error()
  local loop = M.get_running_loop()
  local waiter = loop:create_future()
  local handle
  if timeout ~= nil then
    handle = loop:call_later(timeout, function()
      if not waiter:done() then waiter:set_result() end
    end)
  end
  local counter = #futs
  local function on_completion(f)
    counter = counter - 1
    if counter <= 0 or return_when == M.FIRST_COMPLETED or
       (return_when == M.FIRST_EXCEPTION and not f:cancelled() and f:exception() ~= nil) then
      if handle then handle:cancel() end
      if not waiter:done() then waiter:set_result() end
    end
  end
  for _, f in ipairs(futs) do f:add_done_callback(on_completion) end
  C.note_wait("wait", futs)
  local ok, err = pcall(waiter.await, waiter)
  if handle then handle:cancel() end
  for _, f in ipairs(futs) do f:remove_done_callback(on_completion) end
  if not ok then error(err, 0) end
  local done, pending = {n = 0}, {n = 0}
  for _, f in ipairs(futs) do
    local into = f:done() and done or pending
    into.n = into.n + 1
    into[into.n] = f
  end
  return done, pending
end

function M.as_completed(...)
  local list, opts = ...
  local futs = check_list("as_completed", list, select("#", ...) >= 1)
  local timeout
  if opts ~= nil then
    if not is_plain_table(opts) then argerror(2, "as_completed", "table expected, got " .. type(opts)) end
    timeout = opt_field("as_completed", 2, opts, "timeout", "number")
    if timeout ~= timeout then
      argerror(2, "as_completed", "field 'timeout': number expected, got NaN")
    end
  end
  local loop = M.get_event_loop()
  local todo, ntodo = {}, 0
  local done, head, tail = {}, 1, 0
  local waiter
  local TIMED_OUT = {}
  local handle
  local function push(v)
    tail = tail + 1
    done[tail] = v
    if waiter and not waiter:done() then waiter:set_result() end
  end
  local function on_completion(f)
    if not todo[f] then return end
    todo[f] = nil
    ntodo = ntodo - 1
    push(f)
    if ntodo == 0 and handle then handle:cancel() end
  end
  for _, f in ipairs(futs) do
    if not todo[f] then
      todo[f] = true
      ntodo = ntodo + 1
      f:add_done_callback(on_completion)
    end
  end
  local remaining = ntodo
  if timeout ~= nil and ntodo > 0 then
    handle = loop:call_later(timeout, function()
      for f in pairs(todo) do
        f:remove_done_callback(on_completion)
        push(TIMED_OUT)
      end
      todo, ntodo = {}, 0
    end)
  end
  return function()
    if remaining == 0 then return nil end
    while head > tail do
      waiter = loop:create_future()
      C.note_wait("as_completed")
      waiter:await()
      waiter = nil
    end
    local f = done[head]
    done[head] = nil
    head = head + 1
    remaining = remaining - 1
    if f == TIMED_OUT then
      remaining = 0
      error(TimeoutError(), 2)
    end
    return f
  end
end

--------------------------------------------------------------------------
-- TaskGroup

local TaskGroup = {__name = "asyncio.TaskGroup"}
TaskGroup.__index = TaskGroup
TaskGroup.__tostring = function(self)
  check_self(self, TaskGroup, "__tostring")
  local n = 0
  for _ in pairs(self._tasks) do n = n + 1 end
  return ("<TaskGroup tasks=%d%s>"):format(n, self._aborting and " cancelling" or "")
end

function M.TaskGroup()
  local parent = M.current_task()
  if not parent then error("TaskGroup must be made inside a task", 2) end
  return setmetatable({_loop = M.get_running_loop(), _parent = parent, _tasks = {},
                       _ntasks = 0, _errors = {}, _failed = {}, _aborting = false, _exiting = false,
                       _parent_cancel_requested = false}, TaskGroup)
end

local function abort(self)
  self._aborting = true
  for t in pairs(self._tasks) do
    if not t:done() then t:cancel() end
  end
end

local function on_task_done(self, task)
  if self._tasks[task] then
    self._tasks[task] = nil
    self._ntasks = self._ntasks - 1
  end
  local fut = self._on_completed
  if fut and self._ntasks == 0 and not fut:done() then fut:set_result(true) end
  if task:cancelled() then return end
  local exc = task:exception()
  if exc == nil then return end
  self._errors[#self._errors + 1] = exc
  self._failed[#self._errors] = task
  if self._parent:done() then return end
  if not self._aborting and not self._parent_cancel_requested then
    abort(self)
    self._parent_cancel_requested = true
    self._parent:cancel()
  end
end

function TaskGroup:create_task(...)
  local fn = ...
  check_self(self, TaskGroup, "create_task")
  if not kind(fn) or type(fn) == "userdata" and not M.iscoroutine(fn) then
    argerror(1, "create_task", "function or coroutine expected, got " .. typename(fn, select("#", ...) >= 1))
  end
  if self._exiting and self._ntasks == 0 then error("TaskGroup is finished", 2) end
  if self._aborting then error("TaskGroup is shutting down", 2) end
  local task = self._loop:create_task(...)
  self._tasks[task] = true
  self._ntasks = self._ntasks + 1
  task:add_done_callback(function(t) on_task_done(self, t) end)
  return task
end

function TaskGroup:__close(err)
  check_self(self, TaskGroup, "__close")
  self._exiting = true
  local propagate
  if err ~= nil and CancelledError:is(err) then propagate = err end
  if err ~= nil and not self._aborting then abort(self) end
  while self._ntasks > 0 do
    self._on_completed = self._loop:create_future()
    C.note_wait("TaskGroup", self._tasks)
    local ok, ex = pcall(self._on_completed.await, self._on_completed)
    if not ok then
      if not CancelledError:is(ex) then error(ex, 0) end
      if not self._aborting then
        propagate = ex
        abort(self)
      end
    end
    self._on_completed = nil
  end
  if self._parent_cancel_requested then
    if self._parent:uncancel() == 0 then propagate = nil end
  end
  if propagate ~= nil and #self._errors == 0 then error(propagate, 0) end
  if err ~= nil and not CancelledError:is(err) then
    self._errors[#self._errors + 1] = err
  end
  if #self._errors > 0 then
    if self._parent:cancelling() > 0 then
      self._parent:uncancel()
      self._parent:cancel()
    end
    local n = #self._errors
    local eg = ExceptionGroup(("unhandled errors in a TaskGroup (%d sub-exception%s)"):format(
      n, n == 1 and "" or "s"), self._errors)
    eg._tasks = self._failed -- the task of each error, for the report of an uncaught group
    error(eg, 0)
  end
end

--------------------------------------------------------------------------
-- run, Runner

local function cancel_all_tasks(loop)
  local tasks = C.all_tasks(loop)
  if tasks.n == 0 then return end
  for i = 1, tasks.n do tasks[i]:cancel() end
  loop:run_until_complete(gather_future(true, table.unpack(tasks, 1, tasks.n)))
  for i = 1, tasks.n do
    local t = tasks[i]
    if not t:cancelled() and t:exception() ~= nil then
      io.stderr:write("unhandled exception during asyncio.run() shutdown\n",
                      tostring(t), ": ", tostring(t:exception()), "\n")
    end
  end
end

local Runner = {__name = "asyncio.Runner"}
Runner.__index = Runner

function M.Runner(opts)
  if opts ~= nil and not is_plain_table(opts) then
    argerror(1, "Runner", "table expected, got " .. type(opts))
  end
  local debug = opts and opt_field("Runner", 1, opts, "debug", "boolean")
  return setmetatable({_state = "created", _debug = debug}, Runner)
end

-- Makes the loop on first use; level: where a closed Runner's error points.
local function init(self, level)
  if self._state == "closed" then error("Runner is closed", level + 1) end
  if self._state == "initialized" then return end
  self._loop = M.new_event_loop()
  M.set_event_loop(self._loop)
  if self._debug ~= nil then self._loop:set_debug(self._debug) end
  self._state = "initialized"
end

function Runner:get_loop()
  check_self(self, Runner, "get_loop")
  init(self, 2)
  return self._loop
end

function Runner:run(...)
  local fn = ...
  check_self(self, Runner, "run")
  if not kind(fn) or (type(fn) == "userdata" and not M.iscoroutine(fn)) then
    argerror(1, "run", "function or coroutine expected, got " .. typename(fn, select("#", ...) >= 1))
  end
  if C.running_loop() then
    error("Runner.run() cannot be called from a running event loop", 2)
  end
  init(self, 2)
  local task = self._loop:create_task(...)
  return self._loop:run_until_complete(task)
end

local function close_runner(self)
  if self._state ~= "initialized" then
    self._state = "closed"
    return
  end
  local loop = self._loop
  local ok, err = pcall(cancel_all_tasks, loop)
  M.set_event_loop(nil)
  loop:close()
  self._loop = nil
  self._state = "closed"
  if not ok then error(err, 0) end
end

function Runner:close()
  check_self(self, Runner, "close")
  close_runner(self)
end

function Runner:__close()
  check_self(self, Runner, "__close")
  close_runner(self)
end

function M.run(...)
  local fn = ...
  if not kind(fn) or (type(fn) == "userdata" and not M.iscoroutine(fn)) then
    argerror(1, "run", "function or coroutine expected, got " .. typename(fn, select("#", ...) >= 1))
  end
  if C.running_loop() then
    return M.create_task(...):await()
  end
  local runner <close> = M.Runner()
  return runner:run(...)
end
