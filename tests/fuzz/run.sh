#!/usr/bin/env bash
# tests/fuzz/run.sh -- runs the API fuzzer (fuzz.lua) under aiod, seed by seed, and sums up
#
# usage: tests/fuzz/run.sh [AIOD]
# env:   FUZZ_SEEDS    the seeds to run (default "1 2 3": the short run of make test)
#        FUZZ_SECONDS  instead: seeds 1, 2, ... until this many seconds have passed (make fuzz)
#        FUZZ_CALLS    calls per seed (default 2000)
# A seed passes when aiod exits 0 within 60 s. A crash or hang is replayed
# with FUZZ_TRACE=1 to name the last call made: the reproducer.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AIOD=${1:-$here/../../aiod}
case $AIOD in /*) ;; *) AIOD=$PWD/$AIOD ;; esac
export FUZZ_CALLS=${FUZZ_CALLS:-2000}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch" || exit 2

passed=0 failed=0
run_seed() {
	local seed=$1 rc
	FUZZ_SEED=$seed timeout -s KILL 60 "$AIOD" "$here/fuzz.lua" >out 2>err
	rc=$?
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1)); tail -n 1 out; return
	fi
	failed=$((failed + 1))
	echo "FAIL fuzz seed $seed (exit $rc)"
	grep '^VIOLATION' out | head -n 20 | sed 's/^/    /'
	# A sanitizer's report exits 1 too: no summary line means a crash.
	if ! tail -n 1 out | grep -q '^fuzz seed'; then
		FUZZ_TRACE=1 FUZZ_SEED=$seed timeout -s KILL 60 "$AIOD" "$here/fuzz.lua" >/dev/null 2>trace
		echo "    crashed or hung in: $(grep '^FUZZ ' trace | tail -n 1)"
		grep -A3 'ERROR: .*Sanitizer\|runtime error' trace | head -n 6 | sed 's/^/    /'
	fi
}

if [ -n "${FUZZ_SECONDS:-}" ]; then
	end=$((SECONDS + FUZZ_SECONDS)) seed=1
	while [ "$SECONDS" -lt "$end" ]; do run_seed $seed; seed=$((seed + 1)); done
else
	for seed in ${FUZZ_SEEDS:-1 2 3}; do run_seed "$seed"; done
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
