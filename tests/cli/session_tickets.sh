# A TLS server resumes sessions by default: a Python client that kept its session (a TLS 1.3 ticket) is resumed on its next connection, and a client without one gets a full handshake
. "$(dirname "$0")/lib.bash"
script server.lua <<'LUA'
local asyncio = require "asyncio"
local certs = os.getenv("AIOD_TEST_CERTS")
local ctx = asyncio.ssl.create_default_context(asyncio.ssl.Purpose.CLIENT_AUTH)
ctx:load_cert_chain(certs .. "/server.pem", certs .. "/server.key")
local server = asyncio.start_server(function(r, w)
  w:write(r:readline())
  w:drain()
end, "127.0.0.1", 0, {ssl = ctx})
print("port " .. server.sockets[1].port)
io.stdout:flush()
server:serve_forever()
LUA
/usr/bin/python3 - "$AIOD" "$T" "$AIOD_TEST_CERTS" <<'PY' || fail "sessions were not resumed as expected"
import re, socket, ssl, subprocess, sys
aiod, tmp, certs = sys.argv[1:4]
p = subprocess.Popen([aiod, tmp + "/server.lua"], stdout=subprocess.PIPE, stderr=open(tmp + "/stderr", "w"), text=True)
try:
    port = int(re.search(r"port (\d+)", p.stdout.readline()).group(1))
    ctx = ssl.create_default_context(cafile=certs + "/ca.pem")
    def talk(session=None):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
                s.sendall(b"ping\n")
                assert s.recv(100) == b"ping\n"
                return s.session, s.session_reused
    first, reused = talk()
    assert not reused, "a first connection cannot resume"
    assert first is not None and first.has_ticket, "the server sent no session ticket"
    _, reused = talk(first)
    assert reused, "the session with a ticket was not resumed"
    _, reused = talk()
    assert not reused
finally:
    p.terminate()
    p.wait(timeout=5)
PY
