-- streams.lua -- open_connection, start_server and Server: asyncio's streams over l_net.c's primitives
local M, C = ...

local type, select, error, pairs, ipairs, tostring, tonumber, pcall, xpcall =
  type, select, error, pairs, ipairs, tostring, tonumber, pcall, xpcall
local setmetatable, getmetatable, tointeger = setmetatable, getmetatable, math.tointeger
local argerror, typename, check_self, opt_field = C.argerror, C.typename, C.check_self, C.opt_field
local N = C.open_net()
local T = C.takeover
local OSError, CancelledError = M.OSError, M.CancelledError

local DEFAULT_LIMIT = 65536
local DEFAULT_BACKLOG = 511
local DEFAULT_HANDSHAKE_TIMEOUT = 60	-- seconds, as Python's
local DEFAULT_SHUTDOWN_TIMEOUT = 30

-- depth: helper calls between the API function and these checks' callers.
local function check_opts(fname, n, opts, present, depth)
  if opts == nil then return {} end
  if type(opts) ~= "table" or getmetatable(opts) ~= nil then
    argerror(n, fname, "options table expected, got " .. typename(opts, present), 1 + (depth or 0))
  end
  return opts
end

local function check_limit(fname, n, opts, depth)
  local limit = opt_field(fname, n, opts, "limit", "number", DEFAULT_LIMIT, 1 + (depth or 0))
  if not tointeger(limit) or limit <= 0 then
    argerror(n, fname, "field 'limit': positive integer expected", 1 + (depth or 0))
  end
  return tointeger(limit)
end

local function check_port(fname, n, port, present)
  local p = tointeger(type(port) == "string" and tonumber(port) or port)
  if type(port) ~= "number" and type(port) ~= "string" then
    argerror(n, fname, "number expected, got " .. typename(port, present), 1)
  end
  if not p or p < 0 or p > 65535 then
    argerror(n, fname, "port must be an integer from 0 to 65535", 1)
  end
  return p
end

local function check_positive(fname, n, opts, field, default, depth)
  local v = opt_field(fname, n, opts, field, "number", nil, 1 + depth)
  if v == nil then return default end
  if not (v > 0) then
    argerror(n, fname, ("field '%s': positive number expected, got %s"):format(field, tostring(v)), 1 + depth)
  end
  return v
end

local TLS_ONLY = {"server_hostname", "ssl_handshake_timeout", "ssl_shutdown_timeout"}

-- opts.server_hostname (default when nil): OpenSSL would check a name cut
-- at a zero byte, so a name with one is refused.
local function opt_hostname(fname, n, opts, default, depth)
  local name = opt_field(fname, n, opts, "server_hostname", "string", default, 1 + depth)
  if name and name:find("\0", 1, true) then
    argerror(n, fname, "field 'server_hostname': embedded zero byte", 1 + depth)
  end
  return name
end

-- The TLS options of opts: the context (nil for plaintext), the
-- handshake and shutdown timeouts. A server takes a server context only.
local function tls_opts(fname, n, opts, server, depth)
  local ssl = opts.ssl
  if ssl == nil or ssl == false then
    for _, field in ipairs(TLS_ONLY) do
      if opts[field] ~= nil then
        argerror(n, fname, ("field '%s' is only meaningful with ssl"):format(field), 1 + depth)
      end
    end
    return nil
  end
  local ctx = ssl
  if ssl == true and not server then
    ctx = C.default_client_context()
  elseif not C.is_sslcontext(ssl) then
    argerror(n, fname, ("field 'ssl': %s expected, got %s"):format(
      server and "asyncio.ssl.SSLContext" or "boolean or asyncio.ssl.SSLContext",
      type(ssl)), 1 + depth)
  end
  if server ~= (ctx.protocol == M.ssl.PROTOCOL_TLS_SERVER) then
    argerror(n, fname, server
      and "field 'ssl': a server context expected (create_default_context(Purpose.CLIENT_AUTH))"
      or "field 'ssl': a client context expected (create_default_context())", 1 + depth)
  end
  if server and opts.server_hostname ~= nil then
    argerror(n, fname, "field 'server_hostname' is only meaningful for a client", 1 + depth)
  end
  return ctx, check_positive(fname, n, opts, "ssl_handshake_timeout", DEFAULT_HANDSHAKE_TIMEOUT, 1 + depth),
    check_positive(fname, n, opts, "ssl_shutdown_timeout", DEFAULT_SHUTDOWN_TIMEOUT, 1 + depth)
end

-- A client's handshake over a new connection, which it cuts if it fails:
-- hostname is sent as SNI and checked, "" checks no name.
local function client_tls(writer, ctx, hostname, handshake_timeout, shutdown_timeout)
  local named = hostname ~= ""
  C.start_tls(writer, ctx, named and hostname or nil, named and ctx.check_hostname,
              handshake_timeout, shutdown_timeout)
end

-- writer:start_tls(ctx [, opts]): STARTTLS on an open connection. A
-- server's connection serves the handshake, any other starts it.
local Writer, WriterMeta = N.writer_methods, N.writer_meta

function Writer.start_tls(self, ...)
  local ctx, opts = ...
  local n = select("#", ...)
  if getmetatable(self) ~= WriterMeta then C.bad_self(self, WriterMeta, "start_tls") end
  if not C.is_sslcontext(ctx) then
    argerror(1, "start_tls", "asyncio.ssl.SSLContext expected, got " .. typename(ctx, n >= 1))
  end
  opts = check_opts("start_tls", 2, opts, n >= 2)
  local hostname = opt_hostname("start_tls", 2, opts, nil, 0)
  local handshake_timeout = check_positive("start_tls", 2, opts, "ssl_handshake_timeout",
                                           DEFAULT_HANDSHAKE_TIMEOUT, 0)
  local shutdown_timeout = check_positive("start_tls", 2, opts, "ssl_shutdown_timeout",
                                          DEFAULT_SHUTDOWN_TIMEOUT, 0)
  if hostname == "" then hostname = nil end
  C.start_tls(self, ctx, hostname, hostname ~= nil and ctx.check_hostname, handshake_timeout,
              shutdown_timeout)
end

-- The error of a failed connect to several addresses, as Python makes it,
-- except that errors of one errno (refused by every address) stay that
-- error instead of becoming "Multiple exceptions".
local function connect_error(errs)
  for i = 2, #errs do
    if errs[i].errno ~= errs[1].errno or getmetatable(errs[i]) ~= getmetatable(errs[1]) then
      local texts = {}
      for j, e in ipairs(errs) do texts[j] = tostring(e) end
      local e = OSError("Multiple exceptions: " .. table.concat(texts, ", "))
      e.exceptions = errs
      return e
    end
  end
  return errs[1]
end

-- A local address of the family of addr, from the resolved list.
local function same_family(addr, locals)
  if not locals then return nil end
  local family = addr:sub(1, 2)
  for _, l in ipairs(locals) do
    if l:sub(1, 2) == family then return l end
  end
  return nil
end

function M.open_connection(...)
  local host, port, opts = ...
  local n = select("#", ...)
  if type(host) ~= "string" then
    argerror(1, "open_connection", "string expected, got " .. typename(host, n >= 1))
  end
  port = check_port("open_connection", 2, port, n >= 2)
  opts = check_opts("open_connection", 3, opts, n >= 3)
  local limit = check_limit("open_connection", 3, opts)
  local ctx, handshake_timeout, shutdown_timeout = tls_opts("open_connection", 3, opts, false, 0)
  local hostname = opt_hostname("open_connection", 3, opts, host, 0)
  local local_addr = opt_field("open_connection", 3, opts, "local_addr", "table", nil)
  local locals
  if local_addr then
    if local_addr[1] ~= nil and type(local_addr[1]) ~= "string" then
      argerror(3, "open_connection", "field 'local_addr': {host, port} expected")
    end
    locals = N.resolve(local_addr[1], check_port("open_connection", 3, local_addr[2] or 0, true), true)
  end
  local errs = {}
  for _, addr in ipairs(N.resolve(host, port, false)) do
    local ok, reader, writer = pcall(N.connect, addr, same_family(addr, locals), limit)
    if ok then
      if ctx then client_tls(writer, ctx, hostname, handshake_timeout, shutdown_timeout) end
      return reader, writer
    end
    if not OSError:is(reader) then error(reader, 0) end
    errs[#errs + 1] = reader
  end
  error(connect_error(errs), 0)
end

function M.open_unix_connection(...)
  local path, opts = ...
  local n = select("#", ...)
  if type(path) ~= "string" then
    argerror(1, "open_unix_connection", "string expected, got " .. typename(path, n >= 1))
  end
  if #path >= N.UNIX_PATH_MAX then
    argerror(1, "open_unix_connection", "path too long for a Unix socket")
  end
  opts = check_opts("open_unix_connection", 2, opts, n >= 2)
  local limit = check_limit("open_unix_connection", 2, opts)
  local ctx, handshake_timeout, shutdown_timeout = tls_opts("open_unix_connection", 2, opts, false, 0)
  -- A path is no host name: the name to check must be given (or "").
  local hostname = opt_hostname("open_unix_connection", 2, opts, nil, 0)
  if ctx and hostname == nil and ctx.check_hostname then
    argerror(2, "open_unix_connection", "field 'server_hostname' is needed with ssl on a Unix socket "
             .. "(\"\" checks no name)")
  end
  local reader, writer = N.connect(N.unix_address(path), nil, limit)
  if ctx then client_tls(writer, ctx, hostname or "", handshake_timeout, shutdown_timeout) end
  return reader, writer
end

-- connect_read_pipe(fd) / connect_write_pipe(fd): a StreamReader or a
-- StreamWriter on an open pipe, FIFO, socket or terminal. Python returns
-- (transport, protocol); the stream itself is more use here.
local function connect_pipe(fname, reading, ...)
  local fd = ...
  if type(fd) ~= "number" or not tointeger(fd) then
    argerror(1, fname, "descriptor expected, got " .. typename(fd, select("#", ...) >= 1), 1)
  end
  local stream = N.open_pipe(tointeger(fd), reading, fname, DEFAULT_LIMIT)
  if not stream then
    argerror(1, fname, "pipe transport is only for pipes, sockets and character devices", 1)
  end
  return stream
end

-- Not tail calls: connect_pipe's errors count this frame to reach the caller.
function M.connect_read_pipe(...)
  return (connect_pipe("connect_read_pipe", true, ...))
end

function M.connect_write_pipe(...)
  return (connect_pipe("connect_write_pipe", false, ...))
end

--------------------------------------------------------------------------
-- Server: listeners plus the connections their handlers serve.

local Server = {__name = "asyncio.Server"}
Server.__index = Server
M.Server = Server

-- Servers still open, so a stopping program can close them all and a
-- reload can tell their generations.
local open_servers = setmetatable({}, {__mode = "k"})

-- A handler's error with the traceback where it was raised; a cancellation
-- stays itself, to be passed on.
local function handler_msgh(e)
  if CancelledError:is(e) then return e end
  return {e, C.traceback(nil, 2)}
end

local function wake_closers(self)
  if self._listeners or self._active > 0 then return end
  local waiters = self._closers
  self._closers = nil
  for _, fut in ipairs(waiters or {}) do
    if not fut:done() then fut:set_result(nil) end
  end
end

-- How a log line names a client: 127.0.0.1:54321, [::1]:54321, or for a
-- Unix socket the server's path.
local function client_name(self, host, port)
  if port then return (host:find(":", 1, true) and "[" .. host .. "]" or host) .. ":" .. port end
  local s = self.sockets[1]
  return "a client of " .. (s and s.path or "a Unix socket")
end

-- A peer that resets or goes away is routine on a busy server: each one is
-- a line without traceback, at most RESETS_PER_SECOND a second, and the
-- rest are counted into one summary line at the end of that second.
local RESETS_PER_SECOND = 5
local resets = {since = -math.huge, logged = 0, dropped = 0}

local function flush_resets()
  resets.summary = nil
  if resets.dropped > 0 then
    io.stderr:write(("... and %d more connection reset%s by peers in the last second\n"):format(
      resets.dropped, resets.dropped == 1 and "" or "s"))
    io.stderr:flush()
  end
  resets.dropped = 0
end

local function log_reset(who, err)
  local loop = M.get_running_loop()
  local now = loop:time()
  if now - resets.since >= 1 then
    if resets.summary then resets.summary:cancel() end
    flush_resets()
    resets.since, resets.logged = now, 0
  end
  if resets.logged < RESETS_PER_SECOND then
    resets.logged = resets.logged + 1
    io.stderr:write("handler for ", who, " failed: ", tostring(err), "\n")
    io.stderr:flush()
  else
    resets.dropped = resets.dropped + 1
    if not resets.summary then resets.summary = loop:call_at(resets.since + 1, flush_resets) end
  end
end

local function is_reset(e)
  return M.ConnectionResetError:is(e) or M.BrokenPipeError:is(e)
end

local function report_failure(failure, who)
  if CancelledError:is(failure) then error(failure, 0) end
  local err, tb = failure[1], failure[2]
  if is_reset(err) then return log_reset(who, err) end
  io.stderr:write("handler for ", who, " failed: ", C.describe_error(err, tb, M.current_task()), "\n")
  io.stderr:flush()
end

-- A connection's handler has ended (or never began): the close that
-- flushes, and the server's count.
local function release_client(self, writer)
  writer:close()
  self._clients[writer] = nil
  self._active = self._active - 1
  wake_closers(self)
end

-- A TLS server's handshake, before its handler: a client that fails it
-- costs a debug line and reaches no handler.
local function accept_tls(self, writer, who)
  local ok, err = pcall(C.start_tls, writer, self._ssl, nil, false, self._ssl_timeouts[1],
                        self._ssl_timeouts[2])
  if ok then return true end
  release_client(self, writer)
  if CancelledError:is(err) then error(err, 0) end
  if C.log then C.log("debug", "TLS handshake with %s failed: %s", who, tostring(err)) end
  return false
end

-- The task of one connection (l_net.c's serve, in C to keep an idle
-- connection's frames few): the peer's name, a TLS server's handshake, the
-- handler under handler_msgh, then finish: the close that flushes, and
-- the report of a failure.
local function finish(self, writer, ok, failure, who)
  release_client(self, writer)
  if not ok then report_failure(failure, who) end
end

local serve = N.make_serve(client_name, accept_tls, handler_msgh, finish)

-- A server belongs to the generation that made it (aiod's hot reload), and
-- so do the tasks serving its connections.
local function new_server(cb, limit, ssl, timeouts)
  local self = setmetatable({_cb = cb, _clients = {}, _active = 0, _listeners = {},
                             _closers = {}, sockets = {}, _limit = limit,
                             _ssl = ssl, _ssl_timeouts = timeouts,
                             _gen = C.generation_of()}, Server)
  open_servers[self] = true
  T.opened(self, self._gen)
  self._on_conn = function(reader, writer)
    self._clients[writer] = true
    self._active = self._active + 1
    C.spawn_in(self._gen, true, serve, self, reader, writer)
  end
  return self
end

local function add_socket(self, host, port)
  self.sockets[#self.sockets + 1] = port and {host = host, port = port} or {path = host}
end

local function add_listener(self, listener)
  local list = self._listeners
  list[#list + 1] = listener
end

local function remove_listener(self, listener)
  for i, l in ipairs(self._listeners) do
    if l == listener then table.remove(self._listeners, i) return end
  end
end

-- Listening sockets move between generations through takeover.lua: a
-- listener lets go of its socket (detach) and a new one accepts on it.
local LISTENERS = {
  detach = function(server, listener)
    remove_listener(server, listener)
    return listener:detach()
  end,
  adopt = function(server, fd)
    local listener = N.adopt(fd, server._on_conn, server._limit)
    add_listener(server, listener)
    return listener
  end,
  is_open = function(listener) return listener:is_open() end,
  close_fd = N.close_fd,
}

local function listen_on(self, key, make)
  local listener, claimed = T.bind(self, self._gen, key and "tcp:" .. key, LISTENERS, make)
  if not claimed then add_listener(self, listener) end
  add_socket(self, listener:address())
end

function C.open_servers()
  local list = {}
  for server in pairs(open_servers) do list[#list + 1] = server end
  return list
end

function C.close_servers()
  for _, server in ipairs(C.open_servers()) do server:close() end
end

function Server:close()
  check_self(self, Server, "close")
  local list = self._listeners
  if not list then return end
  T.closed(self)
  self._listeners = nil
  open_servers[self] = nil
  for _, listener in ipairs(list) do listener:close() end
  if self._forever and not self._forever:done() then self._forever:cancel() end
  wake_closers(self)
end
function Server:__close()
  check_self(self, Server, "__close")
  self:close()
end

function Server:is_serving()
  check_self(self, Server, "is_serving")
  return self._listeners ~= nil
end

function Server:close_clients()
  check_self(self, Server, "close_clients")
  for writer in pairs(self._clients) do writer:close() end
end

-- Returns once the server is closed and every connection's handler ended.
function Server:wait_closed()
  check_self(self, Server, "wait_closed")
  if not self._closers then return end
  local fut = M.get_running_loop():create_future()
  self._closers[#self._closers + 1] = fut
  C.note_wait("Server.wait_closed")
  fut:await()
end

function Server:serve_forever()
  check_self(self, Server, "serve_forever")
  if self._forever then error("the server is already being awaited on serve_forever()", 2) end
  if not self._listeners then error("the server is closed", 2) end
  self._forever = M.get_running_loop():create_future()
  if C.on_serving then C.on_serving(self._gen) end
  C.note_wait("serve_forever")
  local ok, err = pcall(self._forever.await, self._forever)
  self._forever = nil
  if not ok and CancelledError:is(err) then
    self:close()
    self:wait_closed()
  end
  error(err, 0)
end

function Server:__tostring()
  check_self(self, Server, "__tostring")
  local s = self.sockets[1]
  local where = s and (s.path or (s.host .. ":" .. s.port)) or "nothing"
  return ("Server on %s (%s)"):format(where, self._listeners and "serving" or "closed")
end

local function check_cb(fname, cb, present)
  if C.kind(cb) ~= "function" then
    argerror(1, fname, "function expected, got " .. typename(cb, present), 1)
  end
end

-- opts, backlog, limit, TLS context and {handshake, shutdown} timeouts.
local function server_opts(fname, n, opts, present)
  opts = check_opts(fname, n, opts, present, 1)
  local backlog = opt_field(fname, n, opts, "backlog", "number", DEFAULT_BACKLOG, 1)
  if not tointeger(backlog) or backlog < 0 then
    argerror(n, fname, "field 'backlog': non-negative integer expected", 1)
  end
  local ctx, handshake_timeout, shutdown_timeout = tls_opts(fname, n, opts, true, 1)
  return opts, tointeger(backlog), check_limit(fname, n, opts, 1), ctx,
    ctx and {handshake_timeout, shutdown_timeout}
end

-- Binds every address host resolves to; with port 0 the first one picks
-- the port and the others share it (and no later server takes them over).
local function listen_all(self, host, port, backlog, flags)
  local limit = self._limit
  local function bind(addr, extra)
    listen_on(self, port ~= 0 and addr or nil, function()
      return N.listen(addr, backlog, flags | extra, self._on_conn, limit)
    end)
  end
  local addrs
  if host == nil then
    -- All interfaces: one socket for IPv6 and IPv4 both, else IPv4 only.
    local ok, err = pcall(bind, N.resolve("::", port, true)[1], N.DUAL_STACK)
    if ok then return end
    if not OSError:is(err) or err.errno ~= N.EAFNOSUPPORT then error(err, 0) end
    addrs = N.resolve("0.0.0.0", port, true)
  else
    addrs = N.resolve(host, port, true)
  end
  local ok, err = pcall(function()
    for i, addr in ipairs(addrs) do
      if i > 1 and port == 0 then
        addr = N.resolve(N.format_address(addr), self.sockets[1].port, true)[1]
      end
      bind(addr, 0)
    end
  end)
  if not ok then
    self:close()
    error(err, 0)
  end
end

function M.start_server(...)
  local cb, host, port, opts = ...
  local n = select("#", ...)
  check_cb("start_server", cb, n >= 1)
  if host ~= nil and type(host) ~= "string" then
    argerror(2, "start_server", "string or nil expected, got " .. typename(host, true))
  end
  port = check_port("start_server", 3, port, n >= 3)
  local backlog, limit, ctx, timeouts
  opts, backlog, limit, ctx, timeouts = server_opts("start_server", 4, opts, n >= 4)
  local flags = opt_field("start_server", 4, opts, "reuse_port", "boolean", false) and N.REUSE_PORT or 0
  local self = new_server(cb, limit, ctx, timeouts)
  listen_all(self, host, port, backlog, flags)
  return self
end

function M.start_unix_server(...)
  local cb, path, opts = ...
  local n = select("#", ...)
  check_cb("start_unix_server", cb, n >= 1)
  if type(path) ~= "string" then
    argerror(2, "start_unix_server", "string expected, got " .. typename(path, n >= 2))
  end
  if #path >= N.UNIX_PATH_MAX then
    argerror(2, "start_unix_server", "path too long for a Unix socket")
  end
  local backlog, limit, ctx, timeouts
  opts, backlog, limit, ctx, timeouts = server_opts("start_unix_server", 3, opts, n >= 3)
  local self = new_server(cb, limit, ctx, timeouts)
  listen_on(self, "unix:" .. path, function()
    return N.listen_unix(path, backlog, self._on_conn, limit)
  end)
  return self
end
