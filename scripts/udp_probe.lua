-- udp_probe.lua -- send a datagram to UDP services, all at once: who answers, what, and how fast.
--
--   aiod scripts/udp_probe.lua [-t SECONDS] [-d DATA] HOST:PORT ...
--
-- -t SECONDS  give up on one target after this long (default 1)
-- -d DATA     the datagram to send (default "ping")
-- A target is host:port, or [v6-address]:port. Each is probed through an
-- endpoint connected to it, so a port nobody listens on is reported as
-- refused (the ICMP error only reaches a connected socket). Exits 0 when
-- every target answered, 1 when one did not, 2 on bad usage.
local asyncio = require "asyncio"

local function usage(msg)
  io.stderr:write("udp_probe: ", msg, "\n",
    "usage: aiod udp_probe.lua [-t SECONDS] [-d DATA] HOST:PORT ...\n")
  os.exit(2)
end

local timeout, data, targets = 1, "ping", {}
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "-t" then
    timeout = tonumber(arg[i + 1])
    if not timeout or timeout <= 0 then usage("-t needs a positive number") end
    i = i + 2
  elseif a == "-d" then
    data = arg[i + 1] or usage("-d needs the data to send")
    i = i + 2
  else
    local host, port = a:match("^%[(.+)%]:(%d+)$")
    if not host then host, port = a:match("^([^:]+):(%d+)$") end
    if not host then usage("not HOST:PORT: " .. a) end
    targets[#targets + 1] = {text = a, host = host, port = tonumber(port)}
    i = i + 1
  end
end
if #targets == 0 then usage("no targets") end

local loop = asyncio.get_running_loop()

-- One probe: send, wait for one answer. Never raises: the outcome is the
-- row of the table.
local function probe(t)
  local started = loop:time()
  local ok, err = pcall(function()
    local endpoint <close> = asyncio.open_datagram_endpoint{remote_addr = {t.host, t.port}}
    endpoint:send(data)
    local answer, cut = asyncio.wait_for(function() return endpoint:recv() end, timeout)
    t.answer = ("%d bytes%s: %q"):format(#answer, cut and " (cut)" or "", answer:sub(1, 40))
  end)
  t.ms = (loop:time() - started) * 1000
  if ok then
    t.status, t.ok = "answered", true
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

local probes = {}
for n, t in ipairs(targets) do probes[n] = function() probe(t) end end
asyncio.gather(table.unpack(probes))

local width = 6
for _, t in ipairs(targets) do width = math.max(width, #t.text) end
local row = "%-" .. width .. "s  %-16s  %9s  %s\n"
io.write(row:format("TARGET", "STATUS", "TIME", "ANSWER"))
local failed = 0
for _, t in ipairs(targets) do
  if not t.ok then failed = failed + 1 end
  io.write(row:format(t.text, t.status, ("%.1f ms"):format(t.ms), t.answer or ""))
end
io.write(("%d of %d answered\n"):format(#targets - failed, #targets))
return failed == 0 and 0 or 1
