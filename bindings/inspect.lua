-- inspect.lua -- aiod ps, pstree, stack, stats and reload: ask a running aiod's control socket, print what it says
local asyncio, control_paths, pid_alive, argv, attach = ...

local format, concat, rep = string.format, table.concat, string.rep
local out, err = io.stdout, io.stderr

local USAGE = [[
usage: aiod ps      (PID | --pidfile FILE) [--control PATH] [--json]
       aiod pstree  (PID | --pidfile FILE) [--control PATH] [--json]
       aiod stack   (PID | --pidfile FILE) TASK [--control PATH] [--json]
       aiod stats   (PID | --pidfile FILE) [--control PATH] [--json]
       aiod reload  (PID | --pidfile FILE) [--control PATH] [--json]
       aiod attach  (PID | --pidfile FILE) [--control PATH]
TASK is a task's id or name. The socket of process PID is found at
$XDG_RUNTIME_DIR/aiod/PID.sock, /run/aiod/PID.sock (root) or
/tmp/aiod-UID/PID.sock; --control PATH names it instead.
]]

-- Bad usage and unreachable processes exit 2, as aiod's usage errors do.
local function fail(status, fmt, ...)
  err:write("aiod ", argv[1], ": ", format(fmt, ...), "\n")
  os.exit(status)
end

local function usage(fmt, ...)
  err:write("aiod ", argv[1], ": ", format(fmt, ...), "\n", USAGE)
  os.exit(2)
end

local function parse()
  local o = {cmd = argv[1]}
  local words = {}
  local i = 2
  while i <= #argv do
    local a = argv[i]
    if a == "--json" then
      o.json = true
    elseif a == "-h" or a == "--help" then
      out:write(USAGE)
      os.exit(0)
    elseif a == "--control" or a == "--pidfile" then
      i = i + 1
      if not argv[i] then usage("option '%s' needs an argument", a) end
      o[a:sub(3)] = argv[i]
    elseif a:sub(1, 1) == "-" then
      usage("unknown option '%s'", a)
    else
      words[#words + 1] = a
    end
    i = i + 1
  end
  -- PID unless --pidfile names the process (--control may name it alone,
  -- or come with the PID, as the usage says); then stack's TASK.
  local want = (o.pidfile or o.control) and 0 or 1
  if #words > want then
    if o.cmd == "stack" then o.task = table.remove(words) end
  end
  if not o.pidfile and words[1] then
    o.pid = words[1]:match("^%d+$") and tonumber(table.remove(words, 1))
    if not o.pid then usage("'%s' is not a process id", words[1]) end
  end
  if words[1] then usage("unexpected argument '%s'", words[1]) end
  if o.pidfile then
    local f, why = io.open(o.pidfile)
    if not f then fail(2, "%s", why) end
    local text = f:read("a")
    f:close()
    o.pid = tonumber(text:match("^%s*(%d+)%s*$"))
    if not o.pid then fail(2, "%s holds no process id", o.pidfile) end
  end
  if not o.pid and not o.control then usage("which process? give its PID or --pidfile FILE") end
  if o.cmd == "stack" and not o.task then usage("which task? give its id or name") end
  return o
end

local function socket_of(o)
  if o.control then return o.control end
  if not pid_alive(o.pid) then fail(2, "no process %d", o.pid) end
  local found = control_paths(o.pid)
  if found[1] then return found[1] end
  fail(2, "process %d has no control socket: it is not an aiod, or it runs with --no-control", o.pid)
end

local function ask(path, line)
  local ok, reader, writer = pcall(asyncio.open_unix_connection, path)
  if not ok then fail(2, "cannot reach %s: %s", path, tostring(reader)) end
  writer:write(line .. "\n")
  local text = reader:read()
  writer:close()
  if text == "" then fail(1, "%s closed without an answer", path) end
  return text
end

------------------------------------------------------------------------ formats

-- JSON numbers come back as floats: whole ones print as integers.
local function num(v)
  return type(v) == "number" and math.tointeger(v) or v
end

local function duration(s)
  if type(s) ~= "number" then return "" end
  if s < 1e-3 then return format("%dus", math.floor(s * 1e6 + 0.5)) end
  if s < 1 then return format("%dms", math.floor(s * 1e3 + 0.5)) end
  if s < 60 then return format("%.1fs", s) end
  if s < 3600 then return format("%dm%02ds", s // 60, math.floor(s % 60)) end
  if s < 86400 then return format("%dh%02dm", s // 3600, math.floor(s % 3600 / 60)) end
  return format("%dd%02dh", s // 86400, math.floor(s % 86400 / 3600))
end

local function bytes(n)
  if type(n) ~= "number" then return "?" end
  if n < 1024 then return format("%d B", n) end
  if n < 1024 * 1024 then return format("%.1f KiB", n / 1024) end
  if n < 1024 ^ 3 then return format("%.1f MiB", n / 1024 ^ 2) end
  return format("%.1f GiB", n / 1024 ^ 3)
end

-- Cut to width characters (UTF-8 aware enough for names and paths).
local function fit(text, width)
  text = tostring(num(text) or "")
  if utf8.len(text) and utf8.len(text) > width then
    return text:sub(1, utf8.offset(text, width) - 1) .. "~"
  end
  return text
end

-- The end of a path is what tells: "~ng_name.lua:6".
local function fit_left(text, width)
  text = tostring(text or "")
  if #text > width then return "~" .. text:sub(-(width - 1)) end
  return text
end

-- A field cut to width; a UTF-8 one padded here to width characters, as
-- string.format's padding counts bytes.
local function cell(v, width)
  if v == nil then return "" end
  if #v > width then v = fit(v, width) end
  local chars = utf8.len(v)
  if chars and chars < #v then v = v .. rep(" ", width - chars) end
  return v
end

local function where_cell(where, width)
  where = where or ""
  if #where > width then where = where:match("[^/]*$") end	-- the file's name and line tell most
  if #where > width then where = fit_left(where, width) end
  return where
end

-- The columns as wide as their widest value, 80 in all at most: what
-- must give way is WHERE, then WAITS ON, then NAME, down to a floor each.
local WIDTH = 80
local function ps_format(tasks)
  -- A string's bytes are at least its characters: only one longer than
  -- the width so far is counted. The numbers' width is their largest's.
  local function widen(width, v)
    if type(v) ~= "string" or #v <= width then return width end
    return math.max(width, utf8.len(v) or #v)
  end
  local function digits(n) return #tostring(num(n)) end
  local w = {name = 4, state = 5, waits = 8, where = 5}
  local id, gen, res = 0, 0, 0
  for i = 1, #tasks do
    local t = tasks[i]
    id, gen, res = math.max(id, t.id or 0), math.max(gen, t.generation or 0), math.max(res, t.resumes or 0)
    w.name = widen(w.name, t.name)
    w.state = widen(w.state, t.state)
    w.waits = widen(w.waits, t.waits)
    w.where = widen(w.where, t.where)
  end
  w.id, w.gen, w.res = math.max(2, digits(id)), math.max(3, digits(gen)), math.max(3, digits(res))
  local time = 6	-- duration() is at most "59m59s"
  local function total()
    return w.id + w.name + w.gen + w.state + w.waits + time + w.res + time + w.where + 8
  end
  for _, shrink in ipairs({{"where", 14}, {"waits", 17}, {"name", 10}}) do
    local key, floor = shrink[1], shrink[2]
    local over = total() - WIDTH
    if over > 0 and w[key] > floor then w[key] = math.max(floor, w[key] - over) end
  end
  local fmt = format("%%%ds %%-%ds %%%ds %%-%ds %%-%ds %%%ds %%%ds %%%ds %%s",
                     w.id, w.name, w.gen, w.state, w.waits, time, w.res, time)
  local function line(t)
    local where = t.where
    if where and #where > w.where then where = where_cell(where, w.where) end
    local text = format(fmt, num(t.id), cell(t.name, w.name), num(t.generation), t.state,
                        cell(t.waits, w.waits), duration(t.age), num(t.resumes), duration(t.cpu),
                        where or "")
    if not where then text = text:gsub(" +$", "") end
    return text
  end
  local head = format(fmt, "ID", "NAME", "GEN", "STATE", "WAITS ON", "AGE", "RES", "CPU", "WHERE")
  return head, line
end

local function print_held(held, tasks)
  if not held then return end
  for _, t in ipairs(tasks or {}) do
    if t.id == held.id then
      out:write(format("the loop is held by task %d (%s) at %s, %s\n",
                       num(t.id), t.name, t.where or "?", t.waits or ""))
    end
  end
  if held.traceback then out:write(held.traceback, "\n") end
  out:write("\n")
end

local function print_ps(reply)
  print_held(reply.held, reply.tasks)
  local tasks = reply.tasks
  local head, row_line = ps_format(tasks)
  out:write(head, "\n")
  local lines = {}
  for i = 1, #tasks do
    lines[#lines + 1] = row_line(tasks[i])
    if #lines == 1000 or i == #tasks then
      lines[#lines + 1] = ""
      out:write(concat(lines, "\n"))
      lines = {}
    end
  end
end

local function print_pstree(reply)
  print_held(reply.held, reply.tasks)
  local kids, by_id = {}, {}
  for _, t in ipairs(reply.tasks) do by_id[t.id] = t end
  local roots = {}
  for _, t in ipairs(reply.tasks) do
    if t.parent and by_id[t.parent] then
      local list = kids[t.parent] or {}
      kids[t.parent] = list
      list[#list + 1] = t
    else
      roots[#roots + 1] = t
    end
  end
  local function line(t)
    local where = t.where and ("  " .. t.where) or ""
    return format("%s (%d) %s%s%s", t.name, num(t.id), t.state, t.waits and (" " .. t.waits) or "", where)
  end
  local function walk(t, prefix, last, top)
    local via = t.via and t.via ~= "await" and ("[" .. t.via .. "] ") or ""
    if top then
      out:write(line(t), "\n")
    else
      out:write(prefix, last and "`-- " or "|-- ", via, line(t), "\n")
    end
    local list = kids[t.id] or {}
    local next_prefix = top and "" or prefix .. (last and "    " or "|   ")
    for i, k in ipairs(list) do walk(k, next_prefix, i == #list, false) end
  end
  for _, t in ipairs(roots) do walk(t, "", true, true) end
end

local function print_stack(reply)
  out:write(format("task %d (%s), %s%s%s\n", num(reply.id), reply.name, reply.state,
                   reply.waits and (", " .. reply.waits) or "", reply.where and (", at " .. reply.where) or ""))
  out:write(reply.traceback or "(no traceback: it has not started, or it has finished)", "\n")
end

local function counts(map)
  local keys = {}
  for k in pairs(map or {}) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local na, nb = tonumber(a), tonumber(b)
    if na and nb then return na < nb end
    return tostring(a) < tostring(b)
  end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = format("%s %d", k, num(map[k])) end
  return concat(parts, ", ")
end

local function print_stats(s)
  local lag = s.loop.lag
  local rows = {
    {"pid", s.pid},
    {"uptime", duration(s.uptime)},
    {"generation", s.generation},
    {"tasks", format("%d (%s)", s.tasks.total, counts(s.tasks.by_state))},
    {"by generation", counts(s.tasks.by_generation)},
    {"servers", s.servers},
    {"connections", s.connections},
    {"endpoints", s.endpoints},
    {"children", s.children},
    {"thread jobs", s.thread_jobs},
    {"loop turns", s.loop.turns},
    {"loop lag", format("p50 %s, p99 %s, max %s (last minute)", duration(lag.p50), duration(lag.p99), duration(lag.max))},
    {"Lua memory", bytes(s.lua_memory)},
    {"RSS", bytes(s.rss)},
    {"descriptors", s.fds or "?"},
  }
  for _, r in ipairs(rows) do out:write(format("%-14s %s\n", r[1], tostring(num(r[2])))) end
end

------------------------------------------------------------------------ main

-- A REPL inside the daemon, on this terminal (attach.lua's engine).
local function run_attach(path)
  local ok, reader, writer = pcall(asyncio.open_unix_connection, path)
  if not ok then fail(2, "cannot reach %s: %s", path, tostring(reader)) end
  writer:write("attach\n")
  local first = reader:readline()
  local id = first:match("^S (%d+)\n$")
  if not id then
    local answer = first .. reader:read()
    local okj, reply = pcall(require("cjson").decode, answer)
    fail(1, "%s", okj and type(reply) == "table" and reply.error or ("no attach session: " .. answer:sub(1, 80)))
  end
  -- The session's first frame is its prompt.
  local n = tonumber(reader:readline():match("^P (%d+)\n$") or "")
  if not n then fail(1, "%s began no session", path) end
  local prompt = reader:readexactly(n)
  local done = asyncio.get_running_loop():create_future()
  local function finish(status)
    if not done:done() then done:set_result(status) end
  end
  attach.start(attach.load(path, reader, writer, id, prompt, finish), function() finish(0) end)
  local status = done:await()
  attach.stop()
  os.exit(status)
end

local o = parse()
local path = socket_of(o)
if o.cmd == "attach" then run_attach(path) end
local line = o.cmd == "stack" and ("stack " .. o.task) or o.cmd
local text = ask(path, line)
-- A big answer is a list of tasks, never an error: --json copies it as it
-- came, without decoding megabytes for nothing.
if o.json and #text > 65536 then
  out:write(text, "\n")
  os.exit(0)
end
local cjson = require "cjson"
local ok, reply = pcall(cjson.decode, text)
if not ok or type(reply) ~= "table" then fail(1, "not an answer aiod gives: %s", text:sub(1, 200)) end
if reply.error then
  if o.json then out:write(text, "\n") end
  fail(reply.usage and 2 or 1, "%s", reply.error)
end
if o.json then
  out:write(text, "\n")
elseif o.cmd == "ps" then
  print_ps(reply)
elseif o.cmd == "pstree" then
  print_pstree(reply)
elseif o.cmd == "stack" then
  print_stack(reply)
elseif o.cmd == "stats" then
  print_stats(reply)
elseif o.cmd == "reload" then
  out:write(reply.line, "\n")
end
if o.cmd == "reload" and not reply.ok then os.exit(1) end
