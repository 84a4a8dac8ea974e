-- parallel_run.lua -- run shell commands, a few at once and a timeout each; report each as it ends.
--
--   aiod scripts/parallel_run.lua -j 8 -t 300 -f restarts.txt
--   aiod scripts/parallel_run.lua 'ssh web1 uptime' 'ssh web2 uptime' 'make -C /srv/app check'
--
-- The options are in HELP below (or run it with -h). Each command runs
-- through /bin/sh -c, in a process group of its own, with stdin from
-- /dev/null and stderr merged into stdout; commands start in the order given.
-- A line is printed as each one ends: ok or FAIL, its time, the command, why
-- it failed, and its last lines of output. A summary closes the run. Ctrl-C or
-- SIGTERM stops the commands still running (each whole process group) and
-- still prints what finished.
local asyncio = require "asyncio"

io.stdout:setvbuf("line")	-- each report shows up as its command ends, also in a file or pipe

local USAGE = "usage: aiod parallel_run.lua [-j N] [-t SECONDS] [-k SECONDS] [-n LINES] [-f FILE] [--] COMMAND ...\n"
local HELP = USAGE .. [[
  -j N        run at most N commands at once (default 4)
  -t SECONDS  stop a command that runs longer than this (default 60; 0: no limit)
  -k SECONDS  a command being stopped gets SIGTERM, then SIGKILL this much later (default 2)
  -n LINES    show the last LINES lines of each command's output (default 3)
  -f FILE     read more commands from FILE ("-": stdin), one a line; blank lines
              and lines starting with # are skipped
Exit status: 0 when every command exited 0; 1 when one failed, timed out or
could not start, or the run was interrupted; 2 on bad usage.
]]
local MAX_LINE = 300	-- longer output lines are cut: memory stays bounded whatever a command prints
local DRAIN = 0.5	-- how long to keep reading once a command has exited (see run)

local function usage(msg)
  io.stderr:write("parallel_run: ", msg, "\n", USAGE)
  os.exit(2)
end

local jobs_at_once, timeout, grace, keep, jobs = 4, 60, 2, 3, {}

local function add_commands_from(name)
  local f, err = io.stdin, nil
  if name ~= "-" then f, err = io.open(name, "r") end
  if not f then usage(err) end
  for line in f:lines() do
    line = line:match("^%s*(.-)%s*$")
    if line ~= "" and line:sub(1, 1) ~= "#" then jobs[#jobs + 1] = {cmd = line} end
  end
  if f ~= io.stdin then f:close() end
end

local i, options = 1, true
while i <= #arg do
  local a = arg[i]
  if options and (a == "-j" or a == "-t" or a == "-k" or a == "-n") then
    local n = tonumber(arg[i + 1])
    if a == "-j" or a == "-n" then
      n = n and math.tointeger(n)
      if not n or n < 0 or (a == "-j" and n == 0) then
        usage(a .. (a == "-j" and " needs a whole number above 0" or " needs a whole number"))
      end
    elseif not n or n < 0 then
      usage(a .. " needs a number of seconds")
    end
    if a == "-j" then jobs_at_once = n elseif a == "-t" then timeout = n
    elseif a == "-k" then grace = n else keep = n end
    i = i + 2
  elseif options and a == "-f" then
    if not arg[i + 1] then usage("-f needs a file") end
    add_commands_from(arg[i + 1])
    i = i + 2
  elseif options and (a == "-h" or a == "--help") then
    io.write(HELP)
    os.exit(0)
  elseif options and a == "--" then
    options, i = false, i + 1
  elseif options and a:match("^%-.") then
    usage("unknown option " .. a)
  else
    jobs[#jobs + 1] = {cmd = a}
    i = i + 1
  end
end
if #jobs == 0 then usage("no commands to run") end

local loop = asyncio.get_running_loop()
local slots = asyncio.Semaphore(jobs_at_once)

-- Output: a ring of the last `keep` lines and a count of all of them, so a
-- command that prints gigabytes costs no more memory than one that prints three lines.
local function add_line(out, line)
  if #line > MAX_LINE then line = line:sub(1, MAX_LINE) .. "..." end
  out.count = out.count + 1
  if keep > 0 then out[(out.count - 1) % keep + 1] = line end
end

local function collect(reader, out)
  while true do
    local chunk = reader:read(65536)
    if chunk == "" then break end
    -- Plain find, not a pattern such as "([^\n]*)\n": on a chunk without a
    -- newline that one rescans the rest from every byte, quadratic time.
    local text, pos = out.partial .. chunk, 1
    while true do
      local nl = text:find("\n", pos, true)
      if not nl then break end
      add_line(out, text:sub(pos, nl - 1))
      pos = nl + 1
    end
    out.partial = text:sub(pos, pos + MAX_LINE)	-- of an endless line, only its start is kept
  end
  if out.partial ~= "" then add_line(out, out.partial) end
  out.partial = ""
end

-- asyncio.wait_for that returns false on timeout; a cancellation still raises.
local function within(seconds, fn)
  local ok, err = pcall(asyncio.wait_for, fn, seconds)
  if ok or asyncio.TimeoutError:is(err) then return ok end
  error(err, 0)
end

local SIGNALS = {[1] = "HUP", [2] = "INT", [3] = "QUIT", [6] = "ABRT", [9] = "KILL", [11] = "SEGV",
                 [13] = "PIPE", [15] = "TERM"}

local function describe(rc)
  if rc < 0 then return SIGNALS[-rc] and "killed by SIG" .. SIGNALS[-rc] or "killed by signal " .. -rc end
  if rc == 126 then return "exit 126: cannot execute" end
  if rc == 127 then return "exit 127: command not found" end
  return "exit " .. rc
end

local function seconds(s)
  if s < 60 then return ("%.2fs"):format(s) end
  return ("%dm%02ds"):format(s // 60, math.floor(s % 60))
end

local function report(job)
  local out, lines = job.out, {}
  local tag = job.ok and "ok  " or job.stopped and "STOP" or "FAIL"
  lines[1] = ("%s %8s  %s%s"):format(tag, seconds(job.elapsed), job.cmd,
                                      job.ok and "" or "  (" .. job.status .. ")")
  if out.partial ~= "" then add_line(out, out.partial) end	-- a line the command had not finished
  local first = math.max(1, out.count - keep + 1)
  if first > 1 and keep > 0 then lines[#lines + 1] = ("    [%d earlier lines]"):format(first - 1) end
  for n = first, out.count do
    -- A progress bar redraws its line with \r: show what it showed last.
    lines[#lines + 1] = "    " .. out[(n - 1) % keep + 1]:gsub("\r+$", ""):match("[^\r]*$")
  end
  io.write(table.concat(lines, "\n"), "\n")
end

-- Waits for the command within the timeout, its output read beside it, and
-- only briefly after the exit: a daemon the command left in the background
-- may hold the output open for good. Leaving early (the timeout, Ctrl-C,
-- SIGTERM) stops the command and all it started, its session's process
-- group: TERM, then KILL -k seconds later; the output is still read meanwhile.
local function supervise(job, proc, reading, started)
  local _ <close> = proc
  job.exited = within(timeout > 0 and timeout or nil, function() return proc:wait() end)
  if not job.exited then
    job.status = ("timed out after %gs"):format(timeout)
    return
  end
  job.elapsed = loop:time() - started
  within(DRAIN, reading)
end

-- Runs one command and reports it.
local function run(job)
  local _ <close> = slots:guard()	-- held until the command's processes are gone
  job.out = {count = 0, partial = ""}
  local started = loop:time()
  -- A session of its own: the shell leads a process group that a stop
  -- signals whole, and Ctrl-C in a terminal reaches aiod alone, which stops it.
  local ok, proc = pcall(asyncio.create_subprocess_exec, "/bin/sh", "-c", "--", job.cmd,
    {stdin = asyncio.DEVNULL, stdout = asyncio.PIPE, stderr = asyncio.STDOUT,
     start_new_session = true, kill_grace = grace})
  if not ok then
    local why = proc.errno == 2 and "/bin/sh not found" or proc.strerror or tostring(proc)
    job.elapsed, job.status = 0, "could not start: " .. why
    report(job)
    return
  end
  local reading = asyncio.create_task(collect, proc.stdout, job.out)
  local done, err = pcall(supervise, job, proc, reading, started)
  job.elapsed = job.elapsed or loop:time() - started
  if done and not job.exited then	-- timed out and stopped: what it said meanwhile
    within(DRAIN, reading)
  elseif not done then	-- cancelled (Ctrl-C, SIGTERM): the command was stopped
    if not job.exited then job.stopped, job.status = true, "interrupted" end
    -- Its last words before it was stopped are often the ones that matter
    -- (a stop of aiod has cancelled the reading already).
    pcall(asyncio.wait, {reading})
    pcall(within, DRAIN, function() collect(proc.stdout, job.out) end)
  end
  job.ok = job.status == nil and proc.returncode == 0
  job.status = job.status or describe(proc.returncode)
  report(job)
  if not done then error(err, 0) end
end

local started = loop:time()
local tasks = {}
for n, job in ipairs(jobs) do tasks[n] = asyncio.create_task(run, job) end
local interrupted = not pcall(asyncio.wait, tasks)
if interrupted then
  -- aiod has cancelled every task; wait while each stops its command and
  -- reports (a second cancel does not cut a stop short).
  for _, t in ipairs(tasks) do t:cancel() end
  asyncio.wait(tasks)
end

local n_ok, failed, stopped, waiting, slowest = 0, {}, 0, 0, nil
for _, job in ipairs(jobs) do
  if job.ok then n_ok = n_ok + 1
  elseif job.status then failed[#failed + 1] = job
  else waiting = waiting + 1 end
  if job.stopped then stopped = stopped + 1 end
  if job.elapsed and (not slowest or job.elapsed > slowest.elapsed) then slowest = job end
end
print(("-- %d command%s in %s: %d ok, %d failed%s"):format(#jobs, #jobs == 1 and "" or "s",
  seconds(loop:time() - started), n_ok, #failed - stopped,
  interrupted and (", %d stopped, %d not started (interrupted)"):format(stopped, waiting) or ""))
for _, job in ipairs(failed) do
  print(("   %s: %s  (%s)"):format(job.stopped and "stopped" or "failed", job.cmd, job.status))
end
if slowest then print(("   slowest: %s  (%s)"):format(slowest.cmd, seconds(slowest.elapsed))) end

-- After SIGTERM aiod exits 0 (130 after Ctrl-C) whatever the script returns,
-- as fits a daemon told to stop; a run cut short did not do its job, so it
-- sets the status itself.
if interrupted then os.exit(1) end
return #failed == 0 and 0 or 1
