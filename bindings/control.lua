-- control.lua -- what aiod's control socket answers: ps, pstree, stack, stats, reload (one JSON document a request), and attach sessions
local M, C, new_repl = ...

local type, tostring, tonumber, pairs, ipairs, pcall, select = type, tostring, tonumber, pairs, ipairs, pcall, select
local format = string.format

local P = {}
local cjson			-- lua-cjson, loaded with the first request

-- Tasks are read this many at a time, the loop turning in between, so
-- that aiod ps on 100,000 tasks holds it for a few ms at a time at most.
local CHUNK = 100

-- A private instance: the script's own require "cjson" keeps its settings.
local function encoder()
  if not cjson then
    cjson = require("cjson").new()
    cjson.encode_number_precision(10)
  end
  return cjson
end

local function encode(value)
  return encoder().encode(value)
end

local function is_task(v)
  return type(v) == "userdata" and C.kind(v) == "task"
end

-- Each task's parent in the await tree (the first task found waiting for
-- it) and how it waits: a pass that makes no strings, so that a daemon
-- of many tasks is not handed a heap of garbage.
local function parents(tasks, yield)
  local parent, via = {}, {}
  local function link(t, child, how)
    if is_task(child) and parent[child] == nil and child ~= t then
      parent[child], via[child] = t, how
    end
  end
  for i = 1, tasks.n do
    local t = tasks[i]
    local awaited, children, how = C.task_awaits(t)
    link(t, awaited, "await")
    if type(children) == "table" then
      for k, v in pairs(children) do link(t, is_task(k) and k or v, how) end
    else
      link(t, children, how)
    end
    if yield and i % CHUNK == 0 then yield() end
  end
  return parent, via
end

-- Fills row, a table used again for every chunk: 100,000 rows made anew
-- were most of the garbage an answer left.
local function fill_row(row, t, parent, via)
  local id, name, gen, state, waits, age, resumes, busy, where = C.task_info(t)
  local p = parent[t]
  row.id, row.name, row.generation, row.state, row.waits = id, name, gen, state, waits
  row.age, row.resumes, row.cpu, row.where = age, resumes, busy, where
  row.parent, row.via = p and C.task_id(p), via[t]
end

-- The answer of ps and pstree, written to req a chunk of rows at a time.
-- yield: between chunks (nil when answering from the hook, where the loop
-- is stuck anyway and nothing may suspend).
local function write_tasks(req, yield, held)
  local tasks = C.all_tasks()
  local asking = yield and M.current_task()	-- this request's own task is left out
  local parent, via = parents(tasks, yield)
  local head = encode({pid = C.getpid(), generation = select(5, C.loop_stats()), held = held})
  req:write(head:sub(1, -2), ',"tasks":[')
  local rows, n, first = {}, 0, true
  for i = 1, CHUNK do rows[i] = {} end
  local chunk = {}
  local function flush()
    if n == 0 then return end
    for i = 1, n do chunk[i] = rows[i] end
    for i = n + 1, #chunk do chunk[i] = nil end
    req:write(first and "" or ",", encode(chunk):sub(2, -2))
    first, n = false, 0
  end
  for i = 1, tasks.n do
    local t = tasks[i]
    if not t:done() and t ~= asking then
      n = n + 1
      fill_row(rows[n], t, parent, via)
    end
    if n == CHUNK then
      flush()
      if yield then yield() end
    end
  end
  flush()
  req:write("]}")
end

local function find_task(what)
  local id = tonumber(what)
  local tasks = C.all_tasks()
  for i = 1, tasks.n do
    local t = tasks[i]
    local tid, name = C.task_info(t)
    if tid == id or name == what then return t end
  end
end

local function stack_reply(what, held)
  if not what then return {error = "which task? (an id or a name)", usage = true} end
  local t = find_task(what)
  if not t then return {error = format("no task %s", what)} end
  local id, name, _, state, waits, _, _, _, where = C.task_info(t)
  local tb = C.task_traceback(t)
  if state == "running" and held then tb = held.traceback end
  return {id = id, name = name, state = state, waits = waits, where = where, traceback = tb}
end

local function stats_reply(yield)
  local turns, p50, p99, max, gen, jobs, children = C.loop_stats()
  local rss, fds, uptime = C.process_stats()
  local by_state, by_gen, n = {}, {}, 0
  local tasks = C.all_tasks()
  local asking = yield and M.current_task()
  for i = 1, tasks.n do
    local _, _, g, state = C.task_info(tasks[i])
    if state ~= "done" and tasks[i] ~= asking then
      n = n + 1
      by_state[state] = (by_state[state] or 0) + 1
      local key = tostring(g)
      by_gen[key] = (by_gen[key] or 0) + 1
    end
    if yield and i % CHUNK == 0 then yield() end
  end
  local connections = 0
  for _, server in ipairs(C.open_servers and C.open_servers() or {}) do
    connections = connections + server._active
  end
  local servers, endpoints = 0, 0
  if C.count_open then servers, endpoints = C.count_open() end
  return {
    pid = C.getpid(), uptime = uptime, generation = gen,
    tasks = {total = n, by_state = by_state, by_generation = by_gen},
    servers = servers, connections = connections, endpoints = endpoints, children = children,
    thread_jobs = jobs,
    loop = {turns = turns, lag = {p50 = p50, p99 = p99, max = max}},
    lua_memory = math.floor(collectgarbage("count") * 1024), rss = rss, fds = fds,
  }
end

local function reload_reply()
  local fut = M.get_running_loop():create_future()
  local ok, why = C.request_reload(function(committed, line)
    if not fut:done() then fut:set_result({ok = committed, line = line}) end
  end)
  if not ok then return {error = why, usage = true} end
  return fut:await()
end

------------------------------------------------------------------------ attach

--[[ aiod attach's session: a REPL (repl.lua's engine) whose entries run as
tasks of the generation serving now, over the client's connection.
  daemon -> client: "S <id>\n" once; then "O <n>\n" and n bytes of output,
                    "E <n>\n" and n bytes for stderr's share, "P <n>\n" and
                    the prompt (the next line is wanted)
  client -> daemon: "L <line>\n" a line; "D\n" the end of input (Ctrl-D)
Ctrl-C comes on a connection of its own, "interrupt <id>", so that it
reaches an entry that holds the loop. --]]
local sessions, next_session = {}, 1

-- Session ids tag tasks in 16 bits; one still open is never reused.
local function new_session_id()
  repeat
    local id = next_session
    next_session = next_session % 65535 + 1
    if not sessions[id] then return id end
  until false
end

local function frame(kind, text)
  return format("%s %d\n%s", kind, #text, text)
end

local function attach(req)
  local _ = M.open_connection	-- the streams' methods live in streams.lua, loaded on demand
  local reader, writer = req:connection()
  local id = new_session_id()
  local repl
  local function send(kind, text)
    if not writer:is_closing() then writer:write(frame(kind, text)) end
  end
  -- An entry's print goes to the session, even from a task it started,
  -- while the session lasts; the daemon's own print is left alone. The
  -- entries' globals are the daemon's (_G), with asyncio at hand.
  local env = setmetatable({asyncio = M, print = function(...)
    local n, parts = select("#", ...), {}
    for i = 1, n do parts[i] = tostring((select(i, ...))) end
    if repl.closed then return print(...) end
    send("O", table.concat(parts, "\t", 1, n) .. "\n")
  end}, {__index = _G, __newindex = _G})
  local idle		-- a future while an entry runs
  repl = new_repl{
    write = function(text, is_error) send(is_error and "E" or "O", text) end,
    idle = function()
      send("P", repl:prompt())
      if idle and not idle:done() then idle:set_result() end
    end,
    spawn = function(fn)
      local task = C.spawn_in(select(5, C.loop_stats()), false, fn)
      C.set_session(task, id)
      return task
    end,
    env = env,
  }
  sessions[id] = repl
  -- The connection is read all the time, so that a client that leaves
  -- while an entry runs is seen at once; its lines wait in a queue, to
  -- be fed one at a time, each once the entry before has ended.
  local lines = M.Queue()
  local listener = C.spawn_in(0, false, function()
    pcall(function()
      for line in reader:lines() do lines:put_nowait(line) end
    end)
    lines:put_nowait(false)
    local running = repl:running()
    if running then
      repl:close()
      running:cancel()
    end
    if idle and not idle:done() then idle:set_result() end
  end)
  listener:set_name("aiod attach " .. id)
  local ok, err = pcall(function()
    writer:write(format("S %d\n", id))
    send("P", repl:prompt())
    while true do
      local line = lines:get()
      if not line then break end
      local text = line:gsub("\n$", "")
      if text:sub(1, 2) == "L " then
        idle = M.get_running_loop():create_future()
        if repl:feed(text:sub(3)) == "busy" then
          idle:await()
        else
          send("P", repl:prompt())
        end
      elseif text == "D" then
        repl:eof()
        break
      end
    end
  end)
  -- The client has gone (or ended): its entry, and every task its entries
  -- started, are cancelled.
  sessions[id] = nil
  repl:close()
  C.cancel_session(id)
  listener:cancel()
  writer:close()
  if not ok and not M.CancelledError:is(err) then error(err, 0) end
end

-- "interrupt <id>": Ctrl-C in session id. Answered from the hook (held:
-- the running task holds the loop), it is true when that task is the
-- session's entry, which the hook then interrupts.
local function interrupt(id, held)
  local repl = sessions[tonumber(id)]
  if not repl then return {error = format("no attach session %s", tostring(id))} end
  local entry = repl:running()
  if held and entry and entry == M.current_task() then
    repl.interrupted = true
    return {ok = true}, true
  end
  return {ok = repl:interrupt()}
end

local function words(line)
  local list = {}
  for w in line:gmatch("%S+") do list[#list + 1] = w end
  return list
end

local function sleep0() M.sleep(0) end

-- Answers req. held: the running task's traceback when answering from
-- the hook.
local function answer(req, yield, held)
  local w = words(req:line())
  local cmd = w[1]
  if cmd == "ps" or cmd == "pstree" then return write_tasks(req, yield, held) end
  local reply, raise
  if cmd == "stack" then
    reply = stack_reply(w[2], held)
  elseif cmd == "stats" then
    reply = stats_reply(yield)
  elseif cmd == "reload" then
    reply = held and {error = "the loop is busy: a task has held it for a while"} or reload_reply()
  elseif cmd == "interrupt" then
    reply, raise = interrupt(w[2], held)
  elseif cmd == "attach" then
    reply = {error = "the loop is busy: a task has held it for a while"}
  else
    reply = {error = format("unknown request %q", tostring(cmd)), usage = true}
  end
  req:write(encode(reply))
  return raise
end

-- An answer that failed half-way is dropped for the error alone. Returns
-- whether the held task must be interrupted.
local function answer_or_error(req, yield, held)
  local ok, why = pcall(answer, req, yield, held)
  if ok then
    req:reply()
    return why
  end
  req:clear()
  req:reply(encode({error = tostring(why)}))
end

-- The collector rests while an answer is made: the rows and their JSON,
-- megabytes for a daemon of many tasks, would otherwise make it run its
-- cycle's steps, and the last one walks every task's coroutine at once
-- (tens of ms with 100,000 tasks). The garbage goes with its next cycle.
local function serve(req)
  if req:line() == "attach" then return attach(req) end
  local running = collectgarbage("isrunning")
  if running then collectgarbage("stop") end
  answer_or_error(req, sleep0)
  if running then collectgarbage("restart") end
end

function P.serve(req)
  C.spawn_in(0, false, serve, req):set_name("aiod control")
end

-- From the hook in the task that holds the loop: answered at once.
function P.answer_now(req, traceback)
  local t = M.current_task()
  local held = t and {id = C.task_id(t), name = t:get_name(), traceback = traceback}
  return answer_or_error(req, nil, held)
end

function P.refused(uid, pid)
  C.log("warn", "control socket: refused a client of uid %d (pid %d): only the same user or root may connect", uid, pid)
end

return P
