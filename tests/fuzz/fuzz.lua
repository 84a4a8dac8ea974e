-- fuzz.lua -- seeded API fuzzer: random argument lists to every asyncio function, method and metamethod (asyncio.ssl and asyncio.http too)
--
-- Run by tests/fuzz/run.sh as `aiod fuzz.lua` in a scratch directory (Unix
-- socket paths land there). Environment: FUZZ_SEED (default 1), FUZZ_CALLS
-- (default 2000), FUZZ_TRACE=1 (print each call to stderr before making it,
-- to find the call that crashed or hung), FUZZ_ONLY=3,17 (make only those
-- calls of the seed's sequence: a reproducer). Each call runs in a task of its own
-- under a short timeout scope, in pcall; what it raised is checked:
--   * a bad-argument message names its function (never '?');
--   * no error carries a position inside asyncio's own Lua parts;
--   * no raw Lua error ("attempt to index ...") escapes from asyncio code.
-- A violation prints a reproducer line (seed, call number, the call) and the
-- run exits 1. Calls listed in known.lua (defects being fixed elsewhere) are
-- skipped, or their violations forgiven.
local asyncio = require "asyncio"

local SEED = math.tointeger(tonumber(os.getenv("FUZZ_SEED") or "1")) or 1
local CALLS = math.tointeger(tonumber(os.getenv("FUZZ_CALLS") or "2000")) or 2000
local TRACE = os.getenv("FUZZ_TRACE") == "1"
local ONLY	-- FUZZ_ONLY=3,17: make only these calls (the others are drawn, not made)
if os.getenv("FUZZ_ONLY") then
  ONLY = {}
  for i in os.getenv("FUZZ_ONLY"):gmatch("%d+") do ONLY[tonumber(i)] = true end
end
local CALL_TIMEOUT = 0.002
local REFRESH = 150	-- calls between fresh sets of objects

local here = arg and arg[0] and arg[0]:match("^(.*)/[^/]*$") or "."
local known = dofile(here .. "/known.lua")
local MYFILE = (arg and arg[0] or "fuzz.lua"):match("[^/]*$")

math.randomseed(SEED)
local random = math.random

--------------------------------------------------------------------------
-- Values. Each is {label, make}: the label is how a reproducer shows it.

local MB = string.rep("x", 1 << 20)
local function raising(what) return function() error("fuzz: " .. what .. " raised", 0) end end

local scalars = {
  {"nil", function() return nil end},
  {"true", function() return true end},
  {"false", function() return false end},
  {"0", function() return 0 end},
  {"-1", function() return -1 end},
  {"1", function() return 1 end},
  {"0.5", function() return 0.5 end},
  {"2^53", function() return 2^53 end},
  {"math.maxinteger", function() return math.maxinteger end},
  {"math.mininteger", function() return math.mininteger end},
  {"0/0", function() return 0/0 end},
  {"1/0", function() return 1/0 end},
  {"-1/0", function() return -1/0 end},
  {'""', function() return "" end},
  {'"a"', function() return "a" end},
  {'"TERM"', function() return "TERM" end},
  {'"-1"', function() return "-1" end},
  {'"a\\0b"', function() return "a\0b" end},
  {'("x"):rep(1 << 20)', function() return MB end},
  {"{}", function() return {} end},
  {"{n = 2^40}", function() return {n = 2^40} end},
  {"{1, 2, n = 2}", function() return {1, 2, n = 2} end},
  {"{__len raises}", function() return setmetatable({}, {__len = raising("__len")}) end},
  {"{__index raises}", function() return setmetatable({}, {__index = raising("__index")}) end},
  {"{timeout = -1}", function() return {timeout = -1} end},
  {"{timeout = 0/0}", function() return {timeout = 0/0} end},
  {"{return_exceptions = 1, limit = 2^53, stdin = -1}",
   function() return {return_exceptions = 1, limit = 2^53, stdin = -1} end},
  {"function() end", function() return function() end end},
  {"function(...) return ... end", function() return function(...) return ... end end},
  {"function() error('fuzz') end", function() return function() error("fuzz: raised", 0) end end},
  {"coroutine.create(f)", function() return coroutine.create(function() end) end},
  {"asyncio.async(f)()", function() return asyncio.async(function() end)() end},
}

--------------------------------------------------------------------------
-- Objects of every kind, made afresh every REFRESH calls.

local objs, kinds = {}, {}
local resources = {}	-- servers, writers, processes to close at each refresh

local function make_objects()
  local made = {}
  local t = asyncio.create_task(function()
    local loop = asyncio.get_running_loop()
    made.Loop = asyncio.new_event_loop()
    made.Future = asyncio.Future()
    made.Task = asyncio.create_task(function() asyncio.sleep(3600) end)
    made.Handle = loop:call_later(3600, function() end)
    made.Coroutine = asyncio.async(function() asyncio.sleep(0) end)()
    made.Queue = asyncio.Queue(2)
    made.PriorityQueue = asyncio.PriorityQueue()
    made.LifoQueue = asyncio.LifoQueue(1)
    made.Lock = asyncio.Lock()
    made.Event = asyncio.Event()
    made.Condition = asyncio.Condition()
    made.Semaphore = asyncio.Semaphore(2)
    made.BoundedSemaphore = asyncio.BoundedSemaphore(1)
    made.Barrier = asyncio.Barrier(2)
    made.Timeout = asyncio.timeout(3600)
    made.TaskGroup = asyncio.TaskGroup()
    made.Runner = asyncio.Runner()
    made.ExceptionGroup = asyncio.ExceptionGroup("fuzz", {asyncio.QueueEmpty("x")})
    made.Error = asyncio.TimeoutError("fuzz")
    local server = asyncio.start_server(function() end, "127.0.0.1", 0)
    made.Server = server
    made.StreamReader, made.StreamWriter = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
    made.Process = asyncio.create_subprocess_exec("/bin/cat", {stdin = asyncio.PIPE, stdout = asyncio.PIPE})
    made.CompletedProcess = asyncio.run_process({"/bin/true"})
    made.DatagramEndpoint = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}}
    made.SSLContext = asyncio.ssl.SSLContext(asyncio.ssl.PROTOCOL_TLS_CLIENT)
    made.Session = asyncio.http.Session()
    local web = asyncio.start_server(function(_, w)
      w:write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
      w:drain()
      w:close()
    end, "127.0.0.1", 0)
    made.Response = asyncio.http.get(("http://127.0.0.1:%d/"):format(web.sockets[1].port))
    web:close()
  end)
  t:await()
  for _, r in ipairs(resources) do pcall(r) end
  resources = {
    function() made.StreamWriter:close() end,
    function() made.Server:close() end,
    function() made.Process:kill() end,
    function() made.DatagramEndpoint:close() end,
    function() made.Session:close() end,
    function() made.Response:close() end,
  }
  objs = made
  kinds = {}
  for k in pairs(made) do kinds[#kinds + 1] = k end
  table.sort(kinds)
end

-- A random value: a scalar, or an object of any kind (a wrong self).
local function pick()
  if random(4) == 1 and #kinds > 0 then
    local k = kinds[random(#kinds)]
    return objs[k], k
  end
  local s = scalars[random(#scalars)]
  return s[2](), s[1]
end

--------------------------------------------------------------------------
-- Targets: {name, get_fn, self_kind or nil, fix_args or nil}.

-- Names a host for the network functions only on loopback: nothing may
-- look up or reach another address.
local function loopback_host(i)
  return function(args)
    if type(args[i]) == "string" then args[i] = "127.0.0.1" end
  end
end

-- The same for a URL: a port on loopback where nothing listens.
local function loopback_url(i)
  return function(args)
    if type(args[i]) == "string" then args[i] = "http://127.0.0.1:1/" end
  end
end

-- Not fuzzed by design: calls that would block the whole process (a nested
-- loop run never reaches our timeout) or reach outside it.
local unsafe = {
  ["Loop.run_forever"] = "runs a nested loop that nothing stops",
  ["Loop.run_until_complete"] = "runs a nested loop past our timeout",
  ["Runner.run"] = "runs a nested loop past our timeout",
  ["run"] = "a fresh loop when none runs",
}

local targets = {}
local function add(name, get, self_kind, fix)
  if not unsafe[name] then targets[#targets + 1] = {name = name, get = get, self_kind = self_kind, fix = fix} end
end

local function add_module_functions()
  -- run_process with random arguments runs nothing but /bin/sh with
  -- the scalars' strings, or lists of them: none names a real program.
  for _, k in ipairs{"timeout", "Lock", "Queue", "open_connection", "create_subprocess_exec", "run_process",
                   "open_datagram_endpoint"} do
    local _ = asyncio[k]	-- loads the lazy parts
  end
  local names = {}
  for k, v in pairs(asyncio) do
    if type(v) == "function" then names[#names + 1] = k end
  end
  table.sort(names)
  for _, k in ipairs(names) do
    local fix
    if k == "open_connection" then fix = loopback_host(1) end
    if k == "start_server" then fix = loopback_host(2) end
    add(k, function() return asyncio[k] end, nil, fix)
  end
  -- The parts loaded on first use: TLS contexts and the HTTP client.
  for _, part in ipairs{"ssl", "http"} do
    local fns = {}
    for k, v in pairs(asyncio[part]) do
      if type(v) == "function" then fns[#fns + 1] = k end
    end
    table.sort(fns)
    for _, k in ipairs(fns) do
      local fix = part == "http" and loopback_url(k == "request" and 2 or 1) or nil
      add(part .. "." .. k, function() return asyncio[part][k] end, nil, fix)
    end
  end
  for _, cls in ipairs{"ExceptionGroup", "TimeoutError", "CancelledError"} do
    add(cls, function() return asyncio[cls] end)
    add(cls .. ".is", function() return asyncio[cls].is end)
    add(cls .. ".extend", function() return asyncio[cls].extend end)
  end
end

-- The methods of a kind: its __index table's functions, or (for kinds whose
-- __index is a function) the names given here.
-- Argument fixes for methods, as loopback_host for the functions.
local method_fixes = {
  ["DatagramEndpoint.sendto"] = loopback_host(3),
}
for _, m in ipairs{"get", "post", "put", "patch", "delete", "head"} do method_fixes["Session." .. m] = loopback_url(2) end
method_fixes["Session.request"] = loopback_url(3)

local method_names = {
  Barrier = {"wait", "reset", "abort"},
  Process = {"wait", "send_signal", "terminate", "kill", "communicate"},
  SSLContext = {"load_cert_chain", "load_verify_locations", "load_default_certs", "set_alpn_protocols", "set_ciphers"},
}

local function add_methods(kind)
  local obj = objs[kind]
  local mt = getmetatable(obj)
  local names = {}
  if type(mt.__index) == "table" then
    for k, v in pairs(mt.__index) do
      if type(v) == "function" then names[#names + 1] = k end
    end
  else
    for _, k in ipairs(method_names[kind] or {}) do names[#names + 1] = k end
  end
  for k, v in pairs(mt) do
    if type(v) == "function" and k:sub(1, 2) == "__" and not names[k] then names[#names + 1] = k end
  end
  table.sort(names)
  for _, k in ipairs(names) do
    local is_meta = k:sub(1, 2) == "__"
    add(kind .. "." .. k, function()
      local o = objs[kind]
      if is_meta then return getmetatable(o)[k] end
      return o[k]
    end, kind, method_fixes[kind .. "." .. k])
  end
end

--------------------------------------------------------------------------
-- Checking what a call raised.

local internal_files = {"asyncio.lua", "tasks.lua", "locks.lua", "queues.lua", "streams.lua",
                        "processes.lua", "run_process.lua", "daemon.lua", "takeover.lua", "datagrams.lua",
                        "ssl.lua", "http.lua"}

-- Errors Lua itself raises for a program's mistake: "attempt to ..." that
-- asyncio documents (suspending outside a task, a closed object) are fine.
local allowed_attempts = {"attempt to suspend outside a task", "attempt to use a closed"}

local function violation_of(msg)
  if type(msg) ~= "string" then return nil end
  for _, f in ipairs(internal_files) do
    if msg:find("^" .. f:gsub("%.", "%%.") .. ":%d+:") then return "internal position" end
  end
  if msg:find("bad argument", 1, true) then
    if msg:find("to '?'", 1, true) then return "unnamed function" end
    local where = msg:match("^([^:]+):%d+: bad argument")
    if where and where ~= MYFILE then return "position in " .. where end
  end
  local attempt = msg:match("attempt to [%a ]+")
  if attempt and not msg:find("fuzz:", 1, true) then
    for _, ok in ipairs(allowed_attempts) do
      if attempt:sub(1, #ok) == ok or msg:find(ok, 1, true) then return nil end
    end
    return "raw Lua error"
  end
  return nil
end

--------------------------------------------------------------------------
-- The run.

local function describe(call)
  local parts = {}
  for i = 1, call.n do parts[i] = call.labels[i] end
  return ("%s(%s)"):format(call.name, table.concat(parts, ", "))
end

local function is_known(call)
  for _, k in ipairs(known) do
    if call.name:find("^" .. k.target .. "$") and k.skip and k.skip(call.args, call.n, call.labels, call.name) then
      return true
    end
  end
  return false
end

local main_loop = asyncio.get_running_loop()
local violations, made_calls, skipped = 0, 0, 0
local by_class = {}

local function one_call(index)
  local target = targets[random(#targets)]
  local n = random(40) == 1 and (random(4) == 1 and 5000 or 250) or random(0, random(5) == 1 and 8 or 3)
  local args, labels = {}, {}
  local first = 1
  if target.self_kind then
    first = 2
    n = n + 1
    if random(3) ~= 1 then
      args[1], labels[1] = objs[target.self_kind], target.self_kind
    else
      args[1], labels[1] = pick()
    end
  end
  for i = first, n do args[i], labels[i] = pick() end
  if target.fix then target.fix(args) end
  local call = {name = target.name, args = args, labels = labels, n = n}
  if ONLY and not ONLY[index] then return end
  if is_known(call) then skipped = skipped + 1 return end
  if TRACE then io.stderr:write(("FUZZ seed=%d call=%d: %s\n"):format(SEED, index, describe(call))) end
  -- Looking a method up may raise by itself (a closed SSLContext): that
  -- error is checked as the call's.
  local got, fn = pcall(target.get)
  local results = {}
  local task = asyncio.create_task(function()
    if not got then results = {false, fn} return end
    local scope <close> = asyncio.timeout(CALL_TIMEOUT)
    results = table.pack(pcall(fn, table.unpack(args, 1, n)))
  end)
  -- A call that swallows one cancellation (as serve_forever's wait_closed
  -- may) is cancelled again; one that outlives many is a hang.
  for _ = 1, 50 do
    asyncio.wait({task}, {timeout = 0.02})
    if task:done() then break end
    task:cancel()
  end
  made_calls = made_calls + 1
  if not task:done() then
    violations = violations + 1
    print(("VIOLATION (hang) FUZZ_SEED=%d call %d: %s"):format(SEED, index, describe(call)))
    return
  end
  asyncio.set_event_loop(main_loop)
  if results[1] == false then
    local why = violation_of(results[2])
    for _, k in ipairs(known) do
      if why and k.message and target.name:find("^" .. k.target .. "$") and tostring(results[2]):find(k.message) then
        why = nil
      end
    end
    if why then
      violations = violations + 1
      local class = target.name .. ": " .. why
      if not by_class[class] then
        by_class[class] = true
        print(("VIOLATION (%s) FUZZ_SEED=%d call %d: %s -> %s"):format(
          why, SEED, index, describe(call), (tostring(results[2]):gsub("\n.*", ""))))
      end
    end
  end
end

make_objects()
add_module_functions()
for _, kind in ipairs(kinds) do add_methods(kind) end

for i = 1, CALLS do
  if i % REFRESH == 0 then make_objects() end
  one_call(i)
end
for _, r in ipairs(resources) do pcall(r) end

print(("fuzz seed %d: %d targets, %d calls, %d skipped as known, %d violations"):format(
  SEED, #targets, made_calls, skipped, violations))
io.stdout:flush()
os.exit(violations == 0 and 0 or 1)
