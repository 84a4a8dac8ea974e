-- startup workload for luv: hello world through the event loop (a coroutine resumed by an idle handle).
local uv = require "luv"
local co = coroutine.create(function()
  coroutine.yield()
  print("hello")
end)
assert(coroutine.resume(co))
local idle = uv.new_idle()
idle:start(function()
  idle:stop()
  assert(coroutine.resume(co))
end)
uv.run()
