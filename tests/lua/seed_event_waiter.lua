-- both
-- port of the Event example: a waiter task blocks in event:wait() until main sets the event (sleep 0.01 s instead of 1)
local asyncio = require "asyncio"

local waiter = asyncio.async(function(event)
  print("waiting for it ...")
  event:wait()
  print("... got it!")
end)

local function main()
  -- Create an Event object.
  local event = asyncio.Event()

  -- Spawn a Task to wait until 'event' is set.
  local waiter_task = asyncio.create_task(waiter(event))

  -- Sleep for 0.01 second and set the event.
  asyncio.sleep(0.01)
  event:set()

  -- Wait until the waiter task is finished.
  waiter_task:await()
end

asyncio.run(main)
