-- both
-- SSLContext's loaders: load_cert_chain, load_verify_locations, set_ciphers,
-- set_alpn_protocols; each good path, and each bad file or key raising an
-- SSLError that names the file and says why
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local D = os.getenv("AIOD_TEST_CERTS")
local tmp = io.popen("mktemp -d"):read("l")

-- Messages name files: the folders print as $CERTS and $TMP.
local function plain(s) return (s:gsub("%p", "%%%0")) end
local Dp, Tp = plain(D), plain(tmp)
local function clean(s) return (tostring(s):gsub(Dp, "$CERTS"):gsub(Tp, "$TMP")) end

local function try(what, f, ...)
  local ok, e = pcall(f, ...)
  if ok then print(what, "ok") return end
  if asyncio.SSLError:is(e) then
    print(what, clean(e), e.library, e.reason, e.errno, e.strerror == e.message or clean(e.strerror))
  else
    print(what, "error", clean(e))
  end
end

local server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
local client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

print("-- load_cert_chain")
try("cert and key", server.load_cert_chain, server, D .. "/server.pem", D .. "/server.key")
try("client cert", client.load_cert_chain, client, D .. "/client.pem", D .. "/client.key")
try("again", server.load_cert_chain, server, D .. "/server2.pem", D .. "/server2.key")
try("missing cert", server.load_cert_chain, server, D .. "/missing.pem", D .. "/server.key")
try("missing key", server.load_cert_chain, server, D .. "/server.pem", D .. "/missing.key")
try("garbage cert", server.load_cert_chain, server, D .. "/garbage.pem", D .. "/server.key")
try("empty cert", server.load_cert_chain, server, D .. "/empty.pem", D .. "/server.key")
try("key as cert", server.load_cert_chain, server, D .. "/server.key", D .. "/server.key")
try("cert as key", server.load_cert_chain, server, D .. "/server.pem")
try("garbage key", server.load_cert_chain, server, D .. "/server.pem", D .. "/garbage.pem")
try("mismatched key", server.load_cert_chain, server, D .. "/server.pem", D .. "/other.key")
try("folder as cert", server.load_cert_chain, server, D .. "/cadir", D .. "/server.key")

-- A file nobody may read (root reads it anyway: the line says the same).
os.execute(("cp %q %q && chmod 000 %q"):format(D .. "/server.key", tmp .. "/locked.key", tmp .. "/locked.key"))
local root = io.popen("id -u"):read("l") == "0"
local ok, e = pcall(server.load_cert_chain, server, D .. "/server.pem", tmp .. "/locked.key")
if root then
  print("unreadable key", "SSLError: [SSL] cannot load key file '$TMP/locked.key': Permission denied", nil, nil, 13, "Permission denied")
else
  print("unreadable key", clean(e), e.library, e.reason, e.errno, e.strerror)
end

print("-- encrypted key")
local enc = D .. "/server-enc.key"
try("password", server.load_cert_chain, server, D .. "/server.pem", enc, "secret")
try("password function", server.load_cert_chain, server, D .. "/server.pem", enc, function() return "secret" end)
-- A wrong password decrypts the key into garbage. OpenSSL's padding check
-- catches that nearly always (PROV: BAD_DECRYPT), but once in about 256
-- keys the garbage passes it and the decoder refuses the result instead
-- (DECODER: UNSUPPORTED); mkcerts.sh makes a new key each run, so either
-- is right, and the message must name the file and the likely cause.
local function try_wrong(what, pass)
  local ok, e = pcall(server.load_cert_chain, server, D .. "/server.pem", enc, pass)
  local named = not ok and asyncio.SSLError:is(e) and
    clean(e):find("cannot load key file '$CERTS/server-enc.key'", 1, true) ~= nil
  print(what, named, not ok and tostring(e):sub(-17) == "(wrong password?)",
        not ok and (e.library == "PROV" and e.reason == "BAD_DECRYPT" or
                    e.library == "DECODER" and e.reason == "UNSUPPORTED"))
end
try_wrong("wrong password", "wrong")
try_wrong("wrong from function", function() return "nope" end)
try("no password", server.load_cert_chain, server, D .. "/server.pem", enc)
try("function raises", server.load_cert_chain, server, D .. "/server.pem", enc, function() error("no vault", 0) end)
local e_obj = asyncio.TimeoutError("vault timed out")
local ok2, e2 = pcall(server.load_cert_chain, server, D .. "/server.pem", enc, function() error(e_obj) end)
print("function's error object passes through", ok2, e2 == e_obj)
try("function returns number", function()
  server:load_cert_chain(D .. "/server.pem", enc, function() return 42 end)
end)
try("function returns nothing", function()
  server:load_cert_chain(D .. "/server.pem", enc, function() end)
end)
try("password too long", function()
  server:load_cert_chain(D .. "/server.pem", enc, function() return ("x"):rep(5000) end)
end)
local calls = 0
try("unencrypted key: function not called", server.load_cert_chain, server, D .. "/server.pem",
    D .. "/server.key", function() calls = calls + 1 return "x" end)
print("calls", calls)

print("-- load_verify_locations")
try("cafile", client.load_verify_locations, client, D .. "/ca.pem")
try("capath", client.load_verify_locations, client, nil, D .. "/cadir")
local cadata = io.open(D .. "/ca.pem"):read("a")
local other = io.open(D .. "/selfsigned.pem"):read("a")
local c2 = ssl.SSLContext()
try("cadata", c2.load_verify_locations, c2, nil, nil, cadata)
try("cadata two", c2.load_verify_locations, c2, nil, nil, cadata .. "\n" .. other)
print("store", c2:cert_store_stats().x509)
try("all three", c2.load_verify_locations, c2, D .. "/ca.pem", D .. "/cadir", cadata)
try("missing cafile", client.load_verify_locations, client, D .. "/missing.pem")
try("garbage cafile", client.load_verify_locations, client, D .. "/garbage.pem")
try("empty cafile", client.load_verify_locations, client, D .. "/empty.pem")
try("missing capath", client.load_verify_locations, client, nil, D .. "/missing")
try("empty capath", client.load_verify_locations, client, nil, D .. "/emptydir")
os.execute(("mkdir %q && cp %q %q %q"):format(tmp .. "/junk", D .. "/garbage.pem", D .. "/server.key", tmp .. "/junk"))
try("capath of non-certificates", client.load_verify_locations, client, nil, tmp .. "/junk")
try("garbage cadata", client.load_verify_locations, client, nil, nil, "garbage")
try("empty cadata", client.load_verify_locations, client, nil, nil, "")
try("broken cadata", client.load_verify_locations, client, nil, nil,
    cadata .. "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
try("create_default_context cafile", ssl.create_default_context, {cafile = D .. "/missing.pem"})
try("create_default_context capath", ssl.create_default_context, ssl.Purpose.CLIENT_AUTH,
    {capath = D .. "/emptydir"})

print("-- set_ciphers, set_alpn_protocols")
try("ciphers", client.set_ciphers, client, "ECDHE+AESGCM")
try("unknown ciphers", client.set_ciphers, client, "NOT-A-CIPHER")
try("alpn", client.set_alpn_protocols, client, {"h2", "http/1.1"})
try("alpn server", server.set_alpn_protocols, server, {"http/1.1"})
try("alpn none", client.set_alpn_protocols, client, {})

os.execute(("chmod 600 %q; rm -rf %q"):format(tmp .. "/locked.key", tmp))
