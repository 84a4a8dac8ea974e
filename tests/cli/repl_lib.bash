# tests/cli/repl_lib.bash -- helpers of the aiod -i tests (sourced after lib.bash, not run)

# repl ARGS... <input: run aiod -i ARGS in $T with stdin from the caller (a pipe), set RC
repl() {
	(cd "$T" && timeout 10 "$AIOD" -i "$@" >"$OUT" 2>"$ERR")
	RC=$?
}

# repl_start ARGS...: start aiod -i ARGS in $T in the background reading
# the fifo $T/in, which fd 3 writes; its pid is BG
repl_start() {
	mkfifo "$T/in"
	set -m
	(cd "$T" && exec "$AIOD" -i "$@" <"$T/in" >"$OUT" 2>"$ERR") &
	BG=$!
	set +m
	exec 3>"$T/in"
}
