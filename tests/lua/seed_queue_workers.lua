-- both
-- port of the queue example: three workers share a Queue of sleep times (fixed 0.01-0.05 s instead of random), join() waits, then the workers are cancelled
local asyncio = require "asyncio"

local worker = asyncio.async(function(name, queue)
  while true do
    -- Get a "work item" out of the queue.
    local sleep_for = queue:get()

    -- Sleep for the "sleep_for" seconds.
    asyncio.sleep(sleep_for)

    -- Notify the queue that the "work item" has been processed.
    queue:task_done()

    print(string.format("%s has slept for %.2f seconds", name, sleep_for))
  end
end)

local function main()
  -- Create a queue that we will use to store our "workload".
  local queue = asyncio.Queue()

  -- Put fixed timings into the queue (the original uses random.uniform(0.05, 1.0)).
  local total_sleep_time = 0
  for _, sleep_for in ipairs({0.04, 0.02, 0.05, 0.05, 0.02, 0.05, 0.02, 0.02, 0.03}) do
    total_sleep_time = total_sleep_time + sleep_for
    queue:put_nowait(sleep_for)
  end

  -- Create three worker tasks to process the queue concurrently.
  local tasks = {}
  for i = 0, 2 do
    local task = asyncio.create_task(worker(string.format("worker-%d", i), queue))
    tasks[#tasks + 1] = task
  end

  -- Wait until the queue is fully processed.
  local loop = asyncio.get_running_loop()
  local started_at = loop:time()
  queue:join()
  local total_slept_for = loop:time() - started_at

  -- Cancel our worker tasks.
  for _, task in ipairs(tasks) do
    task:cancel()
  end
  -- Wait until all worker tasks are cancelled.
  asyncio.gather(tasks[1], tasks[2], tasks[3], {return_exceptions = true})

  print("====")
  print(string.format("3 workers slept in parallel: %s", tostring(total_slept_for < total_sleep_time)))
  print(string.format("total expected sleep time: %.2f seconds", total_sleep_time))
end

asyncio.run(main)
