# scripts/http_check.lua against a Python HTTP server: ok, 404 against --expect, body match and mismatch, per-URL =STATUS and ~PATTERN, headers, HTTPS with and without the test CA, a refused port, a name that does not resolve, a server that never answers (--timeout), --limit; exit 1 when any fails, 2 on bad usage
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
C=${AIOD_TEST_CERTS:?AIOD_TEST_CERTS is not set}
# The servers: HTTP/1.1 on a plain and a TLS port, one that accepts TCP
# (the kernel's backlog) and never answers, and a port where nothing listens.
/usr/bin/python3 -I - "$C" "$T" <<'PY' 2>"$T/python.err" &
import http.server, os, socket, ssl, sys, threading
certs, out = sys.argv[1], sys.argv[2]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"       # keep-alive: the script's Session reuses connections

    def reply(self, status, body, headers=()):
        body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if body.startswith(b"{") else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ok":
            self.reply(200, "all good\n")
        elif self.path == "/json":
            self.reply(200, '{"status": "ok", "db": "down"}')
        elif self.path == "/moved":
            self.reply(301, "", [("Location", "/ok")])
        elif self.path == "/auth":
            good = self.headers.get_all("Authorization") == ["Bearer s3cret"]
            self.reply(200 if good else 401, "welcome\n" if good else "who are you?\n")
        elif self.path == "/error":
            self.reply(503, "down for maintenance\n")
        else:
            self.reply(404, "no such page\n")

    def log_message(self, *args):
        pass

plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tls = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(f"{certs}/server.pem", f"{certs}/server.key")
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
silent = socket.socket(); silent.bind(("127.0.0.1", 0)); silent.listen(16)
closed = socket.socket(); closed.bind(("127.0.0.1", 0))
ports = [s.server_address[1] for s in (plain, tls)] + [silent.getsockname()[1], closed.getsockname()[1]]
closed.close()
for server in (plain, tls):
    threading.Thread(target=server.serve_forever, daemon=True).start()
with open(out + "/ports.tmp", "w") as f:
    f.write(" ".join(map(str, ports)) + "\n")
os.rename(out + "/ports.tmp", out + "/ports")
threading.Event().wait(20)
PY
helper=$!
trap 'kill $helper 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 200); do [ -f "$T/ports" ] && break; sleep 0.02; done
read -r p_http p_https p_silent p_closed <"$T/ports" ||
	fail "the helper servers did not start: $(cat "$T/python.err")"
cp "$root/scripts/http_check.lua" "$T/"
H=http://127.0.0.1:$p_http
ms='[0-9]+\.[0-9] ms'

# row URL REGEX: the table row of URL matches REGEX (the columns after it)
row() {
	local url=${1//./\\.}
	grep -qE "^${url//\?/\\?} +$2\$" "$OUT" || fail "row of $1 does not match: $2"
}

# One run, every kind of outcome, rows in the order given.
run http_check.lua --timeout 0.3 "$H/ok" "$H/missing" "$H/moved" "$H/error" \
	"http://127.0.0.1:$p_closed/" "http://127.0.0.1:$p_silent/" "http://nosuch.invalid:$p_http/"
expect_rc 1
head -n 1 "$OUT" | grep -qE '^URL +STATUS +TIME +RESULT$' || fail "no table header"
row "$H/ok" "200  +$ms  ok"
row "$H/missing" "404  +$ms  unexpected status 404 \(expected 2xx\)"
row "$H/moved" "200  +$ms  ok"
row "$H/error" "503  +$ms  unexpected status 503 \(expected 2xx\)"
row "http://127.0.0.1:$p_closed/" "-  +$ms  refused"
row "http://127.0.0.1:$p_silent/" "-  +$ms  timeout after 0\.3s"
row "http://nosuch.invalid:$p_http/" "-  +$ms  unresolvable: nosuch\.invalid"
stdout_has "2 of 7 ok"
[ "$(sed -n '2p;3p' "$OUT" | cut -d' ' -f1)" = "$H/ok
$H/missing" ] || fail "rows are not in the order given"
# The timed-out row took its 0.3 s, not much more.
t=$(grep -E "^http://127\.0\.0\.1:$p_silent/ " "$OUT" | grep -oE '[0-9]+\.[0-9] ms' | cut -d. -f1)
[ "$t" -ge 290 ] && [ "$t" -lt 1500 ] || fail "the silent server's row took $t ms, not about 300"

# --expect: a number, a class, a list; =STATUS for one URL.
run http_check.lua --expect 200 "$H/missing"
expect_rc 1
row "$H/missing" "404  +$ms  unexpected status 404 \(expected 200\)"
stdout_has "0 of 1 ok"
run http_check.lua --expect 200,4xx "$H/missing" "$H/ok"
expect_rc 0
stdout_has "2 of 2 ok"
run http_check.lua --expect=404 "$H/ok"
expect_rc 1
row "$H/ok" "200  +$ms  unexpected status 200 \(expected 404\)"
run http_check.lua "$H/ok" "$H/missing" =404 "$H/error" =5xx
expect_rc 0
stdout_has "3 of 3 ok"

# --match and ~PATTERN: Lua patterns on the body.
run http_check.lua --match '"status": *"ok"' "$H/json"
expect_rc 0
row "$H/json" "200  +$ms  ok"
run http_check.lua --match '"db": *"up"' "$H/json" "$H/ok" '~^all good'
expect_rc 1
row "$H/json" '200  +'"$ms"'  body does not match "db": \*"up"'
row "$H/ok" "200  +$ms  ok"
stdout_has "1 of 2 ok"
# A 404 with a matching body still fails on its status.
run http_check.lua --match 'no such' "$H/missing"
expect_rc 1
row "$H/missing" "404  +$ms  unexpected status 404 \(expected 2xx\)"

# --header goes with every request.
run http_check.lua "$H/auth"
expect_rc 1
row "$H/auth" "401  +$ms  unexpected status 401 \(expected 2xx\)"
run http_check.lua --header 'Authorization: Bearer s3cret' "$H/auth" '~^welcome'
expect_rc 0
row "$H/auth" "200  +$ms  ok"

# HTTPS: verified against the test CA; unknown without it; --insecure.
S=https://localhost:$p_https
run http_check.lua --cafile "$C/ca.pem" "$S/ok"
expect_rc 0
row "$S/ok" "200  +$ms  ok"
run http_check.lua --cafile "$C/selfsigned.pem" "$S/ok"
expect_rc 1
row "$S/ok" "-  +$ms  TLS verify error: .+"
run http_check.lua --insecure "$S/missing" =404
expect_rc 0
row "$S/missing" "404  +$ms  ok"

# -f FILE: URLs one a line, with their expectations; comments and blank lines.
cat >"$T/urls" <<EOF
# the plain server
$H/ok
$H/missing =404   # gone on purpose

$H/json ~"status": *"ok"
$H/json =200 ~"db": *"down"
EOF
run http_check.lua -f urls
expect_rc 0
stdout_has "4 of 4 ok"

# --limit: two silent servers one at a time take two timeouts, not one.
start=$(date +%s%N)
run http_check.lua --limit 1 --timeout 0.2 "http://127.0.0.1:$p_silent/a" "http://127.0.0.1:$p_silent/b"
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_rc 1
stdout_has "0 of 2 ok"
[ "$took" -ge 400 ] || fail "--limit 1 ran two 0.2 s timeouts in $took ms: at once"

# Bad usage: exit 2, nothing checked.
usage() { run http_check.lua "$@"; expect_rc 2; stdout_lacks "URL"; }
usage; stderr_has "no URLs"
usage --limit 0 "$H/ok"; stderr_has "--limit needs a whole number above 0"
usage --timeout soon "$H/ok"; stderr_has "--timeout needs a number of seconds above 0"
usage --expect 2000 "$H/ok"; stderr_has "--expect needs a status"
usage --match '[' "$H/ok"; stderr_has "--match: malformed pattern"
usage "$H/ok" =abc; stderr_has "not a status or a list of them: =abc"
usage =200 "$H/ok"; stderr_has "=200 comes before any URL"
usage ftp://example.com/; stderr_has "not an http:// or https:// URL: ftp://example.com/"
usage --header nocolon "$H/ok"; stderr_has "--header needs 'NAME: VALUE'"
usage --frobnicate "$H/ok"; stderr_has "unknown option --frobnicate"
usage -f missing.txt; stderr_has "missing.txt"
run http_check.lua --help
expect_rc 0
stdout_has "usage: aiod http_check.lua"
