-- both
-- bad arguments to every function of asyncio.ssl and every SSLContext method
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local D = os.getenv("AIOD_TEST_CERTS")

local function try(f)
  local ok, e = pcall(f)
  print(ok and "ok" or tostring(e))
end

local c = ssl.SSLContext()
try(function() ssl.create_default_context("server") end)
try(function() ssl.create_default_context(1) end)
try(function() ssl.create_default_context(ssl.Purpose.SERVER_AUTH, "x") end)
try(function() ssl.create_default_context(ssl.Purpose.SERVER_AUTH, setmetatable({}, {})) end)
try(function() ssl.create_default_context({cafile = 1}) end)
try(function() ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, {capath = true}) end)
try(function() ssl.create_default_context(nil, {cadata = {}}) end)
try(function() ssl.create_default_context({}, {}) end)
try(function() ssl.SSLContext(3) end)
try(function() ssl.SSLContext("client") end)
try(function() ssl.SSLContext(16.5) end)
try(function() c:load_cert_chain() end)
try(function() c:load_cert_chain({}) end)
try(function() c:load_cert_chain(D .. "/client.pem", 5 > 4) end)
try(function() c:load_cert_chain(D .. "/client.pem", D .. "/client.key", {}) end)
try(function() c:load_verify_locations() end)
try(function() c:load_verify_locations(nil, nil, nil) end)
try(function() c:load_verify_locations(true) end)
try(function() c:load_verify_locations(nil, {}) end)
try(function() c:load_verify_locations(nil, nil, false) end)
try(function() c:set_ciphers() end)
try(function() c:set_ciphers({}) end)
try(function() c:set_alpn_protocols() end)
try(function() c:set_alpn_protocols("h2") end)
try(function() c:set_alpn_protocols({"h2", 2}) end)
try(function() c:set_alpn_protocols({""}) end)
try(function() c:set_alpn_protocols({("x"):rep(256)}) end)
local many = {}
for i = 1, 300 do many[i] = ("p"):rep(255) end
try(function() c:set_alpn_protocols(many) end)
-- A method called on something else, with and without method syntax.
local load = c.load_cert_chain
try(function() load({}, "x") end)
try(function() load(nil) end)
try(function() c.set_ciphers("x") end)
try(function() local t = {f = c.set_ciphers} t:f("x") end)
try(function() pcall(c.cert_store_stats) error(select(2, pcall(c.cert_store_stats)), 0) end)
try(function() c.load_default_certs(io.stdout) end)
-- Called with no name at the call site (as pcall(f, ...) does), the
-- constructor and the metamethods are named through package.loaded.
local function try_direct(f, ...)
  local ok, e = pcall(f, ...)
  print(ok and "ok" or tostring(e))
end
local meta = getmetatable(c)
try_direct(ssl.SSLContext, "client")
try_direct(meta.__index, 1, "verify_mode")
try_direct(meta.__newindex, {}, "verify_mode", 0)
try_direct(meta.__tostring, "x")
try_direct(meta.__gc, false)
