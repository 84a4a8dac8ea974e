# aiod -i on a terminal (a pseudo-terminal): readline's prompt, Ctrl-C on an entry and at the prompt, continuation, Tab completion, a background log line not garbling the line typed, history under HOME (bounded), and the terminal's modes restored after Ctrl-D (also mid-entry), SIGTERM and os.exit
. "$(dirname "$0")/lib.bash"
py=$(dirname "$0")/repl_tty.py
for scenario in session sigterm eof_mid_entry os_exit; do
	HOME=$T timeout 20 python3 "$py" "$AIOD" "$scenario" >"$OUT" 2>&1 || fail "scenario $scenario: $(cat "$OUT")"
done
# The history file stays bounded (1000 entries), also when os.exit ends aiod.
seq 1500 >"$T/.aiod_history"
HOME=$T timeout 20 python3 "$py" "$AIOD" os_exit >"$OUT" 2>&1 || fail "os_exit: $(cat "$OUT")"
[ "$(wc -l <"$T/.aiod_history")" -le 1000 ] || fail "history not bounded: $(wc -l <"$T/.aiod_history") lines"
tail -n 1 "$T/.aiod_history" | grep -qxF 'os.exit(5)' || fail "the last entry is not last in the history"
