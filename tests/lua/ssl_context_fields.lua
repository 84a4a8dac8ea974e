-- both
-- asyncio.ssl contexts: the defaults of each purpose and protocol, and the
-- fields read and written with Python's rules between them
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local D = os.getenv("AIOD_TEST_CERTS")

local function try(f)
  local ok, e = pcall(f)
  print(ok and "ok" or "error: " .. tostring(e))
end

local function fields(name, c)
  print(name, c.protocol, c.verify_mode, c.check_hostname, c.minimum_version, c.maximum_version)
end

print("constants", ssl.CERT_NONE, ssl.CERT_OPTIONAL, ssl.CERT_REQUIRED,
      ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER, ssl.HAS_ALPN, ssl.HAS_SNI)
print("version", type(ssl.OPENSSL_VERSION), ssl.OPENSSL_VERSION:match("^OpenSSL 3%.") ~= nil)
print("TLSVersion", ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
print("Purpose", tostring(ssl.Purpose.SERVER_AUTH), ssl.Purpose.SERVER_AUTH.oid,
      tostring(ssl.Purpose.CLIENT_AUTH), ssl.Purpose.CLIENT_AUTH.shortname)
print("classes", ssl.SSLError == asyncio.SSLError,
      ssl.SSLCertVerificationError == asyncio.SSLCertVerificationError)

-- create_default_context: a client trusts the system store (Debian's has
-- certificates: ca-certificates is one of the packages); a server none.
local client = ssl.create_default_context()
fields("default client", client)
print("client store has CAs", client:cert_store_stats().x509_ca > 0)
local server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
fields("default server", server)
print("server store", server:cert_store_stats().x509)
local explicit = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
fields("explicit client", explicit)
-- cafile / capath / cadata replace the system store.
local own = ssl.create_default_context({cafile = D .. "/ca.pem"})
print("cafile store", own:cert_store_stats().x509, own:cert_store_stats().x509_ca)
own = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cadata = io.open(D .. "/ca.pem"):read("a")})
print("cadata store", own:cert_store_stats().x509)
own = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, {capath = D .. "/cadir"})
fields("capath server", own)
print("capath store (lazy)", own:cert_store_stats().x509)

-- Bare contexts, as Python's: a client verifies but trusts nothing yet.
fields("bare client", ssl.SSLContext())
fields("bare client 16", ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
fields("bare server", ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
print("bare store", ssl.SSLContext():cert_store_stats().x509)

print("tostring", (tostring(client):gsub("0x%x+", "ADDR")), (tostring(server):gsub("0x%x+", "ADDR")))

-- Python's rules: check_hostname on turns CERT_NONE into CERT_REQUIRED;
-- CERT_NONE is refused while check_hostname is on.
local c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.verify_mode = ssl.CERT_OPTIONAL
fields("optional", c)
c.verify_mode = ssl.CERT_NONE
c.check_hostname = true
fields("check_hostname on", c)
try(function() c.verify_mode = ssl.CERT_NONE end)
fields("still", c)
c.check_hostname = false
c.verify_mode = ssl.CERT_NONE
fields("both off", c)
c.verify_mode = 2
c.check_hostname = true
c.check_hostname = false
fields("required stays", c)

-- Versions.
c.minimum_version = "TLSv1.3"
c.maximum_version = ssl.TLSVersion.TLSv1_3
fields("1.3 only", c)
c.minimum_version = "MINIMUM_SUPPORTED"
c.maximum_version = "MAXIMUM_SUPPORTED"
fields("back", c)
c.maximum_version = "TLSv1.2"
c.minimum_version = "MAXIMUM_SUPPORTED"
fields("max as min", c)
try(function() c.minimum_version = "TLSv1.1" end)
try(function() c.maximum_version = 3 end)

-- Bad values and unknown fields.
try(function() c.verify_mode = 3 end)
try(function() c.verify_mode = -1 end)
try(function() c.verify_mode = 1.5 end)
try(function() c.verify_mode = "CERT_NONE" end)
try(function() c.check_hostname = 1 end)
try(function() c.check_hostname = nil end)
try(function() c.protocol = 17 end)
try(function() return c.nonsense end)
try(function() c.nonsense = 1 end)
try(function() return c[1] end)
try(function() c.load_cert_chain = 1 end)
print("methods", type(c.load_cert_chain), type(c.set_ciphers), c.load_cert_chain == client.load_cert_chain)
