-- a string error raised in a task keeps its "file:line:" prefix unchanged through await
local asyncio = require "asyncio"
local t = asyncio.create_task(function()
  error("boom")
end)
local ok, e = pcall(t.await, t)
print(ok, e)
