-- http_check.lua -- check URLs: many at once, a timeout each, one table.
--
--   aiod scripts/http_check.lua https://example.com/ https://api.example.com/health
--   aiod scripts/http_check.lua --timeout 2 --match '"status": *"ok"' https://a/health https://b/health
--   aiod scripts/http_check.lua https://a/ https://a/old-page =301 https://b/health '~"db": *"up"'
--
-- The options are in HELP below (or run it with -h). Each URL gets a GET
-- through one asyncio.http Session (so URLs on one host share connections),
-- redirects followed; it passes when the final status is the one expected
-- (any 2xx unless told) and, with a pattern, when the body matches it. The
-- table shows each URL's status, the time it took and "ok" or why it failed.
local asyncio = require "asyncio"

local USAGE = "usage: aiod http_check.lua [--limit N] [--timeout SECONDS] [--expect STATUS] [--match PATTERN]\n" ..
  "                           [--header 'NAME: VALUE'] [--cafile FILE] [--insecure] [-f FILE] URL [=STATUS] [~PATTERN] ...\n"
local HELP = USAGE .. [[
  --limit N            check at most N URLs at once (default 20)
  --timeout SECONDS    give up on one URL after this long, from resolving the
                       name to the last byte of the body (default 10)
  --expect STATUS      the status that passes: a number (200), a class (2xx) or
                       a list of them (200,301,4xx); default 2xx
  --match PATTERN      the body must match this Lua pattern (string.find:
                       escape . - + * ? [ ] ( ) ^ $ % with %)
  --header 'N: V'      send this header with every request (repeatable),
                       e.g. --header "Authorization: Bearer $TOKEN"
  --cafile FILE        trust only the CA certificates in FILE (PEM) for HTTPS
  --insecure           do not verify HTTPS certificates at all
  -f FILE              read more URLs from FILE, one a line, each optionally
                       followed by =STATUS and ~PATTERN (a # first or after a
                       space starts a comment)
An argument =STATUS or ~PATTERN right after a URL is that URL's own
expectation, in place of --expect or --match.
Exit status: 0 when every URL passed; 1 when one did not (refused, timed out,
did not resolve, failed TLS verification, another status, a body that does
not match); 2 on bad usage.
]]

local function usage(msg)
  io.stderr:write("http_check: ", msg, "\n", USAGE)
  os.exit(2)
end

local limit, timeout, expect, match, cafile, insecure = 20, 10, nil, nil, nil, false
local headers, targets = {}, {}

-- "200", "2xx", "200,301,4xx" -> a list of {low, high} ranges
local function parse_expect(text)
  local ranges = {}
  for item in (text .. ","):gmatch("([^,]*),") do
    local n = item:match("^%s*(%d%d%d)%s*$")
    local class = item:match("^%s*([1-5])[xX][xX]%s*$")
    if n then
      ranges[#ranges + 1] = {tonumber(n), tonumber(n)}
    elseif class then
      ranges[#ranges + 1] = {tonumber(class) * 100, tonumber(class) * 100 + 99}
    else
      return nil
    end
  end
  return ranges, text
end

local function wants(ranges, status)
  for _, r in ipairs(ranges) do
    if status >= r[1] and status <= r[2] then return true end
  end
  return false
end

local function add_url(text)
  if not text:match("^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]") then usage("not an http:// or https:// URL: " .. text) end
  targets[#targets + 1] = {url = text}
end

-- =STATUS or ~PATTERN after a URL: that URL's own expectation
local function add_expectation(text)
  local t = targets[#targets]
  if not t then usage(text .. " comes before any URL") end
  if text:sub(1, 1) == "=" then
    local ranges = parse_expect(text:sub(2))
    if not ranges then usage("not a status or a list of them: " .. text) end
    t.expect, t.expect_text = ranges, text:sub(2)
  else
    if text == "~" then usage("~ needs a pattern") end
    t.match = text:sub(2)
  end
end

local function read_file(name)
  local f, err = io.open(name, "r")
  if not f then usage(err) end
  for line in f:lines() do
    line = line:gsub("^%s*#.*", ""):gsub("%s+#.*", "")
    local url, rest = line:match("^%s*(%S+)%s*(.-)%s*$")
    if url then
      add_url(url)
      local status, rest2 = rest:match("^(=%S*)%s*(.*)$")
      if status then add_expectation(status); rest = rest2 end
      if rest:sub(1, 1) == "~" then add_expectation(rest)
      elseif rest ~= "" then usage(name .. ": after the URL only =STATUS and ~PATTERN: " .. line) end
    end
  end
  f:close()
end

local i, options = 1, true
while i <= #arg do
  local a = arg[i]
  local name, value = a:match("^(%-%-%a+)=(.*)$")	-- --timeout=2 as well as --timeout 2
  if not name then name, value = a, arg[i + 1] end
  local step = name == a and 2 or 1
  if options and (name == "--limit" or name == "--timeout") then
    local n = tonumber(value or "")
    if name == "--limit" then
      n = n and math.tointeger(n)
      if not n or n < 1 then usage("--limit needs a whole number above 0") end
      limit = n
    else
      if not n or n ~= n or n <= 0 or n == math.huge then usage("--timeout needs a number of seconds above 0") end
      timeout = n
    end
    i = i + step
  elseif options and name == "--expect" then
    local ranges = parse_expect(value or "")
    if not ranges then usage("--expect needs a status, a class (2xx) or a list of them") end
    expect = {ranges, value}
    i = i + step
  elseif options and (name == "--match" or name == "--header" or name == "--cafile" or name == "-f") then
    if not value then usage(name .. " needs a value") end
    if name == "--match" then
      match = value
    elseif name == "--header" then
      local hname, hvalue = value:match("^([%w!#$%%&'*+.^_`|~-]+):%s*(.-)%s*$")
      if not hname then usage("--header needs 'NAME: VALUE': " .. value) end
      local key, old = hname:lower(), headers[hname:lower()]
      if old == nil then headers[key] = hvalue
      elseif type(old) == "table" then old[#old + 1] = hvalue
      else headers[key] = {old, hvalue} end	-- a repeated header is sent once for each
    elseif name == "--cafile" then
      cafile = value
    else
      read_file(value)
    end
    i = i + step
  elseif options and a == "--insecure" then
    insecure, i = true, i + 1
  elseif options and (a == "-h" or a == "--help") then
    io.write(HELP)
    os.exit(0)
  elseif options and a == "--" then
    options, i = false, i + 1
  elseif options and a:match("^%-.") then
    usage("unknown option " .. a)
  elseif a:match("^[=~]") then
    add_expectation(a)
    i = i + 1
  else
    add_url(a)
    i = i + 1
  end
end
if #targets == 0 then usage("no URLs") end

-- A bad --match pattern fails here, once, not on every row.
if match then
  local good, err = pcall(string.find, "", match)
  if not good then usage("--match: " .. tostring(err):gsub("^.-:%d+: ", "")) end
end
for _, t in ipairs(targets) do
  if t.match then
    local good, err = pcall(string.find, "", t.match)
    if not good then usage("~" .. t.match .. ": " .. tostring(err):gsub("^.-:%d+: ", "")) end
  end
end

-- One Session for every URL: a host's URLs reuse its connections, at most
-- --limit of them at once anyway. The time limit is the script's own
-- (wait_for below), the same for every stage of a request.
local session <close> = asyncio.http.Session{
  headers = headers, verify = not insecure, cafile = cafile,
  timeout = false, max_connections = math.max(100, limit), max_connections_per_host = limit,
}
local loop = asyncio.get_running_loop()
local slots = asyncio.Semaphore(limit)

local function host_of(url)
  local authority = url:match("^%a[%w+.-]*://([^/?#]*)") or url
  authority = authority:gsub("^.*@", "")
  return authority:match("^%[(.-)%]") or authority:match("^[^:]*")
end

-- Why a request failed, in a few words.
local function reason(err, t)
  if asyncio.TimeoutError:is(err) then
    return ("timeout after %gs"):format(timeout)
  elseif asyncio.ConnectionRefusedError:is(err) then
    return "refused"
  elseif asyncio.SSLCertVerificationError:is(err) then
    return "TLS verify error: " .. (err.verify_message or err.message)
  elseif asyncio.SSLError:is(err) then
    return "TLS error: " .. (err.reason or err.message)
  elseif type(err) == "table" and err.name == "OSError" then	-- the name did not resolve
    return "unresolvable: " .. host_of(t.url)
  elseif asyncio.OSError:is(err) then	-- HTTPError and the rest: curl's message
    return err.message ~= "" and err.message or err.name
  end
  return tostring(err)
end

-- One check: GET within the timeout, then judge status and body. Never
-- raises: the outcome is the row of the table.
local function check(t)
  local _ <close> = slots:guard()
  local started = loop:time()
  local ok, r = pcall(asyncio.wait_for, function() return session:get(t.url) end, timeout)
  t.ms = (loop:time() - started) * 1000
  if not ok then
    t.result = reason(r, t)
    return
  end
  t.status = r.status
  local want, want_text = t.expect, t.expect_text
  if not want and expect then want, want_text = expect[1], expect[2] end
  local pattern = t.match or match
  if want and not wants(want, r.status) then
    t.result = ("unexpected status %d (expected %s)"):format(r.status, want_text)
  elseif not want and not r.ok then
    t.result = ("unexpected status %d (expected 2xx)"):format(r.status)
  elseif pattern and not r.body:find(pattern) then
    t.result = "body does not match " .. pattern
  else
    t.result, t.ok = "ok", true
  end
end

local checks = {}
for n, t in ipairs(targets) do checks[n] = function() check(t) end end
asyncio.gather(table.unpack(checks))

local rows = {{"URL", "STATUS", "TIME", "RESULT"}}
local failed = 0
for _, t in ipairs(targets) do
  if not t.ok then failed = failed + 1 end
  rows[#rows + 1] = {t.url, t.status and tostring(t.status) or "-", ("%.1f ms"):format(t.ms), t.result}
end
local width = {}
for _, r in ipairs(rows) do
  for c = 1, 3 do width[c] = math.max(width[c] or 0, #r[c]) end
end
local row = ("%%-%ds  %%%ds  %%%ds  %%s\n"):format(table.unpack(width))
for _, r in ipairs(rows) do io.write(row:format(table.unpack(r))) end
io.write(("%d of %d ok\n"):format(#targets - failed, #targets))
return failed == 0 and 0 or 1
