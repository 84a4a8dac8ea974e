-- datagrams.lua -- open_datagram_endpoint: options, resolving off the loop, reload takeover; DatagramEndpoint's close
local M, C = ...

local type, select, error, ipairs, pcall, getmetatable = type, select, error, ipairs, pcall, getmetatable
local tointeger = math.tointeger
local argerror, typename, opt_field = C.argerror, C.typename, C.opt_field
local D = C.open_dgram()
local T = C.takeover
local OSError = M.OSError

local FNAME = "open_datagram_endpoint"
local DEFAULT_MAX_SIZE = 65535
local FAMILIES = {inet = D.INET, inet6 = D.INET6}
local FAMILY_NAMES = {[D.INET] = "inet", [D.INET6] = "inet6"}

local Endpoint, EndpointMeta = D.methods, D.meta

-- An endpoint lets go of its socket at close, or keeps it open for the
-- newer generation that claimed it.
function Endpoint.close(self)
  if getmetatable(self) ~= EndpointMeta then C.bad_self(self, EndpointMeta, "close") end
  T.closed(self)
  D.close(self)
end

function EndpointMeta.__close(self)
  if getmetatable(self) ~= EndpointMeta then C.bad_self(self, EndpointMeta, "__close") end
  self:close()
end

-- Endpoints as takeover.lua moves them: the endpoint is its own handle.
local ENDPOINTS = {
  detach = function(endpoint) return D.detach(endpoint) end,
  adopt = function(endpoint, fd)
    D.adopt(endpoint, fd)
    return endpoint
  end,
  is_open = D.is_open,
  close_fd = D.close_fd,
}

-- sendto(data, name, port) looks the name up here, on the resolver pool.
D.set_resolver(function(host, port, family)
  local list = M.get_running_loop():getaddrinfo(host, port, {family = FAMILY_NAMES[family], type = "dgram"})
  return D.address(family, list[1].address, list[1].port)
end)

-- opts[field] as {host, port}: host (a string or nil), port.
local function check_addr(opts, field)
  local addr = opts[field]
  if addr == nil then return nil end
  if type(addr) ~= "table" then
    argerror(1, FNAME, ("field '%s': {host, port} expected, got %s"):format(field, type(addr)), 2)
  end
  local host, port = addr[1], tointeger(addr[2])
  if host ~= nil and (type(host) ~= "string" or host:find("\0", 1, true)) then
    argerror(1, FNAME, ("field '%s': host must be a string or nil"):format(field), 2)
  end
  if not port or port < 0 or port > 65535 then
    argerror(1, FNAME, ("field '%s': port must be an integer from 0 to 65535"):format(field), 2)
  end
  return host, port
end

local function check_path(opts, field)
  local path = opt_field(FNAME, 1, opts, field, "string", nil, 2)
  if path and (#path >= D.UNIX_PATH_MAX or path:find("\0", 1, true) or path == "") then
    argerror(1, FNAME, ("field '%s': not a usable Unix socket path"):format(field), 2)
  end
  return path
end

-- A new endpoint of family: claims the socket of an older generation's
-- endpoint at key (a fixed address), or binds one with make_socket().
local function open_endpoint(family, max_size, key, make_socket)
  local gen = C.generation_of()
  local endpoint = D.new(family, max_size)
  local older, claimed = T.bind(endpoint, gen, key, ENDPOINTS, function()
    D.attach(endpoint, make_socket())
    return endpoint
  end)
  if claimed then
    -- A claim that cannot be made (no descriptor left) is dropped.
    local ok, err = pcall(D.claim, endpoint, older)
    if not ok then
      T.closed(endpoint)
      error(err, 0)
    end
  end
  T.opened(endpoint, gen)
  return endpoint
end

local function resolve(host, port, family, passive)
  return M.get_running_loop():getaddrinfo(host, port, {family = family, type = "dgram", passive = passive})
end

-- The (local, remote) pairs to try, each of one family.
local function candidates(family, lhost, lport, rhost, rport)
  local locals = lport and resolve(lhost or (family == "inet6" and "::" or "0.0.0.0"), lport, family, true)
  if not rport then
    if locals then return locals, {} end
    return {{family = family or "inet"}}, {}
  end
  local ls, rs = {}, {}
  for _, r in ipairs(resolve(rhost, rport, family, false)) do
    local match = not locals
    for _, l in ipairs(locals or {}) do
      if l.family == r.family then
        match = l
        break
      end
    end
    if match then
      ls[#ls + 1] = match ~= true and match or {family = r.family}
      rs[#ls] = r
    end
  end
  if #ls == 0 then
    error(OSError("no local address of the remote address's family"), 0)
  end
  return ls, rs
end

local function open_inet(opts, max_size, flags)
  local family = opt_field(FNAME, 1, opts, "family", "string", nil, 1)
  if family ~= nil and not FAMILIES[family] then
    argerror(1, FNAME, "field 'family': \"inet\" or \"inet6\" expected", 1)
  end
  local lhost, lport = check_addr(opts, "local_addr")
  local rhost, rport = check_addr(opts, "remote_addr")
  local ls, rs = candidates(family, lhost, lport, rhost, rport)
  local first
  for i, l in ipairs(ls) do
    local r = rs[i]
    local fam = FAMILIES[l.family]
    local key = l.port and l.port ~= 0 and
      ("udp:%s %s %d %s %s"):format(l.family, l.address, l.port, r and r.address or "", r and r.port or "")
    local ok, endpoint = pcall(open_endpoint, fam, max_size, key, function()
      return D.socket(fam, l.address, l.port, r and r.address, r and r.port, flags)
    end)
    if ok then return endpoint end
    if not OSError:is(endpoint) then error(endpoint, 0) end
    first = first or endpoint
  end
  error(first, 0)
end

local function open_unix(opts, max_size, flags)
  for _, field in ipairs{"local_addr", "remote_addr", "family"} do
    if opts[field] ~= nil then
      argerror(1, FNAME, ("field '%s' does not go with local_path or remote_path"):format(field), 1)
    end
  end
  local lpath, rpath = check_path(opts, "local_path"), check_path(opts, "remote_path")
  local key = lpath and ("unix:%s\0%s"):format(lpath, rpath or "")
  return open_endpoint(D.UNIX, max_size, key, function()
    return D.socket(D.UNIX, lpath, nil, rpath, nil, flags)
  end)
end

function M.open_datagram_endpoint(...)
  local opts = ...
  if type(opts) ~= "table" or getmetatable(opts) ~= nil then
    argerror(1, FNAME, "options table expected, got " .. typename(opts, select("#", ...) >= 1))
  end
  local max_size = opt_field(FNAME, 1, opts, "max_size", "number", DEFAULT_MAX_SIZE)
  if not tointeger(max_size) or max_size < 1 or max_size > D.MAX_SIZE_LIMIT then
    argerror(1, FNAME, ("field 'max_size': integer from 1 to %d expected"):format(D.MAX_SIZE_LIMIT))
  end
  local flags = 0
  if opt_field(FNAME, 1, opts, "reuse_port", "boolean", false) then flags = flags | D.REUSE_PORT end
  if opt_field(FNAME, 1, opts, "allow_broadcast", "boolean", false) then flags = flags | D.BROADCAST end
  if opts.local_path ~= nil or opts.remote_path ~= nil then
    return (open_unix(opts, tointeger(max_size), flags))
  end
  return (open_inet(opts, tointeger(max_size), flags))
end
