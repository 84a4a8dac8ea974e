-- known.lua -- calls the fuzzer skips: defects being fixed on other branches (emptied once they are merged)
-- Each entry: target (a Lua pattern of the names fuzz.lua gives), defect, and either skip(args, n, labels, name)
-- -> whether not to make the call, or message: a pattern of the violation's message to forgive.
local function has(labels, n, label)
  for i = 1, n do if labels[i] == label then return true end end
  return false
end

local nan_delay = {timeout = true, timeout_at = true, wait_for = true, sleep = true,
                   ["Loop.call_later"] = true, ["Loop.call_at"] = true}
local nan_option = {wait = true, as_completed = true}

return {
  {target = "%a*Queue%.put.*", message = "^attempt to compare",
   defect = "issue 11: PriorityQueue put/put_nowait of items Lua cannot order raises a raw 'attempt to compare'"},
  {target = ".*", message = "^%a+%.lua:%d+: cannot reuse already awaited coroutine",
   defect = "issue 11: l_coro.c's luaL_error points into tasks.lua or asyncio.lua when wait_for/shield/wait get a used coroutine"},
  {target = ".*", defect = "issue 11: __gc called by hand on a wrong self (nil, another object) crashes",
   skip = function(_, _, _, name) return name:find("%.__gc$") ~= nil end},
  {target = ".*", defect = "issue 11: a NaN delay breaks the loop's timers (later timeouts never fire)",
   skip = function(_, n, labels, name)
     return nan_delay[name] and has(labels, n, "0/0") or nan_option[name] and has(labels, n, "{timeout = 0/0}")
   end},
  {target = ".*", defect = "issue 11: a task made with many arguments overflows its coroutine's stack (laio_new_task)",
   skip = function(_, n, _, name) return n > 20 and (name:find("create_task$") or name == "run") end},
  {target = "ExceptionGroup", defect = "issue 11: ExceptionGroup(msg, {n = 2^40}) loops 2^40 times",
   skip = function(_, n, labels) return has(labels, n, "{n = 2^40}") end},
}
