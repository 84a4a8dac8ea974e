# SIGHUP while every turn of the loop is full of busy tasks: the reload is acted on in the control lane, between their steps, not after whole turns of them
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local aiod = require "aiod"
local state = aiod.state
local TASKS = 2000
if aiod.generation == 1 then
  state.steps = 0
  for i = 1, TASKS do
    asyncio.create_task(function()
      while true do
        local x = 0
        for j = 1, 100 do x = x + j end
        state.steps = state.steps + 1
        if i == 1 and state.steps > 3 * TASKS and not state.at_hup then
          state.at_hup = state.steps
          os.execute("kill -HUP $PPID")   -- the shell's parent: this aiod
        end
        asyncio.sleep(0)
      end
    end)
  end
  aiod.ready()
else
  -- Before: the rest of the turn the signal came in, then a turn for each
  -- of the reload's steps, each turn TASKS steps. Now a few steps at most.
  local between = state.steps - state.at_hup
  print(between < TASKS and "within one turn" or ("after " .. between .. " steps"))
  io.stderr:write(("steps between the SIGHUP and the commit: %d\n"):format(between))
end
LUA
start s.lua
finish 20
[ "$FINISHED_IN_TIME" = 1 ] || fail "aiod did not end after its reload"
expect_rc 0
expect_stdout "within one turn"
stderr_has "reload 1 -> 2: ok"
