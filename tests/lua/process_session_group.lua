-- both
-- create_subprocess_exec's start_new_session (setsid) and process_group (setpgid: 0 a group of its own, N joins group N), as Python's subprocess; bad values and the two together are refused
local asyncio = require "asyncio"

-- pid, process group and session of a /proc/PID/stat line (the name is "(sh)": no spaces)
local function ids(stat)
  local pid, pgrp, sid = stat:match("^(%d+) %S+ %S+ %d+ (%d+) (%d+)")
  return tonumber(pid), tonumber(pgrp), tonumber(sid)
end

local f = assert(io.open("/proc/self/stat"))
local _, my_pgrp, my_sid = ids(f:read("a"))
f:close()

-- The child's own ids, then it waits for its stdin to close.
local function child(opts)
  opts.stdin, opts.stdout = asyncio.PIPE, asyncio.PIPE
  local p = asyncio.create_subprocess_exec("/bin/sh", "-c", "cat /proc/$$/stat; read -r _", opts)
  return p, ids(p.stdout:readline())
end

local function done(p)
  p.stdin:close()
  p:wait()
end

asyncio.run(function()
  local p, pid, pgrp, sid = child({})
  print("default: aiod's group and session", pid == p.pid, pgrp == my_pgrp, sid == my_sid)
  done(p)

  p, pid, pgrp, sid = child({start_new_session = true})
  print("start_new_session: its own session and group", pgrp == pid, sid == pid)
  done(p)

  local leader, lpid, lpgrp, lsid = child({process_group = 0})
  print("process_group = 0: its own group, aiod's session", lpgrp == lpid, lsid == my_sid)
  p, pid, pgrp = child({process_group = leader.pid})
  print("process_group = N: joins group N", pgrp == leader.pid, pid ~= leader.pid)
  done(p)
  done(leader)

  for _, opts in ipairs{{start_new_session = 1}, {process_group = -1}, {process_group = 1.5},
                        {process_group = "0"}, {start_new_session = true, process_group = 0}} do
    local ok, e = pcall(asyncio.create_subprocess_exec, "/bin/true", opts)
    print(ok, (tostring(e):gsub("^[^:]*:%d+: ", "")))
  end
  local ok, e = pcall(asyncio.create_subprocess_exec, "/bin/true", {process_group = 999999})
  print("a group that does not exist:", ok, asyncio.OSError:is(e))
end)
