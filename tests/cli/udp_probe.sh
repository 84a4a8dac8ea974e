# scripts/udp_probe.lua: an echo endpoint answers, a closed port is refused, a silent one times out, an unresolvable host fails; exit 1 when any did not answer, 2 on bad usage
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
# An aiod echo endpoint, a silent socket (bound, never answers) and a closed port.
script echo.lua <<'LUA'
local asyncio = require "asyncio"
local endpoint = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}}
local silent = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}}
local gone = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}}
local closed = select(2, gone:get_extra_info("sockname"))
gone:close()
local f = io.open("ports.tmp", "w")
f:write(select(2, endpoint:get_extra_info("sockname")), " ", select(2, silent:get_extra_info("sockname")), " ", closed, "\n")
f:close()
os.rename("ports.tmp", "ports")
for data, host, port in endpoint:datagrams() do endpoint:sendto("echo " .. data, host, port) end
LUA
start echo.lua
trap 'kill $BG 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -f "$T/ports" ] && break; sleep 0.05; done
read -r p_echo p_silent p_closed <"$T/ports" || fail "the echo endpoint did not start"
cp "$root/scripts/udp_probe.lua" "$T/"
run udp_probe.lua -t 0.3 -d hello "127.0.0.1:$p_echo" "127.0.0.1:$p_closed" "127.0.0.1:$p_silent" no-such-host.invalid:9
expect_rc 1
stdout_has "TARGET"
grep -q "^127.0.0.1:$p_echo  *answered .* 10 bytes: \"echo hello\"" "$OUT" || fail "the echo not shown answered"
grep -q "^127.0.0.1:$p_closed  *refused " "$OUT" || fail "closed port not shown refused"
grep -q "^127.0.0.1:$p_silent  *no answer in 0.3s " "$OUT" || fail "silent port not shown as timed out"
grep -q "^no-such-host.invalid:9 " "$OUT" || fail "unresolvable host missing"
stdout_has "1 of 4 answered"
run udp_probe.lua "127.0.0.1:$p_echo"
expect_rc 0
stdout_has "1 of 1 answered"
run udp_probe.lua nonsense
expect_rc 2
stderr_has "not HOST:PORT: nonsense"
