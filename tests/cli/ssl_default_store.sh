# the system CA store of a default client context: SSL_CERT_FILE / SSL_CERT_DIR when set, and a store without a certificate is an SSLError naming where it looked, raised by create_default_context itself
. "$(dirname "$0")/lib.bash"
D=$AIOD_TEST_CERTS
script main.lua <<'LUA'
local ssl = require("asyncio").ssl
local ok, e = pcall(ssl.create_default_context)
if ok then print("ok", e:cert_store_stats().x509) return end
print(tostring(e):gsub(os.getenv("AIOD_TEST_CERTS"):gsub("%p", "%%%0"), "$CERTS"), e.name)
-- a server context needs no store
print("server", ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).verify_mode)
LUA
# with NAME=VALUE...: run main.lua with only those of the two set
with() {
	(cd "$T" && env -u SSL_CERT_FILE -u SSL_CERT_DIR "$@" timeout 10 "$AIOD" main.lua <"/dev/null" >"$OUT" 2>"$ERR")
	RC=$?
}

with SSL_CERT_FILE="$D/empty.pem"
expect_rc 0
expect_stdout "SSLError: [SSL] no CA certificate found (looked in SSL_CERT_FILE '\$CERTS/empty.pem')	SSLError" "server	0"

with SSL_CERT_DIR="$D/emptydir"
expect_stdout "SSLError: [SSL] no CA certificate found (looked in SSL_CERT_DIR '\$CERTS/emptydir')	SSLError" "server	0"

with SSL_CERT_FILE="$D/missing.pem" SSL_CERT_DIR="$D/emptydir:$D/missing"
expect_stdout "SSLError: [SSL] no CA certificate found (looked in SSL_CERT_FILE '\$CERTS/missing.pem', SSL_CERT_DIR '\$CERTS/emptydir:\$CERTS/missing')	SSLError" "server	0"

# Set to a store with the test CA: only that store is loaded.
with SSL_CERT_FILE="$D/ca.pem"
expect_stdout "ok	1"
# A folder loads lazily (nothing in the store yet), but it holds a certificate.
with SSL_CERT_DIR="$D/emptydir:$D/cadir"
expect_stdout "ok	0"
# Empty values count as unset: OpenSSL's default paths (Debian's CA bundle).
with SSL_CERT_FILE= SSL_CERT_DIR=
stdout_has "ok	"
stdout_lacks "ok	0"
