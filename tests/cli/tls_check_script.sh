# scripts/tls_check.lua against a Python TLS server: good, expired and wrong-host certificates, --days, a handshake that never comes, a refused port; exit 1 when any fails, 2 on bad usage
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
C=${AIOD_TEST_CERTS:?AIOD_TEST_CERTS is not set}
# The servers: one TLS listener per certificate, one that accepts TCP and
# never answers the handshake, and a port where nothing listens.
/usr/bin/python3 -I - "$C" "$T" <<'PY' 2>"$T/python.err" &
import asyncio, os, socket, ssl, sys
certs, out = sys.argv[1], sys.argv[2]

def context(name):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(f"{certs}/{name}.pem", f"{certs}/{name}.key")
    return ctx

async def serve(reader, writer):
    try:
        await reader.read()          # until the client hangs up
        writer.close()
    except (OSError, ssl.SSLError):
        pass

async def silent(reader, writer):
    await asyncio.sleep(30)

async def main():
    ports = []
    for name in ("server", "expired", "wronghost"):
        s = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context(name))
        ports.append(s.sockets[0].getsockname()[1])
    s = await asyncio.start_server(silent, "127.0.0.1", 0)
    ports.append(s.sockets[0].getsockname()[1])
    closed = socket.socket(); closed.bind(("127.0.0.1", 0))
    ports.append(closed.getsockname()[1]); closed.close()
    with open(out + "/ports.tmp", "w") as f:
        f.write(" ".join(map(str, ports)) + "\n")
    os.rename(out + "/ports.tmp", out + "/ports")
    await asyncio.sleep(20)

asyncio.run(main())
PY
helper=$!
trap 'kill $helper 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 200); do [ -f "$T/ports" ] && break; sleep 0.02; done
read -r p_good p_expired p_wrong p_silent p_closed <"$T/ports" ||
	fail "the helper servers did not start: $(cat "$T/python.err")"
cp "$root/scripts/tls_check.lua" "$T/"
# Whole days server.pem has left, by date(1)'s reading of its notAfter. The
# certificates may have been made this very second (then 3650 days are left
# to the second), and the script counts later: it may say one day less.
end=$(openssl x509 -noout -enddate -in "$C/server.pem") || fail "openssl cannot read server.pem"
left=$(( ($(date -u -d "${end#notAfter=}" +%s) - $(date +%s)) / 86400 ))
[ "$left" -gt 1000 ] || fail "server.pem has $left days left, not the ~3650 mkcerts.sh gives"
days="($left|$((left - 1)))"

# row TARGET REGEX: the table row of TARGET matches REGEX (the columns after it)
row() { grep -qE "^$1 +$2\$" "$OUT" || fail "row of $1 does not match: $2"; }

run tls_check.lua --cafile "$C/ca.pem" --timeout 0.3 "127.0.0.1:$p_good" "localhost:$p_expired" \
	"localhost:$p_wrong" "127.0.0.1:$p_silent" "127.0.0.1:$p_closed"
expect_rc 1
stdout_has "TARGET"
row "127.0.0.1:$p_good" "$days  TLSv1\.3  localhost +aiod test CA  ok"
row "localhost:$p_expired" "- +- +- +- +certificate has expired"
row "localhost:$p_wrong" "- +- +- +- +Hostname mismatch.*"
row "127.0.0.1:$p_silent" "- +- +- +- +no answer in 0\.3s"
row "127.0.0.1:$p_closed" "- +- +- +- +refused"
stdout_has "1 of 5 ok"

# The system store from SSL_CERT_FILE alone (an empty SSL_CERT_DIR is
# unset), the name checked as localhost.
SSL_CERT_DIR= SSL_CERT_FILE=$C/ca.pem run tls_check.lua "localhost:$p_good"
expect_rc 0
row "localhost:$p_good" "$days  TLSv1\.3  localhost +aiod test CA  ok"
stdout_has "1 of 1 ok"

# Verified, but it expires within the days asked for.
run tls_check.lua --cafile "$C/ca.pem" --days 100000 "127.0.0.1:$p_good"
expect_rc 1
row "127.0.0.1:$p_good" "$days  TLSv1\.3  localhost +aiod test CA  expires within 100000 days"
run tls_check.lua --cafile "$C/ca.pem" --days=$((left - 1)) "127.0.0.1:$p_good"
expect_rc 0

# Without the test CA the certificate is unknown.
run tls_check.lua --cafile "$C/selfsigned.pem" "127.0.0.1:$p_good"
expect_rc 1
row "127.0.0.1:$p_good" "- +- +- +- +unable to get local issuer certificate"

# Bad usage: exit 2, nothing checked.
run tls_check.lua --cafile "$C/empty.pem" "127.0.0.1:$p_good"
expect_rc 2
stderr_has "tls_check: "
stdout_lacks "TARGET"
run tls_check.lua --days soon "127.0.0.1:$p_good"
expect_rc 2
stderr_has "--days needs a number of days"
run tls_check.lua "host:port:more"
expect_rc 2
stderr_has "not HOST[:PORT]: host:port:more"
run tls_check.lua
expect_rc 2
stderr_has "no targets"
