-- demo.lua -- a tour in a few seconds: tasks, gather, a timeout, a cancellation, a task group.
-- Run it with `aiod scripts/demo.lua` (or `make run`).
local asyncio = require "asyncio"

local started = asyncio.get_running_loop():time()
local function log(fmt, ...)
  print(("[%5.2fs] " .. fmt):format(asyncio.get_running_loop():time() - started, ...))
end

-- A pretend health check: each "service" answers after its own delay.
local function check(name, delay, healthy)
  log("checking %s ...", name)
  asyncio.sleep(delay)
  if not healthy then error(name .. " is unhealthy", 0) end
  log("%s ok", name)
  return name
end

-- 1. Run three checks at once; gather returns their results in order.
log("1. gather: three checks run concurrently")
local names = asyncio.gather(
  asyncio.create_task(check, "db", 0.3, true),
  asyncio.create_task(check, "cache", 0.1, true),
  asyncio.create_task(check, "queue", 0.2, true))
log("all ok: %s (%d results, 0.3 s not 0.6 s)", table.concat(names, ", "), names.n)

-- 2. A check that takes too long is cut off by wait_for.
log("2. wait_for: a slow check times out")
local ok, err = pcall(asyncio.wait_for, asyncio.create_task(check, "slow-api", 5, true), 0.25)
log("slow-api: %s", ok and "ok" or tostring(err))

-- 3. A task is cancelled; its cleanup still runs.
log("3. cancel: stop a long-running task, its cleanup runs")
local worker = asyncio.create_task(function()
  local _ <close> = setmetatable({}, {__close = function() log("worker: cleanup ran") end})
  while true do
    asyncio.sleep(0.1)
    log("worker: tick")
  end
end)
asyncio.sleep(0.25)
worker:cancel("demo is done with it")
local _, why = pcall(worker.await, worker)
log("worker: %s (cancelled=%s)", tostring(why), tostring(worker:cancelled()))

-- 4. A timeout scope around several steps.
log("4. timeout scope: the block is cut off after 0.2 s")
local ok2, err2 = pcall(function()
  local _ <close> = asyncio.timeout(0.2)
  check("step-1", 0.1, true)
  check("step-2", 0.5, true)
end)
log("block: %s", ok2 and "finished" or tostring(err2))

-- 5. A task group: one failure cancels its siblings and is reported.
log("5. TaskGroup: one failure cancels the rest")
local ok3, group = pcall(function()
  local tg <close> = asyncio.TaskGroup()
  tg:create_task(check, "api", 0.3, true)
  tg:create_task(check, "billing", 0.1, false)
end)
log("group: %s", ok3 and "all ok" or tostring(group))
if not ok3 then
  for i = 1, group.exceptions.n do log("  - %s", tostring(group.exceptions[i])) end
end
log("done")
