-- tls_check.lua -- check TLS certificates: many hosts at once, a timeout each, one table.
--
--   aiod scripts/tls_check.lua example.com mail.example.com:465 [::1]:8443
--   aiod scripts/tls_check.lua --days 30 --cafile /etc/myca.pem db1:5433 db2:5433
--
-- The options are in HELP below (or run it with -h). Each target gets a TLS
-- handshake that verifies its certificate against the system's CA store (or
-- --cafile's) and checks it names the host; then the script hangs up. The
-- table shows each certificate's subject and issuer, the days until it
-- expires, the TLS version negotiated, and "ok" or why the target failed.
local asyncio = require "asyncio"
local ssl = asyncio.ssl

local USAGE = "usage: aiod tls_check.lua [--days N] [--timeout SECONDS] [--limit N] [--cafile FILE] HOST[:PORT] ...\n"
local HELP = USAGE .. [[
  --days N           fail a certificate that expires within N days (default 14)
  --timeout SECONDS  give up on one target after this long, connecting and
                     handshake together (default 5)
  --limit N          check at most N targets at once (default 50)
  --cafile FILE      trust only the CA certificates in FILE (PEM), not the
                     system's store
A target is HOST, HOST:PORT, an IPv6 address or [IPv6]:PORT; the port
defaults to 443.
Exit status: 0 when every certificate verified and expires after N days;
1 when one did not, or a target could not be reached; 2 on bad usage or
a CA file that holds no certificate.
]]

local function usage(msg)
  io.stderr:write("tls_check: ", msg, "\n", USAGE)
  os.exit(2)
end

local days, timeout, limit, cafile, targets = 14, 5, 50, nil, {}

local function add_target(text)
  local host, port = text:match("^%[(.+)%]:(%d+)$")
  if not host then host = text:match("^%[(.+)%]$") end
  if not host then host, port = text:match("^([^:]+):(%d+)$") end
  if not host and text:match("^[^:%[%]]+$") then host = text end
  if not host and text:match("^[%x:.]+$") and select(2, text:gsub(":", "")) >= 2 then
    host = text	-- a bare IPv6 address: port 443
  end
  if not host or host == "" then usage("not HOST[:PORT]: " .. text) end
  port = tonumber(port or 443)
  if port < 1 or port > 65535 then usage("port out of range: " .. text) end
  targets[#targets + 1] = {text = text, host = host, port = port}
end

local i, options = 1, true
while i <= #arg do
  local a = arg[i]
  local name, value = a:match("^(%-%-%a+)=(.*)$")	-- --days=30 as well as --days 30
  if not name then name, value = a, arg[i + 1] end
  if options and (name == "--days" or name == "--timeout" or name == "--limit") then
    local n = tonumber(value or "")
    if name == "--limit" then
      n = n and math.tointeger(n)
      if not n or n < 1 then usage("--limit needs a whole number above 0") end
      limit = n
    elseif not n or n ~= n or n < 0 or (name == "--timeout" and n == 0) then
      usage(name .. (name == "--days" and " needs a number of days" or " needs a number of seconds above 0"))
    elseif name == "--days" then
      days = n
    else
      timeout = n
    end
    i = i + (name == a and 2 or 1)
  elseif options and name == "--cafile" then
    if not value then usage("--cafile needs a file") end
    cafile = value
    i = i + (name == a and 2 or 1)
  elseif options and (a == "-h" or a == "--help") then
    io.write(HELP)
    os.exit(0)
  elseif options and a == "--" then
    options, i = false, i + 1
  elseif options and a:match("^%-.") then
    usage("unknown option " .. a)
  else
    add_target(a)
    i = i + 1
  end
end
if #targets == 0 then usage("no targets") end

-- One context for every target. Making it fails when the store holds no
-- certificate (an empty --cafile, a system without ca-certificates): say so
-- once, rather than the same verify error on every row.
local made, ctx = pcall(ssl.create_default_context, ssl.Purpose.SERVER_AUTH,
  cafile and {cafile = cafile} or nil)
if not made then
  io.stderr:write("tls_check: ", tostring(ctx), "\n")
  os.exit(2)
end

-- Time of a certificate's notAfter, "Jan  2 00:00:00 2020 GMT", as seconds
-- since the epoch. Counted here rather than through os.time, which reads
-- its table as local time: days from 1970-01-01 by the civil calendar.
local MONTHS = {Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
                Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12}

local function cert_time(text)
  local mon, d, hh, mm, ss, y =
    (text or ""):match("^(%a%a%a) +(%d+) (%d%d):(%d%d):(%d%d) (%d%d%d%d) GMT$")
  local m = MONTHS[mon]
  if not m then return nil end
  y, d = tonumber(y), tonumber(d)
  -- days_from_civil (H. Hinnant): March-based years, so leap days come last
  if m <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * (m > 2 and m - 3 or m + 9) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  local epoch_days = era * 146097 + doe - 719468
  return epoch_days * 86400 + tonumber(hh) * 3600 + tonumber(mm) * 60 + tonumber(ss)
end

-- The value of an attribute in a peercert name: Python's shape, a list of
-- relative names, each a list of {attribute, value} pairs.
local function name_field(name, attribute)
  for _, rdn in ipairs(name or {}) do
    for _, pair in ipairs(rdn) do
      if pair[1] == attribute then return pair[2] end
    end
  end
end

local function subject_of(cert)
  local cn = name_field(cert.subject, "commonName")
  if cn then return cn end
  for _, san in ipairs(cert.subjectAltName or {}) do	-- no CN: the first name it is for
    if san[1] == "DNS" then return san[2] end
  end
  return "-"
end

local function issuer_of(cert)
  return name_field(cert.issuer, "commonName") or name_field(cert.issuer, "organizationName") or "-"
end

local slots = asyncio.Semaphore(limit)

-- One check: connect and handshake within the timeout, read what the
-- session says, hang up. Never raises: the outcome is the row of the table.
local function check(t)
  local _ <close> = slots:guard()
  local ok, err = pcall(function()
    local _, writer = asyncio.wait_for(function()
      return asyncio.open_connection(t.host, t.port, {ssl = ctx, server_hostname = t.host,
        ssl_handshake_timeout = timeout, ssl_shutdown_timeout = timeout})
    end, timeout)
    local cert = writer:get_extra_info("peercert") or {}
    t.version = writer:get_extra_info("tls_version")
    t.subject, t.issuer = subject_of(cert), issuer_of(cert)
    local expires = cert_time(cert.notAfter)
    if expires then t.days = (expires - os.time()) / 86400 end
    writer:close()	-- sends close_notify; the script need not wait for the answer
  end)
  if not ok then
    if asyncio.SSLCertVerificationError:is(err) then
      t.status = err.verify_message or err.message
    elseif asyncio.TimeoutError:is(err) then
      t.status = ("no answer in %gs"):format(timeout)
    elseif asyncio.ConnectionRefusedError:is(err) then
      t.status = "refused"
    elseif asyncio.SSLError:is(err) then
      t.status = "TLS error: " .. (err.reason or err.message)
    elseif asyncio.OSError:is(err) then
      t.status = err.strerror or err.message
    else
      t.status = tostring(err)
    end
  elseif not t.days then
    t.status = "no expiry date in the certificate"
  elseif t.days < 0 then	-- verified, yet expired: only a clock that runs behind the server's
    t.status = "expired"
  elseif t.days < days then
    t.status = ("expires within %g days"):format(days)
  else
    t.status, t.ok = "ok", true
  end
end

local checks = {}
for n, t in ipairs(targets) do checks[n] = function() check(t) end end
asyncio.gather(table.unpack(checks))

local rows = {{"TARGET", "DAYS", "TLS", "SUBJECT", "ISSUER", "STATUS"}}
local failed = 0
for _, t in ipairs(targets) do
  if not t.ok then failed = failed + 1 end
  rows[#rows + 1] = {t.text, t.days and ("%d"):format(math.floor(t.days)) or "-",
    t.version or "-", t.subject or "-", t.issuer or "-", t.status}
end
local width = {}
for _, r in ipairs(rows) do
  for c = 1, 5 do width[c] = math.max(width[c] or 0, #r[c]) end
end
local row = ("%%-%ds  %%%ds  %%-%ds  %%-%ds  %%-%ds  %%s\n"):format(table.unpack(width))
for _, r in ipairs(rows) do io.write(row:format(table.unpack(r))) end
io.write(("%d of %d ok\n"):format(#targets - failed, #targets))
return failed == 0 and 0 or 1
