-- locks.lua -- Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier: CPython 3.13's asyncio.locks over Futures
local M, C = ...

local setmetatable, getmetatable, type, select, error = setmetatable, getmetatable, type, select, error
local argerror, typename, check_self, bad_self = C.argerror, C.typename, C.check_self, C.bad_self
local CancelledError = M.CancelledError

--------------------------------------------------------------------------
-- Waiters: a FIFO of futures with O(1) removal at the head, where woken
-- waiters usually are; a waiter removed from the middle leaves a hole.

local Waiters = {}
Waiters.__index = Waiters

local function new_waiters()
  return setmetatable({head = 1, tail = 0, n = 0}, Waiters)
end

function Waiters:push(fut)
  self.tail = self.tail + 1
  self[self.tail] = fut
  self.n = self.n + 1
end

-- The first waiter, skipping holes.
function Waiters:first()
  local i = self.head
  while i <= self.tail do
    local fut = self[i]
    if fut then return fut end
    i = i + 1
  end
end

function Waiters:remove(fut)
  for i = self.head, self.tail do
    if self[i] == fut then
      self[i] = false
      self.n = self.n - 1
      while self.head <= self.tail and not self[self.head] do
        self[self.head] = nil
        self.head = self.head + 1
      end
      return
    end
  end
end

-- Iterates the waiters in order: for fut in waiters:each() do.
function Waiters:each()
  local i = self.head - 1
  return function()
    repeat
      i = i + 1
      if i > self.tail then return nil end
    until self[i]
    return self[i]
  end
end

local function new_future()
  return M.get_running_loop():create_future()
end

-- Awaits fut as a waiter of list; always leaves the list. Returns ok, err.
-- label says what the task waits on, for aiod ps.
local function wait_on(list, fut, label)
  list:push(fut)
  C.note_wait(label)
  local ok, err = pcall(fut.await, fut)
  list:remove(fut)
  return ok, err
end

--------------------------------------------------------------------------
-- guard(): local _ <close> = x:guard() acquires now, releases on leaving.

local guard -- below

local Guard = {__close = function(self) self.owner:release() end}
Guard.__index = Guard

-- The guard method of class (and of its subclass also).
local function guard_of(class, also)
  return function(self)
    check_self(self, class, "guard", also)
    return guard(self)
  end
end

function guard(self)
  self:acquire()
  local g = rawget(self, "_guard")
  if not g then
    g = setmetatable({owner = self}, Guard)
    rawset(self, "_guard", g)
  end
  return g
end

--------------------------------------------------------------------------
-- Lock

local Lock = {__name = "asyncio.Lock"}
Lock.__index = Lock

function M.Lock()
  return setmetatable({_locked = false, _waiters = new_waiters()}, Lock)
end

function Lock:locked()
  check_self(self, Lock, "locked")
  return self._locked
end

local function all_cancelled(waiters)
  for fut in waiters:each() do
    if not fut:cancelled() then return false end
  end
  return true
end

local function wake_up_first(self)
  local fut = self._waiters:first()
  if fut and not fut:done() then fut:set_result(true) end
end

function Lock:acquire()
  if getmetatable(self) ~= Lock then bad_self(self, Lock, "acquire") end
  if not self._locked and (self._waiters.n == 0 or all_cancelled(self._waiters)) then
    self._locked = true
    return true
  end
  local ok, err = wait_on(self._waiters, new_future(), "Lock.acquire")
  if not ok then
    -- Cancelled: if the lock is free, the next waiter must not be stranded.
    if CancelledError:is(err) and not self._locked then wake_up_first(self) end
    error(err, 0)
  end
  self._locked = true
  return true
end

function Lock:release()
  if getmetatable(self) ~= Lock then bad_self(self, Lock, "release") end
  if not self._locked then error("Lock is not acquired.", 2) end
  self._locked = false
  wake_up_first(self)
end

Lock.guard = guard_of(Lock)

function Lock:__tostring()
  check_self(self, Lock, "__tostring")
  local extra = self._waiters.n > 0 and (", waiters:%d"):format(self._waiters.n) or ""
  return ("<Lock [%s%s]>"):format(self._locked and "locked" or "unlocked", extra)
end

--------------------------------------------------------------------------
-- Event

local Event = {__name = "asyncio.Event"}
Event.__index = Event

function M.Event()
  return setmetatable({_value = false, _waiters = new_waiters()}, Event)
end

function Event:is_set()
  check_self(self, Event, "is_set")
  return self._value
end

function Event:set()
  check_self(self, Event, "set")
  if self._value then return end
  self._value = true
  for fut in self._waiters:each() do
    if not fut:done() then fut:set_result(true) end
  end
end

function Event:clear()
  check_self(self, Event, "clear")
  self._value = false
end

function Event:wait()
  check_self(self, Event, "wait")
  if self._value then return true end
  local ok, err = wait_on(self._waiters, new_future(), "Event.wait")
  if not ok then error(err, 0) end
  return true
end

function Event:__tostring()
  check_self(self, Event, "__tostring")
  return ("<Event [%s]>"):format(self._value and "set" or "unset")
end

--------------------------------------------------------------------------
-- Condition

local Condition = {__name = "asyncio.Condition"}
Condition.__index = Condition

function M.Condition(...)
  local lock = ...
  if lock == nil then
    lock = M.Lock()
  elseif getmetatable(lock) ~= Lock then
    argerror(1, "Condition", "Lock expected, got " .. typename(lock, true))
  end
  return setmetatable({_lock = lock, _waiters = new_waiters()}, Condition)
end

function Condition:locked()
  check_self(self, Condition, "locked")
  return self._lock:locked()
end

function Condition:acquire()
  check_self(self, Condition, "acquire")
  return self._lock:acquire()
end

function Condition:release()
  check_self(self, Condition, "release")
  return self._lock:release()
end

Condition.guard = guard_of(Condition)

local function notify(self, n)
  local woken = 0
  for fut in self._waiters:each() do
    if woken >= n then break end
    if not fut:done() then
      woken = woken + 1
      fut:set_result(false)
    end
  end
end

-- level: where the error of a wait without the lock points.
local function wait(self, level)
  if not self._lock._locked then error("cannot wait on un-acquired lock", level + 1) end
  self:release()
  local fut = new_future()
  local ok, err = wait_on(self._waiters, fut, "Condition.wait")
  if not ok and CancelledError:is(err) and fut:done() and not fut:cancelled() then
    -- Notified, then cancelled: hand the notification to the next waiter.
    notify(self, 1)
  end
  -- The lock is taken back even when the wait was cancelled.
  while true do
    local got, again = pcall(self._lock.acquire, self._lock)
    if got then break end
    if not CancelledError:is(again) then error(again, 0) end
    ok, err = false, again
  end
  if not ok then error(err, 0) end
end

function Condition:wait()
  check_self(self, Condition, "wait")
  wait(self, 2)
  return true
end

function Condition:wait_for(predicate)
  check_self(self, Condition, "wait_for")
  if type(predicate) ~= "function" and not (getmetatable(predicate) or {}).__call then
    argerror(1, "wait_for", "function expected, got " .. typename(predicate, predicate ~= nil))
  end
  local result = predicate()
  while not result do
    wait(self, 2)
    result = predicate()
  end
  return result
end

function Condition:notify(n)
  check_self(self, Condition, "notify")
  if n ~= nil and math.type(n) ~= "integer" then
    argerror(1, "notify", "number expected, got " .. type(n))
  end
  if not self:locked() then error("cannot notify on un-acquired lock", 2) end
  notify(self, n or 1)
end

function Condition:notify_all()
  check_self(self, Condition, "notify_all")
  if not self:locked() then error("cannot notify on un-acquired lock", 2) end
  notify(self, self._waiters.n)
end

function Condition:__tostring()
  check_self(self, Condition, "__tostring")
  return ("<Condition [%s, waiters:%d]>"):format(
    self:locked() and "locked" or "unlocked", self._waiters.n)
end

--------------------------------------------------------------------------
-- Semaphore, BoundedSemaphore

local Semaphore = {__name = "asyncio.Semaphore"}
Semaphore.__index = Semaphore
local BoundedSemaphore = setmetatable({__name = "asyncio.BoundedSemaphore"}, {__index = Semaphore})
BoundedSemaphore.__index = BoundedSemaphore

local function new_semaphore(class, fname, ...)
  local value = ...
  if value == nil then
    value = 1
  elseif math.type(value) ~= "integer" then
    argerror(1, fname, (type(value) == "number" and "integer" or "number") ..
             " expected, got " .. typename(value, true))
  elseif value < 0 then
    argerror(1, fname, "initial value must be >= 0")
  end
  return setmetatable({_value = value, _bound = value, _waiters = new_waiters()}, class)
end

function M.Semaphore(...) return new_semaphore(Semaphore, "Semaphore", ...) end
function M.BoundedSemaphore(...) return new_semaphore(BoundedSemaphore, "BoundedSemaphore", ...) end

local function semaphore_locked(self)
  if self._value == 0 then return true end
  for fut in self._waiters:each() do
    if not fut:cancelled() then return true end
  end
  return false
end

function Semaphore:locked()
  check_self(self, Semaphore, "locked", BoundedSemaphore)
  return semaphore_locked(self)
end

-- Wakes the first waiter not yet woken; whether there was one.
local function wake_up_next(self)
  for fut in self._waiters:each() do
    if not fut:done() then
      self._value = self._value - 1
      fut:set_result(true)
      return true
    end
  end
  return false
end

function Semaphore:acquire()
  local mt = getmetatable(self)
  if mt ~= Semaphore and mt ~= BoundedSemaphore then bad_self(self, Semaphore, "acquire") end
  if not semaphore_locked(self) then
    -- FIFO: a free unit goes to the caller only when nobody waits.
    self._value = self._value - 1
    return true
  end
  local fut = new_future()
  local ok, err = wait_on(self._waiters, fut, "Semaphore.acquire")
  if not ok and CancelledError:is(err) and fut:done() and not fut:cancelled() then
    -- Woken, then cancelled: give back the unit we were handed.
    self._value = self._value + 1
  end
  -- Newcomers may have queued behind us: wake as many as units allow.
  while self._value > 0 do
    if not wake_up_next(self) then break end
  end
  if not ok then error(err, 0) end
  return true
end

local function release_semaphore(self)
  self._value = self._value + 1
  wake_up_next(self)
end

function Semaphore:release()
  local mt = getmetatable(self)
  if mt ~= Semaphore and mt ~= BoundedSemaphore then bad_self(self, Semaphore, "release") end
  release_semaphore(self)
end

function BoundedSemaphore:release()
  if getmetatable(self) ~= BoundedSemaphore then bad_self(self, BoundedSemaphore, "release") end
  if self._value >= self._bound then
    error("BoundedSemaphore released too many times", 2)
  end
  release_semaphore(self)
end

Semaphore.guard = guard_of(Semaphore, BoundedSemaphore)
BoundedSemaphore.guard = Semaphore.guard

function Semaphore:__tostring()
  check_self(self, Semaphore, "__tostring", BoundedSemaphore)
  return ("<%s [%s, value:%d, waiters:%d]>"):format(
    getmetatable(self) == BoundedSemaphore and "BoundedSemaphore" or "Semaphore",
    self:locked() and "locked" or "unlocked", self._value, self._waiters.n)
end
BoundedSemaphore.__tostring = Semaphore.__tostring

--------------------------------------------------------------------------
-- Barrier: parties, n_waiting and broken read like fields.

local Barrier = {}
local BarrierMeta = {__name = "asyncio.Barrier"}

function M.Barrier(...)
  local parties = ...
  if math.type(parties) ~= "integer" then
    argerror(1, "Barrier", (type(parties) == "number" and "integer" or "number") ..
             " expected, got " .. typename(parties, select("#", ...) > 0))
  end
  if parties < 1 then argerror(1, "Barrier", "parties must be > 0") end
  return setmetatable({_cond = M.Condition(), _parties = parties,
                       _state = "filling", _count = 0}, BarrierMeta)
end

BarrierMeta.__index = function(self, key)
  check_self(self, BarrierMeta, "__index")
  if key == "parties" then return rawget(self, "_parties") end
  if key == "n_waiting" then
    return rawget(self, "_state") == "filling" and rawget(self, "_count") or 0
  end
  if key == "broken" then return rawget(self, "_state") == "broken" end
  return Barrier[key]
end

BarrierMeta.__tostring = function(self)
  check_self(self, BarrierMeta, "__tostring")
  return ("<Barrier [%s, waiters:%d/%d]>"):format(self._state, self.n_waiting, self._parties)
end

local function barrier_exit(self)
  if self._count == 0 then
    if self._state == "resetting" or self._state == "draining" then
      self._state = "filling"
    end
    self._cond:notify_all()
  end
end

function Barrier:wait()
  check_self(self, BarrierMeta, "wait")
  local _ <close> = self._cond:guard()
  -- Wait while the barrier drains or resets.
  self._cond:wait_for(function()
    return self._state ~= "draining" and self._state ~= "resetting"
  end)
  if self._state == "broken" then error(M.BrokenBarrierError("Barrier aborted"), 0) end
  local index = self._count
  self._count = self._count + 1
  local ok, err = pcall(function()
    if index + 1 == self._parties then
      self._state = "draining"
      self._cond:notify_all()
    else
      self._cond:wait_for(function() return self._state ~= "filling" end)
      if self._state == "broken" or self._state == "resetting" then
        error(M.BrokenBarrierError("Abort or reset of barrier"), 0)
      end
    end
  end)
  self._count = self._count - 1
  barrier_exit(self)
  if not ok then error(err, 0) end
  return index
end

function Barrier:reset()
  check_self(self, BarrierMeta, "reset")
  local _ <close> = self._cond:guard()
  if self._count > 0 then
    self._state = "resetting"
  else
    self._state = "filling"
  end
  self._cond:notify_all()
end

function Barrier:abort()
  check_self(self, BarrierMeta, "abort")
  local _ <close> = self._cond:guard()
  self._state = "broken"
  self._cond:notify_all()
end

C.new_waiters, C.wait_on = new_waiters, wait_on
