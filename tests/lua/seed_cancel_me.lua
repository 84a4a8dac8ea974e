-- both
-- port of the cancel_me example: the task intercepts the cancellation, cleans up and re-raises (sleep 0.01 s instead of 1)
local asyncio = require "asyncio"

local cancel_me = asyncio.async(function()
  print("cancel_me(): before sleep")
  local finally <close> = setmetatable({}, {__close = function() print("cancel_me(): after sleep") end})
  -- Wait for 1 hour
  local ok, e = pcall(asyncio.sleep, 3600)
  if not ok then
    if asyncio.CancelledError:is(e) then print("cancel_me(): cancel sleep") end
    error(e, 0)
  end
end)

local function main()
  -- Create a "cancel_me" Task
  local task = asyncio.create_task(cancel_me())

  -- Wait for 0.01 second
  asyncio.sleep(0.01)

  task:cancel()
  local ok, e = pcall(task.await, task)
  if not ok and asyncio.CancelledError:is(e) then
    print("main(): cancel_me is cancelled now")
  end
end

asyncio.run(main)
