-- control.lua -- what aiod's control socket answers: ps, pstree, stack, stats, reload (one JSON document a request)
local M, C = ...

local type, tostring, tonumber, pairs, ipairs, pcall, select = type, tostring, tonumber, pairs, ipairs, pcall, select
local format, concat = string.format, table.concat

local P = {}
local cjson			-- lua-cjson, loaded with the first request

-- Tasks are read this many at a time, the loop turning in between, so
-- that aiod ps on 100,000 tasks never holds it for long.
local CHUNK = 500

local function encode(value)
  cjson = cjson or require "cjson"
  return cjson.encode(value)
end

local function is_task(v)
  return type(v) == "userdata" and C.kind(v) == "task"
end

-- One row per task: what aiod ps shows (keys documented in README). The
-- task each one waits for is kept aside in edges, for the parents.
local function row_of(task, edges)
  local id, name, gen, state, waits, age, resumes, busy, where, awaited, children = C.task_info(task)
  local row = {id = id, name = name, generation = gen, state = state, waits = waits,
               age = age, resumes = resumes, cpu = busy, where = where}
  if is_task(awaited) then
    edges[#edges + 1] = {row, awaited, "await"}
  end
  if is_task(children) then
    edges[#edges + 1] = {row, children, waits}
  elseif type(children) == "table" then
    for k, v in pairs(children) do
      local child = is_task(k) and k or is_task(v) and v
      if child then edges[#edges + 1] = {row, child, waits} end
    end
  end
  return row
end

-- yield: between chunks (nil when answering from the hook, where the
-- loop is stuck anyway and nothing may suspend).
local function task_rows(yield)
  local tasks = C.all_tasks()
  local rows, edges, of = {}, {}, {}
  local asking = yield and M.current_task()	-- this request's own task is left out
  for i = 1, tasks.n do
    local t = tasks[i]
    if not t:done() and t ~= asking then
      local row = row_of(t, edges)
      rows[#rows + 1], of[t] = row, row
    end
    if yield and i % CHUNK == 0 then yield() end
  end
  -- Under the first task that waits for it: a task awaited by several
  -- shows once.
  for _, e in ipairs(edges) do
    local child = of[e[2]]
    if child and child.parent == nil and child ~= e[1] then
      child.parent, child.via = e[1].id, e[3]
    end
  end
  return rows
end

-- The rows as a JSON array, encoded a chunk at a time.
local function encode_rows(rows, yield)
  if #rows == 0 then return "[]" end
  local parts, chunk = {}, {}
  for i, row in ipairs(rows) do
    chunk[#chunk + 1] = row
    if #chunk == CHUNK or i == #rows then
      parts[#parts + 1] = encode(chunk):sub(2, -2)
      chunk = {}
      if yield then yield() end
    end
  end
  return "[" .. concat(parts, ",") .. "]"
end

local function tasks_reply(yield, held)
  local rows = task_rows(yield)
  local head = encode({pid = C.getpid(), generation = select(5, C.loop_stats()), held = held})
  return head:sub(1, -2) .. ',"tasks":' .. encode_rows(rows, yield) .. "}"
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
  if not what then return {error = "stack: which task? (an id or a name)", usage = true} end
  local t = find_task(what)
  if not t then return {error = format("stack: no task %s", what)} end
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
  local servers, connections = 0, 0
  for _, server in ipairs(C.open_servers and C.open_servers() or {}) do
    servers = servers + 1
    connections = connections + server._active
  end
  return {
    pid = C.getpid(), uptime = uptime, generation = gen,
    tasks = {total = n, by_state = by_state, by_generation = by_gen},
    servers = servers, connections = connections, children = children, thread_jobs = jobs,
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

local function words(line)
  local list = {}
  for w in line:gmatch("%S+") do list[#list + 1] = w end
  return list
end

local function sleep0() M.sleep(0) end

-- The request's answer, as JSON text. held: the running task's traceback
-- when answering from the hook.
local function answer(req, yield, held)
  local w = words(req:line())
  local cmd = w[1]
  if cmd == "ps" or cmd == "pstree" then return tasks_reply(yield, held) end
  local reply
  if cmd == "stack" then
    reply = stack_reply(w[2], held)
  elseif cmd == "stats" then
    reply = stats_reply(yield)
  elseif cmd == "reload" then
    reply = held and {error = "the loop is busy: a task has held it for a while"} or reload_reply()
  else
    reply = {error = format("unknown request %q", tostring(cmd)), usage = true}
  end
  return encode(reply)
end

local function serve(req)
  local ok, text = pcall(answer, req, sleep0)
  if not ok then text = encode({error = tostring(text)}) end
  req:reply(text)
end

function P.serve(req)
  C.spawn_in(0, false, serve, req):set_name("aiod control")
end

-- From the hook in the task that holds the loop: answered at once.
function P.answer_now(req, traceback)
  local t = M.current_task()
  local held = t and {id = (C.task_info(t)), name = t:get_name(), traceback = traceback}
  local ok, text = pcall(answer, req, nil, held)
  if not ok then text = encode({error = tostring(text)}) end
  req:reply(text)
end

function P.refused(uid, pid)
  C.log("warn", "control socket: refused a client of uid %d (pid %d): only the same user or root may connect", uid, pid)
end

return P
