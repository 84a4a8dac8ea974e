# make install and make uninstall with PREFIX (/usr/local, /usr) and DESTDIR: the installed aiod and the installed asyncio.so, from stock lua5.4 with nothing else on its paths, load the installed TLS and HTTP modules; an aiod without them says where it looked; uninstall leaves nothing
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
# A make of our own, not a job of the make that runs the tests (SANITIZE,
# from the environment, still picks the build the tests run).
unset MAKEFLAGS MFLAGS MAKELEVEL
multiarch=$(${CC:-cc} -print-multiarch)

# The stock interpreter of a sanitized asyncio.so needs the sanitizer runtimes first.
preload=""
if [ "${SANITIZE:-}" = 1 ]; then
	for lib in libasan.so libubsan.so; do preload="$preload $(${CC:-cc} -print-file-name=$lib)"; done
fi
cjson=$(lua5.4 -e 'print((package.searchpath("cjson", package.cpath):gsub("/[^/]*$", "")))') ||
	fail "no lua-cjson for stock lua5.4"

# The modules' files this process has mapped, sorted, $D shown as DESTDIR.
cat >"$T/maps.lua" <<'LUA'
return function(destdir)
  local seen, list = {}, {}
  for line in io.lines("/proc/self/maps") do
    local path = line:match("(/%S*asyncio[%w_]*%.so)$")
    if path and not seen[path] then seen[path] = true list[#list + 1] = path end
  end
  table.sort(list)
  for _, path in ipairs(list) do
    local inside = path:sub(1, #destdir) == destdir
    print("mapped", inside and "DESTDIR" .. path:sub(#destdir + 1) or path)
  end
end
LUA
# Tasks, TLS and HTTP (against a server of its own); check.lua aiod|lua [http]:
# main is the main task's in aiod, asyncio.run's in stock Lua.
cat >"$T/check.lua" <<'LUA'
local asyncio = require "asyncio"
local runner, use_http = ...
local function main()
  local t = asyncio.create_task(function() asyncio.sleep(0.01) return "task ok" end)
  print(t:await())
  print("ssl", type(asyncio.ssl.create_default_context(asyncio.ssl.Purpose.CLIENT_AUTH)))
  if use_http == "http" then
    local server <close> = asyncio.start_server(function(reader, writer)
      repeat local h = reader:readline() until h == "\r\n" or h == ""
      writer:write("HTTP/1.1 200 OK\r\ncontent-length: 7\r\nconnection: close\r\n\r\nhttp ok")
      writer:close()
    end, "127.0.0.1", 0)
    local r = asyncio.http.get("http://127.0.0.1:" .. server.sockets[1].port .. "/")
    print(r.status, r:text())
  end
  dofile("maps.lua")(os.getenv("DESTDIR"))
end
if runner == "aiod" then main() else asyncio.run(main) end
LUA

for prefix in /usr/local /usr; do
	D=$T/dest
	if [ "$prefix" = /usr ]; then lib=$prefix/lib/$multiarch units=/lib/systemd/system
	else lib=$prefix/lib units=$prefix/lib/systemd/system; fi
	make --no-print-directory -C "$root" install DESTDIR="$D" PREFIX="$prefix" >"$T/make.out" 2>&1 ||
		{ cat "$T/make.out"; fail "$prefix: make install failed"; }

	# Exactly these files.
	{
		printf '%s\n' "$prefix/bin/aiod" "$lib/lua/5.4/asyncio.so" "$lib/aiod/asyncio_tls.so" \
			"$lib/aiod/asyncio_http.so" "$prefix/share/man/man1/aiod.1" "$units/aiod@.service" \
			"$prefix/share/doc/aiod/README.md" "$prefix/share/doc/aiod/examples/aiod.service"
		for f in "$root"/scripts/*.lua; do echo "$prefix/share/doc/aiod/examples/${f##*/}"; done
		for f in "$root"/docs/*.md; do echo "$prefix/share/doc/aiod/docs/${f##*/}"; done
	} | sort >"$T/want"
	(cd "$D" && find . -type f | sed 's|^\.||' | sort) >"$T/have"
	diff "$T/want" "$T/have" >"$T/diff" || { cat "$T/diff"; fail "$prefix: installed files differ"; }
	[ -x "$D$prefix/bin/aiod" ] || fail "$prefix: bin/aiod is not executable"
	grep -qx "ExecStart=$prefix/bin/aiod --control %t/aiod/%i/control.sock \$AIOD_OPTIONS /etc/aiod/%i.lua \$AIOD_ARGS" \
		"$D$units/aiod@.service" || fail "$prefix: the unit's ExecStart does not name $prefix/bin/aiod"
	grep -qx "ExecReload=$prefix/bin/aiod reload --control %t/aiod/%i/control.sock" "$D$units/aiod@.service" ||
		fail "$prefix: the unit's ExecReload does not name $prefix/bin/aiod"
	# systemd reads it without a complaint (an instance of it, starting the DESTDIR's aiod).
	if command -v systemd-analyze >/dev/null; then
		mkdir -p "$T/units"
		sed "s|$prefix/bin/aiod|$D$prefix/bin/aiod|" "$D$units/aiod@.service" >"$T/units/aiod@check.service"
		systemd-analyze verify --man=no "$T/units/aiod@check.service" >"$T/verify" 2>&1 ||
			{ cat "$T/verify"; fail "$prefix: systemd-analyze verify refuses the unit"; }
	fi

	# The installed aiod, nothing of ours on its paths (it runs in $T).
	clean_env=(env -i PATH=/usr/bin:/bin DESTDIR="$D" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS})
	(cd "$T" && "${clean_env[@]}" timeout 10 "$D$prefix/bin/aiod" check.lua aiod http >"$OUT" 2>"$ERR")
	RC=$?
	expect_rc 0
	expect_stdout "task ok" "ssl	userdata" "200	http ok" \
		"mapped	DESTDIR$lib/aiod/asyncio_http.so" "mapped	DESTDIR$lib/aiod/asyncio_tls.so"

	# The installed asyncio.so from stock lua5.4: only the install's module folder on
	# LUA_CPATH, then that and lua-cjson's (asyncio.http needs it).
	(cd "$T" && "${clean_env[@]}" LD_PRELOAD="$(echo $preload)" LUA_PATH="$T/none/?.lua" \
		LUA_CPATH="$D$lib/lua/5.4/?.so" timeout 10 lua5.4 check.lua lua >"$OUT" 2>"$ERR")
	RC=$?
	expect_rc 0
	expect_stdout "task ok" "ssl	userdata" \
		"mapped	DESTDIR$lib/aiod/asyncio_tls.so" "mapped	DESTDIR$lib/lua/5.4/asyncio.so"
	(cd "$T" && "${clean_env[@]}" LD_PRELOAD="$(echo $preload)" LUA_PATH="$T/none/?.lua" \
		LUA_CPATH="$D$lib/lua/5.4/?.so;$cjson/?.so" timeout 10 lua5.4 check.lua lua http >"$OUT" 2>"$ERR")
	RC=$?
	expect_rc 0
	expect_stdout "task ok" "ssl	userdata" "200	http ok" "mapped	DESTDIR$lib/aiod/asyncio_http.so" \
		"mapped	DESTDIR$lib/aiod/asyncio_tls.so" "mapped	DESTDIR$lib/lua/5.4/asyncio.so"

	# An aiod without its modules names where it looked; a broken one, why it failed.
	mkdir -p "$T/alone/bin" && cp "$D$prefix/bin/aiod" "$T/alone/bin/"
	(cd "$T" && "${clean_env[@]}" timeout 10 "$T/alone/bin/aiod" -e 'local _ = asyncio.ssl' >"$OUT" 2>"$ERR")
	RC=$?
	expect_rc 1
	stderr_has "cannot load asyncio_tls.so: not found (looked for $T/alone/bin/asyncio_tls.so, $T/alone/bin/../lib/aiod/asyncio_tls.so, $T/alone/bin/../lib/$multiarch/aiod/asyncio_tls.so)"
	mkdir -p "$T/alone/lib/aiod" && : >"$T/alone/lib/aiod/asyncio_tls.so"
	(cd "$T" && "${clean_env[@]}" timeout 10 "$T/alone/bin/aiod" -e 'local _ = asyncio.ssl' >"$OUT" 2>"$ERR")
	RC=$?
	expect_rc 1
	stderr_has "cannot load asyncio_tls.so: $T/alone/bin/../lib/aiod/asyncio_tls.so: file too short"
	rm -rf "$T/alone"

	make --no-print-directory -C "$root" uninstall DESTDIR="$D" PREFIX="$prefix" >"$T/make.out" 2>&1 ||
		{ cat "$T/make.out"; fail "$prefix: make uninstall failed"; }
	left=$(cd "$D" && find . -type f)
	[ -z "$left" ] || fail "$prefix: make uninstall left $left"
	for dir in "$lib/aiod" "$prefix/share/doc/aiod"; do
		[ ! -e "$D$dir" ] || fail "$prefix: make uninstall left $dir"
	done
	rm -rf "$D"
done
