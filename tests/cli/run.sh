#!/usr/bin/env bash
# tests/cli/run.sh -- run the aiod command-line tests
#
# usage: tests/cli/run.sh [AIOD] [NAME...]
#   AIOD  the aiod binary (default: ./aiod at the repository root)
#   NAME  run only these tests (file names with or without .sh)
#
# Each tests/cli/<name>.sh is a bash script that exits 0 when it passes; it
# gets AIOD (absolute) and AIOD_TEST_CERTS (the TLS tests' certificates, made
# by tests/tls/mkcerts.sh unless set) in its environment and sources lib.bash.
# A test that cannot run here (a tool missing) exits 77 after a line saying why.
set -u

caller_pwd=$PWD
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

AIOD=${1:-$root/aiod}
[ $# -gt 0 ] && shift
case $AIOD in /*) ;; *) AIOD=$caller_pwd/$AIOD ;; esac
export AIOD

log=$(mktemp)
certs=$(mktemp -d)
trap 'rm -rf "$log" "$certs"' EXIT
if [ -z "${AIOD_TEST_CERTS:-}" ]; then
	"$root/tests/tls/mkcerts.sh" "$certs" || exit 2
	export AIOD_TEST_CERTS=$certs
fi

passed=0
failed=0
skipped=0
cd "$here" || exit 2

if [ $# -gt 0 ]; then
	tests=()
	for n in "$@"; do tests+=("${n%.sh}.sh"); done
else
	tests=()
	for f in *.sh; do [ "$f" = run.sh ] || tests+=("$f"); done
fi

for file in "${tests[@]}"; do
	name=${file%.sh}
	if [ ! -f "$file" ]; then
		echo "FAIL $name: no such test"
		failed=$((failed + 1))
		continue
	fi
	timeout 30 bash "$file" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $name"
		passed=$((passed + 1))
	elif [ $rc -eq 77 ]; then
		echo "skipped $name: $(tail -n 1 "$log")"
		skipped=$((skipped + 1))
	else
		[ $rc -eq 124 ] && echo "test timed out" >>"$log"
		echo "FAIL $name"
		head -n 20 "$log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done

summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
