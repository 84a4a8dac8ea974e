-- spawn's floor, not a peer: 100,000 bare Lua coroutines doing a task's work (created, resumed to yield once, resumed to return their index), no scheduler, no Task; run under aiod (its allocator) and under lua5.4. Prints the sum.
local N = 100000

local yield, create, resume = coroutine.yield, coroutine.create, coroutine.resume

local function work(i)
  yield()
  return i
end

local cos = {}
for i = 1, N do
  cos[i] = create(work)
end
for i = 1, N do
  resume(cos[i], i)
end
local sum = 0
for i = 1, N do
  local _, v = resume(cos[i])
  sum = sum + v
end
print(sum)
