-- spawn workload for luv: 100,000 coroutines on a minimal libuv scheduler each sleep(0) once; gathered, print the sum.
local uv = require "luv"

local N = 100000

-- Minimal scheduler: a FIFO of ready coroutines, run by an idle handle on each loop turn.
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

local function sleep0()
  schedule(coroutine.running())
  coroutine.yield()
end

local function spawn(fn, arg) -- a task: {done, result, waiter}
  local task = {}
  schedule(coroutine.create(function()
    task.result, task.done = fn(arg), true
    if task.waiter then schedule(task.waiter) end
  end))
  return task
end

local function gather(tasks)
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

-- The workload.
local function work(i)
  sleep0()
  return i
end

spawn(function()
  local tasks = {}
  for i = 1, N do tasks[i] = spawn(work, i) end
  local res = gather(tasks)
  local sum = 0
  for i = 1, N do sum = sum + res[i] end
  print(sum)
end)
uv.run()
