-- processes.lua -- create_subprocess_exec/_shell and Process: asyncio's subprocesses over l_process.c's primitives
local M, C = ...

local type, select, error, pcall, tostring, getmetatable, setmetatable, pairs =
  type, select, error, pcall, tostring, getmetatable, setmetatable, pairs
local rawlen, rawget = rawlen, rawget
local tointeger = math.tointeger
local argerror, typename, check_self, opt_field = C.argerror, C.typename, C.check_self, C.opt_field
local _ = M.open_connection	-- loads streams.lua: the pipes are its StreamReaders and StreamWriters
local P = C.open_process()

M.PIPE, M.STDOUT, M.DEVNULL = P.PIPE, P.STDOUT, P.DEVNULL

local DEFAULT_LIMIT = 65536
local DEFAULT_KILL_GRACE = 5

local Process = {__name = "asyncio.Process"}
M.Process = Process

-- returncode is read live from the child; the rest are plain fields.
function Process.__index(self, key)
  check_self(self, Process, "__index")
  if key == "returncode" then return self._child:returncode() end
  return Process[key]
end

function Process:__tostring()
  check_self(self, Process, "__tostring")
  local rc = self.returncode
  return ("<Process %d %s>"):format(self.pid, rc == nil and "running" or "returncode=" .. rc)
end

function Process:wait()
  check_self(self, Process, "wait")
  return self._child:wait()
end

function Process:send_signal(sig)
  check_self(self, Process, "send_signal")
  if type(sig) == "string" then
    sig = P.signal_number(sig) or argerror(1, "send_signal", "unknown signal name")
  elseif not tointeger(sig) or sig <= 0 or sig >= P.NSIG then
    argerror(1, "send_signal", "signal name or number expected, got " .. typename(sig, sig ~= nil))
  end
  self._child:kill(sig)
end

local SIGTERM, SIGKILL = P.signal_number("TERM"), P.signal_number("KILL")
local CancelledError = M.CancelledError

function Process:terminate()
  check_self(self, Process, "terminate")
  self._child:kill(SIGTERM)
end

function Process:kill()
  check_self(self, Process, "kill")
  self._child:kill(SIGKILL)
end

local function close_pipes(self)
  if self.stdin then self.stdin:abort() end
  if self.stdout then P.close_reader(self.stdout) end
  if self.stderr then P.close_reader(self.stderr) end
end

local function drain(reader)
  if reader then
    while reader:read(65536) ~= "" do end
  end
end

-- The stop itself, in a task of its own: TERM to the child (its group when
-- it leads one), up to kill_grace for it to exit (with drain_pipes, also
-- for its pipes to end: they are read and dropped meanwhile, so that a
-- child blocked on a full pipe can get on), then KILL. A cancellation of
-- this task only hurries it to the KILL. The child is held unreaped until
-- its group was signalled for the last time: the id is the group's only
-- while the leader is unreaped (see process.c). So the last KILL also
-- reaches whatever of the group outlived the child: it could not be
-- signalled safely later, and nothing tells when the group has emptied.
local function stop_child(self, drain_pipes)
  local child = self._child
  child:hold()
  pcall(child.kill, child, SIGTERM, true)	-- EPERM (a setuid member) must not end the stop
  pcall(M.wait_for, function()
    if drain_pipes then
      M.gather(function() drain(self.stdout) end, function() drain(self.stderr) end)
    end
    child:wait()
  end, self._kill_grace)
  pcall(child.kill, child, SIGKILL, true)
  while child:returncode() == nil do pcall(child.wait, child) end
  child:release()
  close_pipes(self)
end

-- Stops the child from a task: the caller waits until it is reaped and its
-- pipes are closed, whatever cancels it meanwhile. Returns the first
-- CancelledError that came, for the caller to raise once it is done.
-- drain_pipes: nobody else reads them (run_process's own).
local function stop(self, drain_pipes)
  local stopping = M.create_task(stop_child, self, drain_pipes)
  stopping:set_name("stop process " .. self.pid)	-- as aiod ps shows it
  local cancelled
  while not stopping:done() do
    local ok, e = pcall(M.shield, stopping)
    if not ok and CancelledError:is(e) then cancelled = cancelled or e end
  end
  return cancelled
end
C.stop_process = stop

-- A block that holds the Process in a <close> variable is left: a child
-- still running is stopped as a cancelled run_process stops its own (its
-- pipes are left to their readers meanwhile), and the pipes are closed.
-- Where nothing can wait (outside a task, or inside a coroutine of the
-- task's own), the child and its group get KILL at once and are reaped
-- when they end.
function Process:__close()
  check_self(self, Process, "__close")
  if self.returncode ~= nil then return close_pipes(self) end
  if not P.can_wait() then
    pcall(self._child.kill, self._child, SIGKILL, true)
    return close_pipes(self)
  end
  local cancelled = stop(self)
  if cancelled then error(cancelled, 0) end
end

local function read_all(reader)
  if reader then return reader:read() end
  return nil
end

-- Feeds input, closes stdin, reads stdout and stderr to their ends at the
-- same time, then waits: a child blocked on a full pipe always gets read.
function Process:communicate(input)
  check_self(self, Process, "communicate")
  if input ~= nil and type(input) ~= "string" then
    argerror(1, "communicate", "string expected, got " .. type(input))
  end
  if input ~= nil and not self.stdin then
    error("communicate: input given but stdin is not a pipe", 2)
  end
  local stdin = self.stdin
  local feed = function()
    if not stdin then return end
    -- A child that exits without reading all of its input is no error.
    pcall(function()
      if input then
        stdin:write(input)
        stdin:drain()
      end
    end)
    stdin:close()
  end
  local results = M.gather(feed,
    function() return read_all(self.stdout) end,
    function() return read_all(self.stderr) end)
  self:wait()
  return results[2], results[3]
end

local function check_stdio(fname, n, opts, field)
  local v = opts[field]
  if v ~= nil and not tointeger(v) then
    argerror(n, fname, ("field '%s': PIPE, DEVNULL, STDOUT, a descriptor or nil expected, got %s")
      :format(field, type(v)), 1)
  end
  return v
end

-- The OS takes C strings: a zero byte would cut the text short, so it is
-- refused (Python raises ValueError).
local function has_zero(s)
  return s:find("\0", 1, true) ~= nil
end

local function check_env(fname, n, env)
  if env == nil then return nil end
  if type(env) ~= "table" then
    argerror(n, fname, "field 'env': table expected, got " .. type(env), 1)
  end
  for k, v in pairs(env) do
    if type(k) ~= "string" or (type(v) ~= "string" and type(v) ~= "number") then
      argerror(n, fname, "field 'env': string names and string values expected", 1)
    end
    if has_zero(k) or has_zero(tostring(v)) then
      argerror(n, fname, "field 'env': embedded zero in a name or value", 1)
    end
    if k == "" or k:find("=", 1, true) then
      argerror(n, fname, "field 'env': illegal variable name '" .. k .. "'", 1)
    end
  end
  return env
end

local function check_pass_fds(fname, n, fds)
  if fds == nil then return nil end
  local bad = "field 'pass_fds': list of descriptors expected"
  if type(fds) ~= "table" then argerror(n, fname, bad .. ", got " .. type(fds), 2) end
  local list = {}
  for i = 1, rawlen(fds) do
    local fd = rawget(fds, i)
    fd = type(fd) == "number" and tointeger(fd)
    if not fd or fd < 0 or fd > 0x7fffffff then argerror(n, fname, bad, 2) end
    list[i] = fd
  end
  return list
end

local function check_kill_grace(fname, n, opts)
  local grace = opt_field(fname, n, opts, "kill_grace", "number", DEFAULT_KILL_GRACE, 2)
  if grace < 0 or grace ~= grace then
    argerror(n, fname, "field 'kill_grace': non-negative number expected", 2)
  end
  return grace
end

local function spawn(fname, n, file, argv, opts)
  if opts == nil then opts = {} end
  local stdin = check_stdio(fname, n, opts, "stdin")
  local stdout = check_stdio(fname, n, opts, "stdout")
  local stderr = check_stdio(fname, n, opts, "stderr")
  if stdin == M.STDOUT or stdout == M.STDOUT then
    argerror(n, fname, "STDOUT is for stderr only", 1)
  end
  local cwd = opt_field(fname, n, opts, "cwd", "string", nil, 1)
  if cwd and has_zero(cwd) then
    argerror(n, fname, "field 'cwd': embedded zero", 1)
  end
  local env = check_env(fname, n, opts.env)
  local limit = opt_field(fname, n, opts, "limit", "number", DEFAULT_LIMIT, 1)
  if not tointeger(limit) or limit <= 0 then
    argerror(n, fname, "field 'limit': positive integer expected", 1)
  end
  local new_session = opt_field(fname, n, opts, "start_new_session", "boolean", false, 1)
  local group = opt_field(fname, n, opts, "process_group", "number", nil, 1)
  if group and (not tointeger(group) or group < 0 or group > 0x7fffffff) then
    argerror(n, fname, "field 'process_group': non-negative integer expected", 1)
  end
  if group and new_session then
    -- setsid makes the child a group leader, which setpgid may not move.
    argerror(n, fname, "fields 'start_new_session' and 'process_group' exclude each other", 1)
  end
  local pass_fds = check_pass_fds(fname, n, opts.pass_fds)
  local kill_grace = check_kill_grace(fname, n, opts)
  local child, pid, w, r, e = P.spawn(file, argv, env, cwd, stdin, stdout, stderr, tointeger(limit),
                                      new_session, group and tointeger(group), pass_fds)
  return setmetatable({_child = child, _kill_grace = kill_grace, pid = pid, stdin = w, stdout = r,
                       stderr = e}, Process)
end
C.spawn_process, C.signal_name = spawn, P.signal_name

local function is_opts(v)
  return type(v) == "table" and getmetatable(v) == nil
end

-- create_subprocess_exec(program, arg, ... [, opts])
function M.create_subprocess_exec(...)
  local n = select("#", ...)
  local argv = {...}  -- one copy: select(i, ...) per argument is quadratic
  local program = argv[1]
  if type(program) ~= "string" then
    argerror(1, "create_subprocess_exec", "string expected, got " .. typename(program, n >= 1))
  end
  if has_zero(program) then
    argerror(1, "create_subprocess_exec", "embedded zero in the program name")
  end
  local opts = n >= 2 and is_opts(argv[n]) and argv[n] or nil
  local last = opts and n - 1 or n
  if opts then argv[n] = nil end
  for i = 2, last do
    local a = argv[i]
    if type(a) ~= "string" and type(a) ~= "number" then
      argerror(i, "create_subprocess_exec", "string expected, got " .. typename(a, true))
    end
    a = tostring(a)
    if has_zero(a) then
      argerror(i, "create_subprocess_exec", "embedded zero in argument")
    end
    argv[i] = a
  end
  return spawn("create_subprocess_exec", n, program, argv, opts)
end

-- create_subprocess_shell(cmd [, opts]): through /bin/sh -c
function M.create_subprocess_shell(...)
  local cmd, opts = ...
  local n = select("#", ...)
  if type(cmd) ~= "string" then
    argerror(1, "create_subprocess_shell", "string expected, got " .. typename(cmd, n >= 1))
  end
  if opts ~= nil and not is_opts(opts) then
    argerror(2, "create_subprocess_shell", "options table expected, got " .. typename(opts, true))
  end
  if has_zero(cmd) then
    argerror(1, "create_subprocess_shell", "embedded zero in the command")
  end
  return spawn("create_subprocess_shell", 2, "/bin/sh", {"/bin/sh", "-c", cmd}, opts)
end
