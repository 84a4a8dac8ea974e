-- daemon.lua -- aiod's generations and hot reload: the aiod module, readiness, takeover, commit and rollback
local M, C = ...

local type, tostring, pairs, pcall, select = type, tostring, pairs, pcall, select
local format = string.format

local D = {}
local opts		-- script, args, grace, ready_timeout, log_level, notify
local state = {}	-- aiod.state: one table for every generation
local live = 1		-- the newest generation that committed
local next_gen = 2
-- ready[g]: a Future, done once generation g is ready. Generations up to
-- settled are decided (ready or failed) and have none: nothing waits for
-- them any more, and a reload per hour for a year must not keep them all.
local ready = {}
local settled = 0
local pending = {}	-- reloads asked for and not started: each one's outcome callback, or false
local reloading = false
local mains = {}	-- mains[g]: the main task of the live generation, and of the one getting ready

local LEVELS = {debug = 1, info = 2, warn = 3, error = 4}

function D.log(level, fmt, ...)
  local rank = LEVELS[level]
  if not rank then error(format("bad argument #1 to 'log' (level must be debug, info, warn or error, got %s)", tostring(level)), 2) end
  local kind = type(fmt)
  if kind ~= "string" and kind ~= "number" then
    error(format("bad argument #2 to 'log' (string expected, got %s)", kind), 2)
  end
  if rank < LEVELS[opts.log_level] then return end
  local ok, text = pcall(format, fmt, ...)
  -- A log line is never lost to its format, as in Python's logging: the
  -- format is written as it is, with why it failed in log's own numbering.
  if not ok then
    local n, why = text:match("^bad argument #(%d+) to '[^']*' %((.*)%)$")
    text = format("%s [bad format: %s]", fmt, n and format("argument #%d: %s", n + 1, why) or text)
  end
  local now = C.wallclock()
  local ms = math.floor((now % 1) * 1000)
  io.stderr:write(format("%s.%03d %-5s %s\n", os.date("%Y-%m-%d %H:%M:%S", math.floor(now)), ms, level, text))
  io.stderr:flush()
end

-- Where a loaded module's file is (false: not in the script's folder), by
-- name, while package.loaded holds the same value for it: a search tries
-- every template of package.path, and most modules (the standard
-- libraries, asyncio's) stay loaded from one reload to the next.
local found_for = setmetatable({}, {__mode = "v"})
local found = {}

-- The files of the modules loaded from the script's folder, by name.
local function own_modules()
  local files = {}
  for name, value in pairs(package.loaded) do
    if found_for[name] ~= value then
      -- require takes a preloaded name (aiod) from package.preload, never a file.
      local path = type(name) == "string" and not package.preload[name] and package.searchpath(name, package.path)
      path = path and C.realpath(path)
      found_for[name], found[name] = value, path and path:sub(1, #opts.dir + 1) == opts.dir .. "/" and path or false
    end
    if found[name] then files[name] = found[name] end
  end
  return files
end

-- They load anew in the next generation.
local function drop_modules()
  for name in pairs(own_modules()) do package.loaded[name] = nil end
  package.loaded.aiod = nil
end

-- With --watch: the script and those modules, as they are now.
local function watch()
  if not opts.watch then return end
  local paths = {opts.script}
  for _, path in pairs(own_modules()) do paths[#paths + 1] = path end
  C.watch_files(paths, D.reload)
end

local function ready_future(g)
  local fut = ready[g]
  if not fut then
    fut = M.get_running_loop():create_future()
    ready[g] = fut
  end
  return fut
end

-- The reload's tasks step in the loop's control lane, before the
-- connections' work, until the new generation is decided.
local function leave_lane(g)
  if mains[g] then C.set_control(mains[g], false) end
end

local function mark_ready(g)
  leave_lane(g)
  if g <= settled then return end
  local fut = ready_future(g)
  if not fut:done() then
    fut:set_result(true)
    if g == 1 then
      opts.ready_one()
      watch()	-- now that generation 1 has loaded its modules
    end
  end
end

local function fail(g, err)
  leave_lane(g)
  if g <= settled then return end
  local fut = ready_future(g)
  if not fut:done() then fut:set_result(false, err) end
end

-- The aiod module a generation sees: require "aiod" in its code.
local function module_for(g)
  return {
    generation = g,
    state = state,
    ready = function() C.became_service() mark_ready(g) end,
    log = D.log,
  }
end

-- The main task of generation g: returning without error makes it ready,
-- failing before that fails it.
local function watch_main(g, task)
  mains[g] = task
  task:add_done_callback(function(t)
    if t:cancelled() then
      fail(g, "the main task was cancelled")
    elseif t:exception() ~= nil then
      fail(g, t:exception())
    else
      mark_ready(g)
    end
  end)
end

function D.start(options, main_task)
  opts = options
  package.preload.aiod = function() return module_for(C.generation_of()) end
  C.on_serving = mark_ready
  watch_main(1, main_task)
  -- Loaded late (a first SIGHUP): generation 1 may be serving already.
  if opts.ready then mark_ready(1) end
end

local function error_text(err)
  if type(err) == "table" and err.message then return tostring(err) end
  return (tostring(err):gsub("\n.*", ""))
end

-- Closes the servers and datagram endpoints of generations first to last
-- (there are none before streams or datagrams load takeover.lua).
local function close_generations(first, last)
  if C.close_generations then C.close_generations(first, last) end
end

-- The new generation's servers and endpoints take the sockets they
-- claimed, and the old ones close, in one turn of the loop.
-- Connections of the old code may finish until the grace period ends.
-- Looked at once a second rather than waited for in one timer: a timer
-- of --grace seconds would keep aiod running that long after the last
-- of them ended, when nothing else is left.
local GRACE_LOOK = 1
local function drain(from, deadline)
  if C.count_generations(1, from, true) == 0 then return end
  local loop = M.get_running_loop()
  local left = deadline - loop:time()
  if left <= 0 then
    C.cancel_generations(1, from, true)
    return
  end
  loop:call_later(math.min(GRACE_LOOK, left), drain, from, deadline)
end

local function commit(from, to)
  if C.hand_over then C.hand_over(to) end
  C.cancel_generations(1, from, false)
  close_generations(1, from)
  drain(from, M.get_running_loop():time() + opts.grace)
end

-- The old servers and endpoints never stopped serving: closing the new
-- ones drops their claims on the old sockets.
local function rollback(to)
  C.cancel_generations(to, to, true)
  close_generations(to, to)
end

-- Logs the reload's one line and tells whoever asked for it (aiod reload).
local function outcome(on_outcome, ok, fmt, ...)
  local line = format(fmt, ...)
  D.log(ok and "info" or "error", "%s", line)
  if on_outcome then on_outcome(ok, line) end
end

-- The main chunk of a new generation: ready once it returns, in the same
-- step (its task's done callback would wait for the loop's next turn).
local function ready_on_return(g, ...)
  mark_ready(g)
  return ...
end

local function run_main(g, chunk, ...)
  return ready_on_return(g, chunk(...))
end

local function reload_once(on_outcome)
  local from, to = live, next_gen
  next_gen = next_gen + 1
  local loop = M.get_running_loop()
  local started = loop:time()
  opts.notify("RELOADING=1")
  local chunk, err = loadfile(opts.script)
  if not chunk then
    outcome(on_outcome, false, "reload %d -> %d: failed: %s", from, to, err)
    watch()
    opts.notify("READY=1")
    return
  end
  drop_modules()
  C.set_generation(to)
  local main = C.spawn_in(to, false, run_main, to, chunk, table.unpack(opts.args, 1, opts.args.n))
  main:set_name("main")
  watch_main(to, main)
  C.set_control(main, true)
  local fut = ready_future(to)
  local timer = loop:call_later(opts.ready_timeout, function()
    fail(to, format("not ready within %g s", opts.ready_timeout))
  end)
  local ok, why = fut:await()
  timer:cancel()
  settled, ready[to] = to, nil
  if ok then
    live, mains[from] = to, nil
    commit(from, to)
    outcome(on_outcome, true, "reload %d -> %d: ok in %.1f ms", from, to, (loop:time() - started) * 1000)
  else
    C.set_generation(from)
    mains[to] = nil
    rollback(to)
    outcome(on_outcome, false, "reload %d -> %d: failed: %s", from, to, error_text(why))
  end
  watch()
  opts.notify("READY=1")
end

-- One reload at a time, in the order asked; none before generation 1 is ready.
local function reloads()
  if settled == 0 then
    ready_future(1):await()
    settled, ready[1] = 1, nil
  end
  while #pending > 0 do
    local on_outcome = table.remove(pending, 1)
    local ok, err = pcall(reload_once, on_outcome or nil)
    if not ok then
      if M.CancelledError:is(err) then error(err, 0) end
      outcome(on_outcome, false, "reload failed: %s", error_text(err))
    end
  end
  reloading = false
end

-- The main task of the generation that serves now: its end is aiod's exit status.
function D.main_task()
  return mains[live]
end

-- on_outcome(ok, line), when given, hears how this reload went.
function D.reload(on_outcome)
  pending[#pending + 1] = on_outcome or false
  if reloading then return end
  reloading = true
  local task = C.spawn_in(0, false, reloads)
  task:set_name("aiod reload")
  C.set_control(task, true)
end

return D
