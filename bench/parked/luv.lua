-- parked workload for luv: N coroutines (arg 1, default 100,000; 0 = empty run), each on its own 1 s uv timer at once.
local uv = require "luv"

local N = math.tointeger(tonumber(arg[1])) or 100000

-- Minimal scheduler: tasks start on the next loop turn (idle handle); sleep parks the coroutine on a uv timer.
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

local function sleep(seconds)
  local co, timer = coroutine.running(), uv.new_timer()
  timer:start(math.floor(seconds * 1000), 0, function()
    timer:close()
    schedule(co)
  end)
  coroutine.yield()
end

local function spawn(fn, arg) -- a task: {done, waiter}
  local task = {}
  schedule(coroutine.create(function()
    fn(arg)
    task.done = true
    if task.waiter then schedule(task.waiter) end
  end))
  return task
end

local function gather(tasks)
  for _, task in ipairs(tasks) do
    if not task.done then
      task.waiter = coroutine.running()
      coroutine.yield()
    end
  end
  return #tasks
end

spawn(function()
  if N == 0 then
    sleep(1)
    print(0)
    return
  end
  local tasks = {}
  for i = 1, N do tasks[i] = spawn(sleep, 1) end
  print(gather(tasks))
end)
uv.run()
