-- both
-- certificates as getpeercert() dicts (the code laio_push_peercert uses),
-- compared field by field with what Python's ssl makes of the same files
local asyncio = require "asyncio"
local D = os.getenv("AIOD_TEST_CERTS")
local C = debug.getregistry()["asyncio.internals"]
local tmp = io.popen("mktemp -d"):read("l")

-- One more certificate with what the test CA's lack: a multi-valued RDN,
-- email/URI/RID/wildcard/IPv6 SANs, OCSP, caIssuers, CRL distribution points.
local rich = tmp .. "/rich.pem"
assert(os.execute(([[openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout %q -out %q -days 30 -multivalue-rdn -subj "/C=DE/O=aiod+OU=tests/CN=rich.example" \
  -addext "subjectAltName=DNS:*.rich.example,email:ops@rich.example,URI:https://rich.example/,IP:10.1.2.3,IP:2001:db8::1,RID:1.2.3.4" \
  -addext "authorityInfoAccess=OCSP;URI:http://ocsp.rich.example/,caIssuers;URI:http://ca.rich.example/ca.der" \
  -addext "crlDistributionPoints=URI:http://crl.rich.example/1.crl,URI:http://crl2.rich.example/1.crl" \
  2>/dev/null]]):format(tmp .. "/rich.key", rich)))

-- JSON with sorted keys: sequences as arrays, as Python's json.dumps.
local function json(v)
  if type(v) == "string" then
    return '"' .. v:gsub('[%c"\\]', function(ch) return ("\\u%04x"):format(ch:byte()) end) .. '"'
  elseif type(v) == "number" then
    return tostring(v)
  end
  local parts = {}
  if #v > 0 or next(v) == nil then
    for i = 1, #v do parts[i] = json(v[i]) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys)
  for i, k in ipairs(keys) do parts[i] = json(k) .. ":" .. json(v[k]) end
  return "{" .. table.concat(parts, ",") .. "}"
end

local python = [[
import json, ssl, sys
def plain(v):
    return [plain(x) for x in v] if isinstance(v, (tuple, list)) else v
for path in sys.argv[1:]:
    d = ssl._ssl._test_decode_cert(path)
    print(json.dumps({k: plain(v) for k, v in d.items()}, sort_keys=True, separators=(",", ":")))
]]
local names = {"server", "server2", "ca", "expired", "wronghost", "selfsigned", "client"}
local paths = {}
for i, n in ipairs(names) do paths[i] = D .. "/" .. n .. ".pem" end
paths[#paths + 1] = rich
names[#names + 1] = "rich"
local script = tmp .. "/decode.py"
io.open(script, "w"):write(python):close()
local args = {}
for i, p in ipairs(paths) do args[i] = ("%q"):format(p) end
local out = io.popen("/usr/bin/python3 " .. script .. " " .. table.concat(args, " "))
for i, path in ipairs(paths) do
  local theirs = out:read("l")
  local ours = json(C._decode_cert_file(path))
  print(names[i], ours == theirs and "same as Python" or ("differs:\n  ours   " .. ours .. "\n  Python " .. tostring(theirs)))
end
out:close()

-- Fields that hold whatever the run's dates are, checked by shape.
local d = C._decode_cert_file(D .. "/server.pem")
print("server", d.version, d.serialNumber, d.subject[1][1][1], d.subject[1][1][2])
print("dates", d.notBefore:match("^%a%a%a [ %d]%d %d%d:%d%d:%d%d %d%d%d%d GMT$") ~= nil,
      d.notAfter:match("^%a%a%a [ %d]%d %d%d:%d%d:%d%d %d%d%d%d GMT$") ~= nil)
for _, san in ipairs(d.subjectAltName) do print("san", san[1], san[2]) end
local e = C._decode_cert_file(D .. "/expired.pem")
print("expired", e.notBefore, e.notAfter)
local r = C._decode_cert_file(rich)
print("rich rdn", #r.subject, #r.subject[2], r.subject[2][1][1], r.subject[2][2][1])
print("rich uris", r.OCSP[1], r.caIssuers[1], r.crlDistributionPoints[1], r.crlDistributionPoints[2])

local ok, err = pcall(C._decode_cert_file, D .. "/garbage.pem")
print("garbage", asyncio.SSLError:is(err), err.reason)
ok, err = pcall(C._decode_cert_file, D .. "/missing.pem")
print("missing", asyncio.SSLError:is(err), err.errno)
os.execute(("rm -rf %q"):format(tmp))
