-- ssl.lua -- asyncio.ssl: create_default_context, Purpose and the constants around l_ssl.c's SSLContext
local M, C = ...

local type, select, getmetatable, setmetatable = type, select, getmetatable, setmetatable
local argerror, typename, opt_field = C.argerror, C.typename, C.opt_field
local S = C.open_ssl()
C.name_methods("asyncio.ssl.SSLContext", S.methods)

local ssl = {
  SSLContext = S.SSLContext,
  SSLError = M.SSLError,
  SSLCertVerificationError = M.SSLCertVerificationError,
  CERT_NONE = S.CERT_NONE, CERT_OPTIONAL = S.CERT_OPTIONAL, CERT_REQUIRED = S.CERT_REQUIRED,
  PROTOCOL_TLS_CLIENT = S.PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER = S.PROTOCOL_TLS_SERVER,
  OPENSSL_VERSION = S.OPENSSL_VERSION,
  HAS_ALPN = true, HAS_SNI = true,
  -- The values minimum_version and maximum_version take and give.
  TLSVersion = {
    TLSv1_2 = "TLSv1.2", TLSv1_3 = "TLSv1.3",
    MINIMUM_SUPPORTED = "MINIMUM_SUPPORTED", MAXIMUM_SUPPORTED = "MAXIMUM_SUPPORTED",
  },
}

-- Purpose.SERVER_AUTH and CLIENT_AUTH, Python's _ASN1Object fields.
local PurposeMeta = {__name = "asyncio.ssl.Purpose"}
PurposeMeta.__index = PurposeMeta
PurposeMeta.__tostring = function(p) return "Purpose." .. p.name end
local function purpose(name, nid, shortname, longname, oid)
  return setmetatable({name = name, nid = nid, shortname = shortname, longname = longname, oid = oid},
                      PurposeMeta)
end
local SERVER_AUTH = purpose("SERVER_AUTH", 129, "serverAuth", "TLS Web Server Authentication",
                            "1.3.6.1.5.5.7.3.1")
local CLIENT_AUTH = purpose("CLIENT_AUTH", 130, "clientAuth", "TLS Web Client Authentication",
                            "1.3.6.1.5.5.7.3.2")
ssl.Purpose = {SERVER_AUTH = SERVER_AUTH, CLIENT_AUTH = CLIENT_AUTH}

-- create_default_context([purpose] [, {cafile =, capath =, cadata =}]).
-- SERVER_AUTH (the default) makes a client context: it verifies servers
-- (CERT_REQUIRED, check_hostname) against cafile/capath/cadata when given,
-- else the system's store, and an empty store is an SSLError here.
-- CLIENT_AUTH makes a server context: CERT_NONE, no check_hostname, and
-- no system store unless cafile/capath/cadata are given (a server verifies
-- no client by default), so a server runs on a machine without CA
-- certificates.
function ssl.create_default_context(...)
  local fname = "create_default_context"
  local p, opts = ...
  local n = select("#", ...)
  if type(p) == "table" and getmetatable(p) == nil and n == 1 then
    p, opts = SERVER_AUTH, p
  elseif p == nil then
    p = SERVER_AUTH
  elseif p ~= SERVER_AUTH and p ~= CLIENT_AUTH then
    argerror(1, fname, "asyncio.ssl.Purpose expected, got " .. typename(p, n >= 1))
  end
  if opts == nil then
    opts = {}
  elseif type(opts) ~= "table" or getmetatable(opts) ~= nil then
    argerror(2, fname, "options table expected, got " .. typename(opts, n >= 2))
  end
  local cafile = opt_field(fname, 2, opts, "cafile", "string")
  local capath = opt_field(fname, 2, opts, "capath", "string")
  local cadata = opt_field(fname, 2, opts, "cadata", "string")
  local server = p == CLIENT_AUTH
  local ctx = S.SSLContext(server and ssl.PROTOCOL_TLS_SERVER or ssl.PROTOCOL_TLS_CLIENT)
  if cafile or capath or cadata then
    ctx:load_verify_locations(cafile, capath, cadata)
  elseif not server then
    ctx:load_default_certs()
  end
  return ctx
end

-- For streams.lua: ssl = true is one client context, made on first use,
-- so that 10,000 connections do not parse the CA bundle 10,000 times.
local default_client
C.is_sslcontext = S.is_sslcontext
C.start_tls = S.start_tls
function C.default_client_context()
  if not default_client then default_client = ssl.create_default_context() end
  return default_client
end

-- For the tests: a PEM file's certificate through getpeercert()'s code.
C._decode_cert_file = S._decode_cert_file

C.name_methods("asyncio.ssl", ssl)
M.ssl = ssl
