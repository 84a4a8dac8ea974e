-- subprocess workload for luv: 500 runs of /bin/true, at most 20 at once, stdout on a uv pipe read to EOF; each one done starts the next; prints how many exited 0.
local uv = require "luv"

local N, LIMIT = 500, 20

local started, ok = 0, 0

local function run_true()
  started = started + 1
  local out = uv.new_pipe(false)
  local pending, code = 2, nil -- the exit and the pipe's EOF
  local function finish()
    pending = pending - 1
    if pending > 0 then return end
    if code == 0 then ok = ok + 1 end
    if started < N then run_true() end
  end
  local proc
  proc = assert(uv.spawn("/bin/true", {stdio = {0, out, 2}}, function(status)
    code = status
    proc:close()
    finish()
  end))
  out:read_start(function(err, data)
    assert(not err, err)
    if data == nil then
      out:close()
      finish()
    end
  end)
end

for _ = 1, LIMIT do run_true() end
uv.run()
print(ok)
