-- port_check.lua -- check which TCP ports answer: many at once, a timeout each, one table.
--
--   aiod scripts/port_check.lua [-c N] [-t SECONDS] [-f FILE] HOST:PORT ...
--
-- -c N        at most N checks at once (default 50)
-- -t SECONDS  give up on one check after this long (default 2)
-- -f FILE     read more targets from FILE, one per line (# starts a comment)
-- A target is host:port, or [v6-address]:port. Exits 0 when every port
-- answered, 1 when one did not, 2 on bad usage.
local asyncio = require "asyncio"

local function usage(msg)
  io.stderr:write("port_check: ", msg, "\n",
    "usage: aiod port_check.lua [-c N] [-t SECONDS] [-f FILE] HOST:PORT ...\n")
  os.exit(2)
end

local limit, timeout, targets = 50, 2, {}

local function add_target(text)
  local host, port = text:match("^%[(.+)%]:(%d+)$")
  if not host then host, port = text:match("^([^:]+):(%d+)$") end
  if not host then usage("not HOST:PORT: " .. text) end
  targets[#targets + 1] = {text = text, host = host, port = tonumber(port)}
end

local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "-c" or a == "-t" then
    local n = tonumber(arg[i + 1])
    if not n or n <= 0 then usage(a .. " needs a positive number") end
    if a == "-c" then limit = math.floor(n) else timeout = n end
    i = i + 2
  elseif a == "-f" then
    local f, err = io.open(arg[i + 1] or "", "r")
    if not f then usage(err or "-f needs a file") end
    for line in f:lines() do
      line = line:gsub("#.*", ""):match("^%s*(.-)%s*$")
      if line ~= "" then add_target(line) end
    end
    f:close()
    i = i + 2
  else
    add_target(a)
    i = i + 1
  end
end
if #targets == 0 then usage("no targets") end

local loop = asyncio.get_running_loop()
local slots = asyncio.Semaphore(limit)

-- One check: connect within the timeout, then hang up. Never raises: the
-- outcome is the row of the table.
local function check(t)
  local _ <close> = slots:guard()
  local started = loop:time()
  local ok, err = pcall(function()
    local _, writer = asyncio.wait_for(function()
      return asyncio.open_connection(t.host, t.port)
    end, timeout)
    writer:close()
  end)
  t.ms = (loop:time() - started) * 1000
  if ok then
    t.status, t.ok = "open", true
  elseif asyncio.TimeoutError:is(err) then
    t.status = ("no answer in %gs"):format(timeout)
  elseif asyncio.ConnectionRefusedError:is(err) then
    t.status = "refused"
  elseif asyncio.OSError:is(err) then
    t.status = err.strerror or err.message
  else
    t.status = tostring(err)
  end
end

local checks = {}
for n, t in ipairs(targets) do checks[n] = function() check(t) end end
asyncio.gather(table.unpack(checks))

local width = 6
for _, t in ipairs(targets) do width = math.max(width, #t.text) end
local row = "%-" .. width .. "s  %-8s  %9s\n"
io.write(row:format("TARGET", "STATUS", "TIME"))
local failed = 0
for _, t in ipairs(targets) do
  if not t.ok then failed = failed + 1 end
  io.write(row:format(t.text, t.status, ("%.1f ms"):format(t.ms)))
end
io.write(("%d of %d open\n"):format(#targets - failed, #targets))
return failed == 0 and 0 or 1
