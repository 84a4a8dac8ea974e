# tests/cli/lib.bash -- helpers shared by the CLI tests (sourced, not run)
#
# Every test runs in its own scratch directory $T, removed on exit.
# AIOD must be an absolute path to the aiod binary (run.sh exports it).
set -u
: "${AIOD:?AIOD is not set}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
OUT=$T/stdout
ERR=$T/stderr
RC=

fail() {
	echo "$*"
	if [ -f "$OUT" ]; then echo "--- stdout:"; head -n 10 "$OUT"; fi
	if [ -f "$ERR" ]; then echo "--- stderr:"; head -n 10 "$ERR"; fi
	exit 1
}

# script NAME: write stdin to $T/NAME
script() { cat >"$T/$1"; }

# run ARGS...: run aiod in $T (10 s limit, stdin from /dev/null), set RC
run() {
	(cd "$T" && timeout 10 "$AIOD" "$@" <"/dev/null" >"$OUT" 2>"$ERR")
	RC=$?
}

expect_rc() { [ "$RC" = "$1" ] || fail "exit code $RC, expected $1"; }

# expect_stdout LINE...: stdout is exactly these lines
expect_stdout() { printf '%s\n' "$@" | cmp -s - "$OUT" || fail "stdout differs from: $*"; }
expect_stdout_empty() { [ ! -s "$OUT" ] || fail "stdout should be empty"; }
stdout_has() { grep -qF -- "$1" "$OUT" || fail "stdout lacks '$1'"; }
stdout_lacks() { ! grep -qF -- "$1" "$OUT" || fail "stdout has '$1'"; }
stderr_has() { grep -qF -- "$1" "$ERR" || fail "stderr lacks '$1'"; }
stderr_has_i() { grep -qiF -- "$1" "$ERR" || fail "stderr lacks '$1' (any case)"; }
stderr_nonempty() { [ -s "$ERR" ] || fail "stderr is empty"; }
expect_stderr_empty() { [ ! -s "$ERR" ] || fail "stderr should be empty"; }

# Background runs for the signal tests. Job control (set -m) keeps bash from
# starting the background aiod with SIGINT ignored.
# start ARGS...: start aiod in $T in the background; its pid is BG
start() {
	set -m
	(cd "$T" && exec "$AIOD" "$@" <"/dev/null" >"$OUT" 2>"$ERR") &
	BG=$!
	set +m
}

# wait_for_text FILE TEXT [SECONDS]: poll until FILE contains TEXT (default 3 s)
wait_for_text() {
	local i n=$(( ${3:-3} * 50 ))
	for ((i = 0; i < n; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$BG" 2>/dev/null || { grep -qF -- "$2" "$1" 2>/dev/null; return; }
		sleep 0.02
	done
	return 1
}

# finish [SECONDS]: wait up to SECONDS (default 5) for the background aiod to
# exit; set RC and FINISHED_IN_TIME (1/0); kill it if it did not exit
finish() {
	local i n=$(( ${1:-5} * 50 ))
	FINISHED_IN_TIME=0
	for ((i = 0; i < n; i++)); do
		if ! kill -0 "$BG" 2>/dev/null; then FINISHED_IN_TIME=1; break; fi
		sleep 0.02
	done
	[ "$FINISHED_IN_TIME" = 1 ] || kill -KILL "$BG" 2>/dev/null
	wait "$BG" 2>/dev/null
	RC=$?
}
