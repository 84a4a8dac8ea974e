-- run_process.lua -- asyncio.run_process and CompletedProcess: a command run to its end, as Python's subprocess.run (a lazy part)
local M, C = ...

local type, select, error, pcall, tostring, pairs, setmetatable, rawlen, rawget =
  type, select, error, pcall, tostring, pairs, setmetatable, rawlen, rawget
local concat = table.concat
local argerror, typename, opt_field, is_plain_table = C.argerror, C.typename, C.opt_field, C.is_plain_table
local _ = M.Process	-- loads processes.lua
local spawn, stop, signal_name = C.spawn_process, C.stop_process, C.signal_name
local CancelledError, TimeoutError, CalledProcessError = M.CancelledError, M.TimeoutError, M.CalledProcessError

-- A word as a shell would need it, quoted only when it must be.
local function shell_word(w)
  if w ~= "" and not w:find("[^%w@%%+=:,./_-]") then return w end
  return "'" .. w:gsub("'", "'\\''") .. "'"
end

-- A command as a person reads it: a shell command as it is, a list as the
-- line that would run it.
local function command_text(cmd)
  if type(cmd) ~= "table" then return tostring(cmd) end
  local words = {}
  for i = 1, rawlen(cmd) do words[i] = shell_word(tostring(rawget(cmd, i))) end
  return concat(words, " ")
end

-- Python's words: "Command 'false' returned non-zero exit status 1." or
-- "Command 'sleep 9' died with SIGKILL."
local function called_process_error(cmd, rc, stdout, stderr)
  local name = type(rc) == "number" and rc < 0 and signal_name(-rc)
  local what = type(rc) == "number" and rc < 0 and "died with " .. (name and "SIG" .. name or "signal " .. -rc)
    or "returned non-zero exit status " .. tostring(rc)
  return CalledProcessError(("Command '%s' %s."):format(command_text(cmd), what),
                            {returncode = rc, cmd = cmd, stdout = stdout, stderr = stderr})
end

local CompletedProcess = {__name = "asyncio.CompletedProcess"}
CompletedProcess.__index = CompletedProcess
M.CompletedProcess = CompletedProcess

function CompletedProcess:check_returncode()
  C.check_self(self, CompletedProcess, "check_returncode")
  if self.returncode ~= 0 then
    error(called_process_error(self.args, self.returncode, self.stdout, self.stderr), 2)
  end
end

local function quoted(v)
  if type(v) ~= "string" then return tostring(v) end
  return (("%q"):format(v):gsub("\\\n", "\\n"))
end

-- As Python's repr: CompletedProcess(args={"ls", "-l"}, returncode=0, stdout="...", stderr="")
function CompletedProcess:__tostring()
  C.check_self(self, CompletedProcess, "__tostring")
  local args = self.args
  if type(args) ~= "table" then
    args = quoted(args)
  else
    local words = {}
    for i = 1, rawlen(args) do words[i] = quoted(tostring(rawget(args, i))) end
    args = "{" .. concat(words, ", ") .. "}"
  end
  local parts = {"args=" .. args, "returncode=" .. tostring(self.returncode)}
  if self.stdout then parts[#parts + 1] = "stdout=" .. quoted(self.stdout) end
  if self.stderr then parts[#parts + 1] = "stderr=" .. quoted(self.stderr) end
  return "CompletedProcess(" .. concat(parts, ", ") .. ")"
end

-- The program and argv of cmd: a list run as it is, a string through the shell.
local function command(cmd, present)
  local bad = "string or list expected, got " .. typename(cmd, present)
  if type(cmd) == "string" then
    if cmd:find("\0", 1, true) then argerror(1, "run_process", "embedded zero in the command", 1) end
    return "/bin/sh", {"/bin/sh", "-c", cmd}
  end
  if not is_plain_table(cmd) then argerror(1, "run_process", bad, 1) end
  local argv = {}
  for i = 1, rawlen(cmd) do
    local a = rawget(cmd, i)
    if type(a) ~= "string" and type(a) ~= "number" then
      argerror(1, "run_process", ("item %d: string expected, got %s"):format(i, type(a)), 1)
    end
    a = tostring(a)
    if a:find("\0", 1, true) then argerror(1, "run_process", "embedded zero in item " .. i, 1) end
    argv[i] = a
  end
  if #argv == 0 then argerror(1, "run_process", "empty command list", 1) end
  return argv[1], argv
end

-- Feeds input and reads the pipes to their ends, waiting for the exit,
-- within the timeout; anything that cuts it short (the timeout, a
-- cancellation, an error) stops the child before it is raised again.
local function run_to_end(proc, input, timeout)
  local _ <close> = M.timeout(timeout)
  local ok, out, err = pcall(proc.communicate, proc, input)
  if not ok then
    local cancelled = stop(proc, true)
    error(cancelled and not CancelledError:is(out) and cancelled or out, 0)
  end
  return out, err
end

local RUN_ONLY = {input = true, capture_output = true, check = true, timeout = true}

-- run_process(cmd [, opts]) -> CompletedProcess
function M.run_process(...)
  local cmd, opts = ...
  local n = select("#", ...)
  local file, argv = command(cmd, n >= 1)
  if opts ~= nil and not is_plain_table(opts) then
    argerror(2, "run_process", "options table expected, got " .. typename(opts, true))
  end
  opts = opts or {}
  local input = opt_field("run_process", 2, opts, "input", "string")
  local capture = opt_field("run_process", 2, opts, "capture_output", "boolean", true)
  local check = opt_field("run_process", 2, opts, "check", "boolean", false)
  local timeout = opt_field("run_process", 2, opts, "timeout", "number")
  if timeout ~= timeout then argerror(2, "run_process", "field 'timeout': number expected, got NaN") end
  if input and opts.stdin ~= nil then
    argerror(2, "run_process", "fields 'input' and 'stdin' exclude each other")
  end
  C.current_task_or_error()
  local how = {}
  for k, v in pairs(opts) do
    if not RUN_ONLY[k] then how[k] = v end
  end
  if input then how.stdin = M.PIPE end
  if capture and how.stdout == nil then how.stdout = M.PIPE end
  if capture and how.stderr == nil then how.stderr = M.PIPE end
  local proc = spawn("run_process", 2, file, argv, how)
  proc._child:hold()	-- its group stays signallable until the pipes are done too
  local ok, out, err = pcall(run_to_end, proc, input, timeout)
  if not ok then
    if TimeoutError:is(out) and timeout and out.message == "" then
      out.message = ("Command '%s' timed out after %g seconds"):format(command_text(cmd), timeout)
    end
    error(out, 0)
  end
  proc._child:release()
  local rc = proc.returncode
  if check and rc ~= 0 then error(called_process_error(cmd, rc, out, err), 2) end
  return setmetatable({args = cmd, returncode = rc, stdout = out, stderr = err}, CompletedProcess)
end
