-- queues.lua -- Queue, PriorityQueue, LifoQueue: CPython 3.13's asyncio.queues over Futures
local M, C = ...

local setmetatable, getmetatable, type, select, error = setmetatable, getmetatable, type, select, error
local argerror, typename, check_self = C.argerror, C.typename, C.check_self
local _ = M.Event	-- loads locks.lua, whose waiter lists this part shares
local new_waiters = C.new_waiters
local QueueFull, QueueEmpty, QueueShutDown = M.QueueFull, M.QueueEmpty, M.QueueShutDown

-- Storage strategies: each gives _put, _get and a size count in self._size.

-- Queue and LifoQueue both add at the tail; they differ in which end gets.
local function append(self, item)
  local tail = self._tail + 1
  self._tail = tail
  self._items[tail] = item
end

local function fifo_get(self)
  local head = self._head
  local item = self._items[head]
  self._items[head] = nil
  self._head = head + 1
  return item
end

local function lifo_get(self)
  local tail = self._tail
  local item = self._items[tail]
  self._items[tail] = nil
  self._tail = tail - 1
  return item
end

-- PriorityQueue: a binary heap of {key, seq, item}; seq keeps equal keys in
-- insertion order, which Python's heapq does not promise but API.md does.
local function before(a, b)
  if a[1] < b[1] then return true end
  if b[1] < a[1] then return false end
  return a[2] < b[2]
end

local function heap_put(self, item)
  local key = item
  if type(item) == "table" and item[1] ~= nil then key = item[1] end
  self._seq = self._seq + 1
  local heap, entry = self._items, {key, self._seq, item}
  local i = self._tail + 1
  self._tail = i
  while i > 1 do
    local parent = i // 2
    if not before(entry, heap[parent]) then break end
    heap[i] = heap[parent]
    i = parent
  end
  heap[i] = entry
end

local function heap_get(self)
  local heap = self._items
  local top, n = heap[1], self._tail
  local last = heap[n]
  heap[n] = nil
  n = n - 1
  self._tail = n
  if n > 0 then
    local i = 1
    while true do
      local child = 2 * i
      if child > n then break end
      if child < n and before(heap[child + 1], heap[child]) then child = child + 1 end
      if not before(heap[child], last) then break end
      heap[i] = heap[child]
      i = child
    end
    heap[i] = last
  end
  return top[3]
end

local Queue = {}
Queue.__index = Queue

local function new_queue(fname, put, get, ...)
  local maxsize = ...
  if maxsize == nil then
    maxsize = 0
  elseif type(maxsize) ~= "number" then
    argerror(1, fname, "number expected, got " .. typename(maxsize, select("#", ...) > 0))
  end
  local finished = M.Event()
  finished:set()
  return setmetatable({maxsize = maxsize, _items = {}, _head = 1, _tail = 0, _seq = 0,
                       _size = 0, _put = put, _get = get, _kind = fname,
                       _getters = new_waiters(), _putters = new_waiters(),
                       _unfinished = 0, _finished = finished, _shutdown = false}, Queue)
end

function M.Queue(...) return new_queue("Queue", append, fifo_get, ...) end
function M.LifoQueue(...) return new_queue("LifoQueue", append, lifo_get, ...) end
function M.PriorityQueue(...) return new_queue("PriorityQueue", heap_put, heap_get, ...) end

local function full(self)
  return self.maxsize > 0 and self._size >= self.maxsize
end

-- Wakes the next waiter of list that is still waiting.
local function wakeup_next(list)
  while list.n > 0 do
    local fut = list:first()
    list:remove(fut)
    if not fut:done() then
      fut:set_result()
      return
    end
  end
end

function Queue:qsize() return self._size end
function Queue:empty() return self._size == 0 end
function Queue:full() return full(self) end

-- put's argument error: which nil it got depends on how many arguments came.
local function nil_item(...)
  return "value expected, got " .. typename(nil, select("#", ...) > 0)
end

local function put_nowait(self, item)
  if self._shutdown then error(QueueShutDown(), 3) end
  if full(self) then error(QueueFull(), 3) end
  self:_put(item)
  self._size = self._size + 1
  self._unfinished = self._unfinished + 1
  self._finished._value = false	-- Event:clear(), inlined: put is hot
  if self._getters.n > 0 then wakeup_next(self._getters) end
end

local function get_nowait(self)
  if self._size == 0 then
    if self._shutdown then error(QueueShutDown(), 3) end
    error(QueueEmpty(), 3)
  end
  local item = self:_get()
  self._size = self._size - 1
  if self._putters.n > 0 then wakeup_next(self._putters) end
  return item
end

function Queue:put_nowait(...)
  local item = ...
  check_self(self, Queue, "put_nowait")
  if item == nil then argerror(1, "put_nowait", nil_item(...)) end
  put_nowait(self, item)
end

function Queue:get_nowait()
  check_self(self, Queue, "get_nowait")
  return get_nowait(self)
end

-- Waits in list until woken; on failure, passes a wake-up it cannot use on.
local function wait_turn(self, list, still_blocked)
  C.current_task_or_error()
  local fut = M.get_running_loop():create_future()
  list:push(fut)
  local ok, err = pcall(fut.await, fut)
  if ok then return end
  fut:cancel()
  list:remove(fut)
  if not still_blocked(self) and not fut:cancelled() then wakeup_next(list) end
  error(err, 0)
end

local function is_empty(self) return self._size == 0 end

-- put and get are the hot paths: the common case (room, or an item, and
-- nobody to wake) is done inline; everything else goes the long way.
function Queue:put(...)
  local item = ...
  if item ~= nil and getmetatable(self) == Queue and not self._shutdown then
    local size, maxsize = self._size, self.maxsize
    if maxsize <= 0 or size < maxsize then
      self:_put(item)
      self._size = size + 1
      self._unfinished = self._unfinished + 1
      self._finished._value = false
      if self._getters.n > 0 then wakeup_next(self._getters) end
      return
    end
  end
  check_self(self, Queue, "put")
  if item == nil then argerror(1, "put", nil_item(...)) end
  while full(self) do
    if self._shutdown then error(QueueShutDown(), 2) end
    wait_turn(self, self._putters, full)
  end
  put_nowait(self, item)
end

function Queue:get()
  if getmetatable(self) == Queue then
    local size = self._size
    if size > 0 then
      local item = self:_get()
      self._size = size - 1
      if self._putters.n > 0 then wakeup_next(self._putters) end
      return item
    end
  end
  check_self(self, Queue, "get")
  while self._size == 0 do
    if self._shutdown then error(QueueShutDown(), 2) end
    wait_turn(self, self._getters, is_empty)
  end
  return get_nowait(self)
end

function Queue:task_done()
  check_self(self, Queue, "task_done")
  if self._unfinished <= 0 then error("task_done() called too many times", 2) end
  self._unfinished = self._unfinished - 1
  if self._unfinished == 0 then self._finished:set() end
end

function Queue:join()
  check_self(self, Queue, "join")
  if self._unfinished > 0 then self._finished:wait() end
end

function Queue:shutdown(immediate)
  check_self(self, Queue, "shutdown")
  self._shutdown = true
  if immediate then
    while self._size > 0 do
      self:_get()
      self._size = self._size - 1
      if self._unfinished > 0 then self._unfinished = self._unfinished - 1 end
    end
    if self._unfinished == 0 then self._finished:set() end
  end
  -- Every waiter re-checks and sees the shutdown.
  for _, list in ipairs({self._getters, self._putters}) do
    while list.n > 0 do
      local fut = list:first()
      list:remove(fut)
      if not fut:done() then fut:set_result() end
    end
  end
end

function Queue:__tostring()
  return ("<%s maxsize=%s qsize=%d%s>"):format(self._kind, tostring(self.maxsize), self._size,
    self._shutdown and " shutdown" or "")
end
