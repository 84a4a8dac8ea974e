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

M.run = uv.run

return M
