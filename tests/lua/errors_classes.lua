-- every error class of API section 9 exists; an instance has its name and message and is an instance of its class
local asyncio = require "asyncio"

local names = {
  "CancelledError", "TimeoutError", "InvalidStateError", "QueueEmpty", "QueueFull",
  "QueueShutDown", "BrokenBarrierError", "IncompleteReadError", "LimitOverrunError",
  "ExceptionGroup", "OSError", "ConnectionError", "ConnectionRefusedError",
  "ConnectionResetError", "BrokenPipeError", "FileNotFoundError", "PermissionError",
}
for _, n in ipairs(names) do
  local cls = asyncio[n]
  local e = cls("m", n == "ExceptionGroup" and {} or nil)  -- its list is required, as in Python
  print(n, e.name == n, e.message == "m", cls:is(e), tostring(e) == n .. ": m")
end
