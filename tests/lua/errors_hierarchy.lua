-- OSError > ConnectionError > ConnectionRefusedError, ConnectionResetError, BrokenPipeError; FileNotFoundError, PermissionError < OSError
local asyncio = require "asyncio"

local checks = {
  {"OSError", "ConnectionError"}, {"OSError", "ConnectionRefusedError"},
  {"OSError", "ConnectionResetError"}, {"OSError", "BrokenPipeError"},
  {"OSError", "FileNotFoundError"}, {"OSError", "PermissionError"},
  {"ConnectionError", "ConnectionRefusedError"}, {"ConnectionError", "ConnectionResetError"},
  {"ConnectionError", "BrokenPipeError"}, {"ConnectionError", "FileNotFoundError"},
  {"ConnectionError", "PermissionError"}, {"ConnectionError", "OSError"},
  {"ConnectionRefusedError", "ConnectionResetError"}, {"ConnectionRefusedError", "ConnectionError"},
  {"BrokenPipeError", "ConnectionResetError"}, {"FileNotFoundError", "PermissionError"},
  {"OSError", "CancelledError"}, {"CancelledError", "OSError"},
}
for _, c in ipairs(checks) do
  print(c[1] .. ":is(" .. c[2] .. ")", asyncio[c[1]]:is(asyncio[c[2]]("x")))
end
