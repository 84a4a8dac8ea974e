-- luvsched.lua -- the minimal coroutine scheduler the luv peers run on (luv has none of its own).
local uv = require "luv"

local M = {}

-- A FIFO of ready coroutines, run by an idle handle on each loop turn.
local ready, idle = {}, uv.new_idle()

local function run_ready()
  local batch = ready
  ready = {}
  for i = 1, #batch do
    assert(coroutine.resume(batch[i]))
  end
  if #ready == 0 then idle:stop() end
end

local function schedule(co)
  ready[#ready + 1] = co
  if #ready == 1 then idle:start(run_ready) end
end

function M.sleep0()
  schedule(coroutine.running())
  coroutine.yield()
end

-- Parks the running coroutine on a uv timer of its own.
function M.sleep(seconds)
  local co, timer = coroutine.running(), uv.new_timer()
  timer:start(math.floor(seconds * 1000), 0, function()
    timer:close()
    schedule(co)
  end)
  coroutine.yield()
end

-- A task: {done, result, waiter}; it starts on the next loop turn.
function M.spawn(fn, arg)
  local task = {}
  schedule(coroutine.create(function()
    task.result, task.done = fn(arg), true
    if task.waiter then schedule(task.waiter) end
  end))
  return task
end

-- The tasks' results, in order, once all are done.
function M.gather(tasks)
  local res = {}
  for i, task in ipairs(tasks) do
    if not task.done then
      task.waiter = coroutine.running()
      coroutine.yield()
    end
    res[i] = task.result
  end
  return res
end

-- A bounded FIFO queue: a ring of maxsize slots in the queue table itself (head, n); put parks while
-- full, get while empty, and each wakes the first waiter of the other side, which then checks again.
local Queue = {}
Queue.__index = Queue

local function fifo() return {first = 1, last = 0} end

local function park(f)
  f.last = f.last + 1
  f[f.last] = coroutine.running()
  coroutine.yield()
end

local function wake(f)
  local i = f.first
  schedule(f[i])
  f[i], f.first = nil, i + 1
end

function M.queue(maxsize)
  return setmetatable({head = 1, n = 0, maxsize = maxsize, getters = fifo(), putters = fifo()}, Queue)
end

function Queue:put(v)
  while self.n >= self.maxsize do park(self.putters) end
  local n, max = self.n, self.maxsize
  local t = self.head + n
  if t > max then t = t - max end
  self[t], self.n = v, n + 1
  local g = self.getters
  if g.first <= g.last then wake(g) end
end

function Queue:get()
  while self.n == 0 do park(self.getters) end
  local h = self.head
  local v = self[h]
  self[h], self.n = nil, self.n - 1
  self.head = h == self.maxsize and 1 or h + 1
  local p = self.putters
  if p.first <= p.last then wake(p) end
  return v
end

M.run = uv.run

return M
