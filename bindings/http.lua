-- http.lua -- asyncio.http: Session, the requests' options checked and encoded, Response (over asyncio_http.so)
local M, C = ...

local type, pairs, ipairs, tostring, error, pcall, select = type, pairs, ipairs, tostring, error, pcall, select
local setmetatable, getmetatable, next = setmetatable, getmetatable, next
local math_type, ceil, huge = math.type, math.ceil, math.huge
local concat, sort = table.concat, table.sort
local argerror, typename = C.argerror, C.typename
local H = C.open_http()
local cjson = require "cjson"

-- An environment variable naming a file or folder; set but empty is unset.
local function env_path(name)
  local v = os.getenv(name)
  if v ~= "" then return v end
  return nil
end

local http = {null = cjson.null, HTTPError = M.HTTPError, HTTPStatusError = M.HTTPStatusError}

--------------------------------------------------------------------------
-- Options: each checked where it is given (request or Session), so a bad
-- one names the call and the argument it came in.

local function percent(s, space)
  return (s:gsub("[^%w%-%._~]", function(c)
    if c == " " and space then return space end
    return ("%%%02X"):format(c:byte())
  end))
end

local function scalar(v)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" or t == "boolean" then return tostring(v) end
end

-- A table name -> value (or a list of values) as a sorted query string.
local function encode_pairs(fname, n, field, t, space, depth)
  if type(t) ~= "table" then
    argerror(n, fname, ("field '%s': table expected, got %s"):format(field, type(t)), depth)
  end
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" then
      argerror(n, fname, ("field '%s': string keys expected, got %s"):format(field, type(k)), depth)
    end
    keys[#keys + 1] = k
  end
  sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = t[k]
    local list = type(v) == "table" and v or {v}
    for _, item in ipairs(list) do
      local s = scalar(item)
      if not s then
        argerror(n, fname, ("field '%s': value of '%s' is a %s"):format(field, k, type(item)), depth)
      end
      out[#out + 1] = percent(k, space) .. "=" .. percent(s, space)
    end
    if type(v) == "table" and #v == 0 then
      argerror(n, fname, ("field '%s': value of '%s' is an empty list"):format(field, k), depth)
    end
  end
  return concat(out, "&")
end

-- argerror's depth for check_options's own calls: 1 + the calls between
-- the API function and check_options (helpers add theirs).
local extra = 0

local function bad_field(fname, n, field, expected, v, d)
  argerror(n, fname, ("field '%s': %s expected, got %s"):format(field, expected, type(v)), extra + (d or 1))
end

-- name (lower case) -> {Name, value, ...}: the request's header lines.
local function check_headers(fname, n, t)
  if type(t) ~= "table" then bad_field(fname, n, "headers", "table", t, 2) end
  local out = {}
  for k, v in pairs(t) do
    if type(k) ~= "string" or k == "" or k:find("[%c%s:]") then
      argerror(n, fname, "field 'headers': bad header name " ..
               (type(k) == "string" and ("%q"):format(k) or type(k)), extra + 1)
    end
    local values = type(v) == "table" and v or {v}
    local entry = {k}
    for _, item in ipairs(values) do
      if type(item) ~= "string" then
        argerror(n, fname, ("field 'headers': value of '%s': string expected, got %s"):format(k, type(item)), extra + 1)
      end
      if item:find("[\r\n%z]") then
        argerror(n, fname, ("field 'headers': value of '%s' holds a line break or zero byte"):format(k), extra + 1)
      end
      entry[#entry + 1] = item
    end
    if #entry == 1 then
      argerror(n, fname, ("field 'headers': value of '%s': string expected, got %s"):format(k,
               type(v) == "table" and "an empty list" or type(v)), extra + 1)
    end
    out[k:lower()] = entry
  end
  return out
end

local function check_seconds(fname, n, field, v)
  if v == false then return 0 end
  if type(v) ~= "number" then bad_field(fname, n, field, "number or false", v, 2) end
  if v ~= v then argerror(n, fname, ("field '%s': number expected, got NaN"):format(field), extra + 1) end
  if v <= 0 then
    argerror(n, fname, ("field '%s': positive number expected, got %s"):format(field, tostring(v)), extra + 1)
  end
  if v == huge then return 0 end
  return ceil(v * 1000)
end

local function check_count(fname, n, field, v, least)
  if math_type(v) ~= "integer" then
    if type(v) == "number" and v == math.floor(v) and v >= least then return v // 1 end
    bad_field(fname, n, field, "integer", v, 2)
  end
  if v < least then
    argerror(n, fname, ("field '%s': integer >= %d expected, got %d"):format(field, least, v), extra + 1)
  end
  return v
end

local strings = {cafile = true, capath = true, cert = true, key = true, proxy = true, base_url = true}
local booleans = {follow_redirects = true, verify = true, stream = true}
local session_only = {base_url = true, max_connections = true, max_connections_per_host = true}

-- The options table at argument n of fname, checked: a table of what it
-- sets, encoded where that can be done once (headers, auth, params).
local function check_options(fname, n, opts, present, in_session, depth)
  extra = depth + 1
  if opts == nil then return {} end
  if type(opts) ~= "table" or getmetatable(opts) ~= nil then
    argerror(n, fname, "options table expected, got " .. typename(opts, present), extra)
  end
  local o = {}
  for k, v in next, opts do
    if type(k) ~= "string" then
      argerror(n, fname, "option names are strings, got " .. type(k), extra)
    elseif session_only[k] and not in_session then
      argerror(n, fname, ("option '%s' is a Session's"):format(k), extra)
    elseif strings[k] then
      if type(v) ~= "string" then bad_field(fname, n, k, "string", v) end
      if v:find("%z") then argerror(n, fname, ("field '%s' holds a zero byte"):format(k), extra) end
      o[k] = v
    elseif booleans[k] then
      if type(v) ~= "boolean" then bad_field(fname, n, k, "boolean", v) end
      o[k] = v
    elseif k == "headers" then
      o.headers = check_headers(fname, n, v)
    elseif k == "params" then
      o.params = encode_pairs(fname, n, "params", v, nil, extra + 1)
    elseif k == "form" then
      o.form = encode_pairs(fname, n, "form", v, "+", extra + 1)
    elseif k == "body" then
      if type(v) ~= "string" then bad_field(fname, n, k, "string", v) end
      o.body = v
    elseif k == "json" then
      local ok, s = pcall(cjson.encode, v)
      if not ok then argerror(n, fname, "field 'json': " .. (tostring(s):gsub("^[^:]*:%d+: ", "")), extra) end
      o.json = s
    elseif k == "auth" then
      if type(v) ~= "table" then bad_field(fname, n, k, "table {user, password}", v) end
      if type(v[1]) ~= "string" or type(v[2]) ~= "string" then
        argerror(n, fname, "field 'auth': {user, password} (two strings) expected", extra)
      end
      if v[1]:find("[:%z]") then argerror(n, fname, "field 'auth': the user name holds ':' or a zero byte", 1) end
      if v[2]:find("%z") then argerror(n, fname, "field 'auth': the password holds a zero byte", 1) end
      o.userpwd = v[1] .. ":" .. v[2]
    elseif k == "timeout" or k == "connect_timeout" then
      o[k] = check_seconds(fname, n, k, v)
    elseif k == "max_redirects" then
      o.max_redirects = check_count(fname, n, k, v, 0)
    elseif k == "max_body" or k == "max_connections" or k == "max_connections_per_host" then
      o[k] = check_count(fname, n, k, v, 1)
    elseif k == "http_version" then
      if v ~= "1.1" and v ~= "2" then
        argerror(n, fname, "field 'http_version': \"1.1\" or \"2\" expected, got " ..
                 (type(v) == "string" and ("%q"):format(v) or type(v)), extra)
      end
      o.http_version = v == "2" and 2 or 11
    else
      argerror(n, fname, ("unknown option '%s'"):format(k), extra)
    end
  end
  local bodies = (o.body and 1 or 0) + (o.json and 1 or 0) + (o.form and 1 or 0)
  if bodies > 1 then argerror(n, fname, "at most one of 'body', 'json' and 'form'", extra) end
  return o
end

local defaults = {
  timeout = 30000, connect_timeout = 10000, follow_redirects = true, max_redirects = 10,
  verify = true, http_version = 0, max_body = 64 * 1024 * 1024, stream = false,
}

local function pick(o, d, k)
  local v = o[k]
  if v == nil then v = d[k] end
  if v == nil then v = defaults[k] end
  return v
end

local function join_url(base, url)
  if not base or url:find("^%a[%w+.-]*://") then return url end
  if url == "" then return base end
  return (base:gsub("/+$", "")) .. "/" .. (url:gsub("^/+", ""))
end

-- The table l_http.c's start reads: request options o over Session's d.
local function make_spec(method, url, o, d)
  url = join_url(d.base_url, url)
  local params = o.params or d.params
  if params and params ~= "" then url = url .. (url:find("?", 1, true) and "&" or "?") .. params end
  local body, ctype = o.body, nil
  if o.json then body, ctype = o.json, "application/json"
  elseif o.form then body, ctype = o.form, "application/x-www-form-urlencoded"
  elseif body == nil then
    body = d.body
    if d.json then body, ctype = d.json, "application/json"
    elseif d.form then body, ctype = d.form, "application/x-www-form-urlencoded" end
  end
  local lines, dh, oh = {}, d.headers, o.headers
  if dh then
    for name, entry in pairs(dh) do
      if not (oh and oh[name]) then
        for i = 2, #entry do lines[#lines + 1] = entry[1] .. (entry[i] == "" and ";" or ": " .. entry[i]) end
      end
    end
  end
  if oh then
    for _, entry in pairs(oh) do
      for i = 2, #entry do lines[#lines + 1] = entry[1] .. (entry[i] == "" and ";" or ": " .. entry[i]) end
    end
  end
  if ctype and not ((oh and oh["content-type"]) or (dh and dh["content-type"])) then
    lines[#lines + 1] = "Content-Type: " .. ctype
  end
  -- The CA store: the request's, else the Session's, else SSL_CERT_FILE /
  -- SSL_CERT_DIR as asyncio.ssl and Python read them, else libcurl's own.
  local cafile, capath = o.cafile or d.cafile, o.capath or d.capath
  if not cafile and not capath then
    cafile, capath = env_path("SSL_CERT_FILE"), env_path("SSL_CERT_DIR")
  end
  return {
    method = method, url = url, headers = lines, body = body,
    userpwd = o.userpwd or d.userpwd,
    timeout_ms = pick(o, d, "timeout"), connect_timeout_ms = pick(o, d, "connect_timeout"),
    follow = pick(o, d, "follow_redirects"), max_redirects = pick(o, d, "max_redirects"),
    verify = pick(o, d, "verify"), cafile = cafile, capath = capath,
    cert = o.cert or d.cert, key = o.key or d.key, proxy = o.proxy or d.proxy,
    http_version = pick(o, d, "http_version"), max_body = pick(o, d, "max_body"),
    stream = pick(o, d, "stream"),
  }
end

--------------------------------------------------------------------------
-- Response

local Response = {__name = "asyncio.http.Response"}
Response.__index = Response
http.Response = Response

-- Raises the error of the failed transfer x (after letting it go).
local function fail(x)
  local e = H.error(x)
  if e == nil then
    local _ = M.ssl	-- loads asyncio_tls.so, whose code makes certificate errors
    e = H.error(x)
  end
  H.close(x)
  error(e)
end

-- depth: calls between the method and this check (1: the method calls it).
local function check_response(r, method, depth)
  if getmetatable(r) ~= Response then C.bad_self(r, Response, method, depth or 1) end
end

function Response.__tostring(r)
  check_response(r, "__tostring")
  return ("<Response [%d]>"):format(r.status)
end

function Response:header_list(name)
  check_response(self, "header_list")
  if type(name) ~= "string" then argerror(2, "header_list", "string expected, got " .. typename(name, name ~= nil)) end
  name = name:lower()
  local out = {}
  for line in self._raw:gmatch("[^\n]+") do
    local k, v = line:match("^([^:]+):[ \t]*(.-)[ \t\r]*$")
    if k and k:lower() == name then out[#out + 1] = v end
  end
  return out
end

-- Streaming: the body's next piece (at most n bytes; nil n: as it comes), nil at its end.
local function next_piece(r, n)
  local x = r._x
  if not x then return nil end
  local s = H.read(x, n)
  if s == false then r._x = nil; fail(x) end
  if s == nil then r._x = nil; H.close(x) end
  return s
end

local function check_stream(r, method)
  check_response(r, method, 2)
  if r.body ~= nil and r._buf == nil then
    error(("%s: the response was not made with stream = true"):format(method), 3)
  end
end

function Response:read(n)
  check_stream(self, "read")
  if n ~= nil and math_type(n) ~= "integer" then
    argerror(2, "read", "integer expected, got " .. typename(n, true))
  end
  local buf = self._buf
  if n == nil or n < 0 then
    local parts = {buf}
    while true do
      local s = next_piece(self)
      if s == nil then break end
      parts[#parts + 1] = s
    end
    self._buf = ""
    return concat(parts)
  end
  if n == 0 then return "" end
  if buf == "" then
    return next_piece(self, n) or ""
  end
  local out = buf:sub(1, n)
  self._buf = buf:sub(n + 1)
  return out
end

function Response:chunks()
  check_stream(self, "chunks")
  return function()
    local buf = self._buf
    if buf ~= "" then self._buf = ""; return buf end
    return next_piece(self)
  end
end

function Response:lines()
  check_stream(self, "lines")
  return function()
    while true do
      local buf = self._buf
      local nl = buf:find("\n", 1, true)
      if nl then
        self._buf = buf:sub(nl + 1)
        return buf:sub(1, nl)
      end
      local s = next_piece(self)
      if s == nil then
        self._buf = ""
        if buf == "" then return nil end
        return buf
      end
      self._buf = buf .. s
    end
  end
end

function Response:close()
  check_response(self, "close")
  local x = self._x
  if x then self._x = nil; H.close(x) end
end
Response.__close = Response.close

function Response:text()
  check_response(self, "text")
  if self.body == nil then self.body = self:read() end
  return self.body
end

-- Debian's lua-cjson decodes every number as a float: the integral ones
-- become integers, as Python's json gives ints (1e3 and 2.0 too, which
-- Python keeps as floats; Lua compares them equal either way).
local tointeger = math.tointeger
local function integers(v)
  if type(v) == "number" then return tointeger(v) or v end
  if type(v) == "table" then
    for k, x in next, v do
      if type(x) == "number" or type(x) == "table" then v[k] = integers(x) end
    end
  end
  return v
end

function Response:json()
  check_response(self, "json")
  local ok, v = pcall(cjson.decode, self:text())
  if not ok then
    error("the response body is not valid JSON: " .. tostring(v):gsub("^.-:%d+: ", ""), 2)
  end
  return integers(v)
end

function Response:raise_for_status()
  check_response(self, "raise_for_status")
  local status = self.status
  if status < 400 then return self end
  local reason = self._raw:match("^HTTP/[%d.]+ %d+ ([^\r\n]*)") or ""
  local kind = status < 500 and "Client error" or "Server error"
  local msg = ("%s '%d%s' for url '%s'"):format(kind, status, reason ~= "" and " " .. reason or "", self.url)
  error(M.HTTPStatusError(msg, {status = status, response = self}))
end

--------------------------------------------------------------------------
-- Session

local Session = {__name = "asyncio.http.Session"}
Session.__index = Session
http.Session = setmetatable({}, {
  __call = function(_, ...)
    local o = check_options("Session", 1, (...), select("#", ...) >= 1, true, 0)
    return setmetatable({_d = o}, Session)
  end,
  __index = Session,
})

local running_loop = C.running_loop

local function pool_of(s)
  local pool = s._pool
  if pool then
    if not H.pool_is_open(pool) then error(M.HTTPError("the Session is closed"), 3) end
    if H.pool_loop(pool) ~= running_loop() then
      error("this Session belongs to another event loop", 3)
    end
    return pool
  end
  if s._closed then error(M.HTTPError("the Session is closed"), 3) end
  pool = H.Pool(s._d.max_connections or 100, s._d.max_connections_per_host or 10)
  s._pool = pool
  return pool
end

-- Its callers do not tail-call it: the option errors' level counts their frame.
local function perform(s, fname, method, url, opts, nopts)
  local o = check_options(fname, nopts, opts, true, false, 1)
  local spec = make_spec(method, url, o, s._d)
  C.current_task_or_error()
  local pool = pool_of(s)
  local loop = running_loop()
  local began = loop:time()
  local x = H.start(pool, spec)
  if not H.wait(x) then fail(x) end
  local status, headers, raw, eurl, version = H.info(x)
  local r = setmetatable({status = status, ok = status >= 200 and status < 300, headers = headers,
                          url = eurl, http_version = version, _raw = raw}, Response)
  if spec.stream then
    r._x, r._buf = x, ""
  else
    r.body = H.body(x)
    H.close(x)
  end
  r.elapsed = loop:time() - began
  return r
end

local function check_url(fname, n, url, present)
  if type(url) ~= "string" then argerror(n, fname, "string expected, got " .. typename(url, present), 1) end
end

local function check_session(s, method)
  if getmetatable(s) ~= Session then C.bad_self(s, Session, method, 1) end
end

function Session:request(method, url, opts)
  check_session(self, "request")
  if type(method) ~= "string" or not method:find("^[%w!#$%%&'*+.^_`|~-]+$") then
    argerror(2, "request", type(method) == "string" and "HTTP method expected, got " .. ("%q"):format(method)
             or "string expected, got " .. typename(method, method ~= nil))
  end
  check_url("request", 3, url, url ~= nil)
  local r = perform(self, "request", method:upper(), url, opts, 4)
  return r
end

for _, m in ipairs{"get", "post", "put", "patch", "delete", "head"} do
  local METHOD = m:upper()
  Session[m] = function(self, url, opts)
    check_session(self, m)
    check_url(m, 2, url, url ~= nil)
    local r = perform(self, m, METHOD, url, opts, 3)
    return r
  end
end

function Session:close()
  check_session(self, "close")
  self._closed = true
  local pool = self._pool
  if pool then H.pool_close(pool) end
end
Session.__close = Session.close

--------------------------------------------------------------------------
-- The module's functions: one default Session per loop.

local by_loop = setmetatable({}, {__mode = "k"})
local function default_session()
  local loop = running_loop()
  if loop == nil then error("no running event loop", 3) end
  local s = by_loop[loop]
  if not s then
    s = setmetatable({_d = {}}, Session)
    by_loop[loop] = s
  end
  return s
end

function http.request(method, url, opts)
  if type(method) ~= "string" or not method:find("^[%w!#$%%&'*+.^_`|~-]+$") then
    argerror(1, "request", type(method) == "string" and "HTTP method expected, got " .. ("%q"):format(method)
             or "string expected, got " .. typename(method, method ~= nil))
  end
  check_url("request", 2, url, url ~= nil)
  local r = perform(default_session(), "request", method:upper(), url, opts, 3)
  return r
end

for _, m in ipairs{"get", "post", "put", "patch", "delete", "head"} do
  local METHOD = m:upper()
  http[m] = function(url, opts)
    check_url(m, 1, url, url ~= nil)
    local r = perform(default_session(), m, METHOD, url, opts, 2)
    return r
  end
end

C.name_methods("asyncio.http", http)
C.name_methods("asyncio.http.Response", Response)
C.name_methods("asyncio.http.Session", Session)

M.http = http
