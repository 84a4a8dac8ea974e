#!/usr/bin/env bash
# tests/lua/run.sh -- run the Lua script tests against aiod (and stock lua5.4 with the C module)
#
# usage: tests/lua/run.sh [AIOD] [NAME...]
#   AIOD  the aiod binary (default: ./aiod at the repository root)
#   NAME  run only these tests (file names with or without .lua)
# env:    LUA            the stock interpreter for "-- both" / "-- lua-only" tests (default lua5.4)
#         ASYNCIO_CPATH  LUA_CPATH template for asyncio.so (default ../../?.so, i.e. the repository root)
#         LUA_PRELOAD    LD_PRELOAD for the stock interpreter (sanitizer runtimes for a sanitized asyncio.so)
#         AIOD_TEST_CERTS  the TLS tests' certificates (default: made by tests/tls/mkcerts.sh for this run)
#
# Each tests/lua/<name>.lua is run as `cd tests/lua && $AIOD <name>.lua` (10 s timeout);
# its stdout must equal <name>.out and its exit code <name>.exit (0 when absent).
# First line "-- both": also run as `LUA_CPATH='../../?.so;;' lua5.4 <name>.lua`.
# First line "-- lua-only": run only that way.
set -u

caller_pwd=$PWD
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

AIOD=${1:-$root/aiod}
[ $# -gt 0 ] && shift
case $AIOD in /*) ;; *) AIOD=$caller_pwd/$AIOD ;; esac
LUA=${LUA:-lua5.4}
cpath='../../?.so'
if [ -n "${ASYNCIO_CPATH:-}" ]; then
	cpath=$ASYNCIO_CPATH
	case $cpath in /*) ;; *) cpath=$caller_pwd/$cpath ;; esac
fi
preload=$(echo ${LUA_PRELOAD:-})

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "${AIOD_TEST_CERTS:-}" ]; then
	"$root/tests/tls/mkcerts.sh" "$tmp/certs" || exit 2
	export AIOD_TEST_CERTS=$tmp/certs
fi

passed=0
failed=0

# check LABEL EXPECTED_OUT_FILE EXPECTED_RC ACTUAL_RC
check() {
	local label=$1 out=$2 want_rc=$3 rc=$4
	local problems=""
	if [ "$rc" = 124 ]; then
		problems="timed out after 10 s"
	elif [ "$rc" != "$want_rc" ]; then
		problems="exit code $rc, expected $want_rc"
	fi
	if [ ! -f "$out" ]; then
		problems="$problems${problems:+; }missing $(basename "$out")"
	elif ! cmp -s "$out" "$tmp/stdout"; then
		problems="$problems${problems:+; }stdout differs"
	fi
	if [ -z "$problems" ]; then
		echo "ok $label"
		passed=$((passed + 1))
		return
	fi
	echo "FAIL $label"
	echo "    $problems"
	if [ -f "$out" ] && ! cmp -s "$out" "$tmp/stdout"; then
		diff -u --label expected --label actual "$out" "$tmp/stdout" | head -n 20 | sed 's/^/    /'
	fi
	if [ -s "$tmp/stderr" ]; then
		echo "    --- stderr (first 5 lines):"
		head -n 5 "$tmp/stderr" | sed 's/^/    /'
	fi
	failed=$((failed + 1))
}

cd "$here" || exit 2

if [ $# -gt 0 ]; then
	tests=()
	for n in "$@"; do tests+=("${n%.lua}.lua"); done
else
	tests=(*_*.lua)
fi

for file in "${tests[@]}"; do
	name=${file%.lua}
	if [ ! -f "$file" ]; then
		echo "FAIL $name: no such test"
		failed=$((failed + 1))
		continue
	fi
	want_rc=0
	if [ -f "$name.exit" ]; then want_rc=$(tr -d ' \t\r\n' <"$name.exit"); fi
	first=$(head -n 1 "$file")

	if [ "$first" != "-- lua-only" ]; then
		timeout 10 "$AIOD" "$file" <"/dev/null" >"$tmp/stdout" 2>"$tmp/stderr"
		check "$name" "$name.out" "$want_rc" $?
	fi
	if [ "$first" = "-- both" ] || [ "$first" = "-- lua-only" ]; then
		if [ -n "$preload" ]; then
			LD_PRELOAD=$preload LUA_CPATH="$cpath;;" timeout 10 "$LUA" "$file" <"/dev/null" >"$tmp/stdout" 2>"$tmp/stderr"
		else
			LUA_CPATH="$cpath;;" timeout 10 "$LUA" "$file" <"/dev/null" >"$tmp/stdout" 2>"$tmp/stderr"
		fi
		check "$name (lua5.4)" "$name.out" "$want_rc" $?
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
