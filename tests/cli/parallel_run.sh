# scripts/parallel_run.lua: ok, failing, timed-out, output-heavy and unstartable commands; a timeout stops the whole group; -j; -f; exit 0/1/2; SIGTERM stops the commands
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cp "$root/scripts/parallel_run.lua" "$T/"

# report TEXT: the report of the command whose line has TEXT, with its
# output lines, the time replaced by T
report() {
	awk -v c="$1" '/^(ok  |FAIL|STOP) / { p = index($0, c) > 0
			if (p) { sub(/ +[0-9.]+s  /, " T  "); print }; next }
		p && /^    / { print; next } { p = 0 }' "$OUT"
}
expect_report() {
	local want got
	printf -v want '%s\n' "${@:2}"
	report "$1" >"$T/report"
	IFS= read -r -d '' got <"$T/report"
	[ "$got" = "$want" ] || fail "report of '$1' is not:"$'\n'"$want"$'\n'"but:"$'\n'"$got"
}
# alive PID: the process exists and is no zombie (pid 1 may not reap orphans)
alive() { local state; read -r _ _ state _ 2>/dev/null <"/proc/$1/stat" && [ "$state" != Z ]; }
# expect_gone PIDFILE...: each process named there ends within a second
expect_gone() {
	local f i pid
	for f in "$@"; do
		read -r pid <"$T/$f" || fail "$f was not written"
		for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.02; done
		alive "$pid" && fail "the process in $f ($pid) outlived its command"
	done
	return 0
}

# A mix, all at once: each reported as it ends, failures said why, only the
# last lines of long output, a summary; exit 1
run parallel_run.lua -j 8 -t 0.2 -k 0.05 -n 2 'echo hello' 'echo oops >&2; exit 3' \
	'echo $$ >slow.pid; exec sleep 5' 'seq 20000' 'no-such-command-xyz' \
	'trap "" TERM; echo stubborn; sleep 5 & echo $! >stubborn.pid; wait'
expect_rc 1
expect_report "echo hello" "ok T  echo hello" "    hello"
expect_report "exit 3" "FAIL T  echo oops >&2; exit 3  (exit 3)" "    oops"
expect_report "seq 20000" "ok T  seq 20000" "    [19998 earlier lines]" "    19999" "    20000"
expect_report "exec sleep 5" 'FAIL T  echo $$ >slow.pid; exec sleep 5  (timed out after 0.2s)'
expect_report "no-such-command" "FAIL T  no-such-command-xyz  (exit 127: command not found)" \
	"    /bin/sh: 1: no-such-command-xyz: not found"
expect_report "stubborn" \
	'FAIL T  trap "" TERM; echo stubborn; sleep 5 & echo $! >stubborn.pid; wait  (timed out after 0.2s)' \
	"    stubborn"
# SIGTERM ignored: KILL came after the 0.05 s grace
awk '/^FAIL .*  trap/ { exit !($2 + 0 >= 0.25) }' "$OUT" || fail "the TERM-proof command did not get its grace"
stdout_has "-- 6 commands in "
stdout_has ": 2 ok, 4 failed"
stdout_has "   failed: no-such-command-xyz  (exit 127: command not found)"
expect_stderr_empty
expect_gone slow.pid stubborn.pid

# A timeout stops the command's whole process group, also a background
# daemon of it that ignores TERM and holds none of its output; what a
# command says as it is stopped is in its report
run parallel_run.lua -t 0.1 -k 0.05 \
	'(trap "" TERM; exec sleep 5) >/dev/null 2>&1 & echo $! >daemon.pid; exec sleep 5' \
	'trap "echo last words; exit 1" TERM; echo first; sleep 5 & wait'
expect_rc 1
stdout_has "(timed out after 0.1s)"
expect_report "last words" 'FAIL T  trap "echo last words; exit 1" TERM; echo first; sleep 5 & wait  (timed out after 0.1s)' \
	"    first" "    last words"
expect_stderr_empty
expect_gone daemon.pid

# -j 2: never more than two at once, and two do run at once
cmd=': >on.$$; sleep 0.05; set -- on.*; echo $# >>peaks; rm on.$$'
run parallel_run.lua -j 2 "$cmd" "$cmd" "$cmd" "$cmd"
expect_rc 0
[ "$(sort -n "$T/peaks" | tail -n 1)" = 2 ] || fail "not 2 at once at most: $(tr '\n' ' ' <"$T/peaks")"
stdout_has ": 4 ok, 0 failed"
awk '/^-- 4 commands in/ { exit !($5 + 0 >= 0.1) }' "$OUT" || fail "4 x 0.05 s two at a time took under 0.1 s"

# -f: one command a line, blank lines and comments skipped; file commands, then
# the arguments' ones, started in that order; -n 0 shows no output; exit 0
printf '# restart the fleet\necho one\n\n   # an indented comment\n  echo two  \n' >"$T/list"
run parallel_run.lua -j 1 -n 0 -f list -- 'echo three'
expect_rc 0
[ "$(grep -E '^(ok  |FAIL)' "$OUT" | sed -E 's/^ok +[0-9.]+s  //')" = "$(printf 'echo one\necho two\necho three')" ] ||
	fail "not the three commands in order"
stdout_lacks "restart"
stdout_lacks "    one"
stdout_has ": 3 ok, 0 failed"

# Out of descriptors: the commands that cannot start say so; the others run
cmds=()
for _ in {1..20}; do cmds+=('sleep 0.05'); done
(cd "$T" && ulimit -n 16 && exec timeout 10 "$AIOD" parallel_run.lua -j 20 "${cmds[@]}" \
	</dev/null >"$OUT" 2>"$ERR")
RC=$?
expect_rc 1
stdout_has "(could not start: Too many open files)"
grep -q '^ok  ' "$OUT" || fail "no command ran with the descriptors left"

# Bad usage: exit 2 with a reason
run parallel_run.lua -j 0 true
expect_rc 2
stderr_has "-j needs a whole number above 0"
run parallel_run.lua -t soon true
expect_rc 2
stderr_has "-t needs a number of seconds"
run parallel_run.lua -x true
expect_rc 2
stderr_has "unknown option -x"
run parallel_run.lua -f no-such-list
expect_rc 2
stderr_has "no-such-list"
run parallel_run.lua
expect_rc 2
stderr_has "no commands to run"

# SIGTERM: the running commands are stopped with all they started, and
# their last output shown; the one waiting never starts; what finished is
# still reported; exit 1
rm -f "$T"/*.pid
start parallel_run.lua -j 2 'echo started; echo $$ >a.pid; sleep 5 & echo $! >b.pid; wait' \
	'echo fast' 'echo $$ >c.pid; exec sleep 6' 'touch never'
for ((i = 0; i < 150; i++)); do [ -s "$T/a.pid" ] && [ -s "$T/b.pid" ] && [ -s "$T/c.pid" ] && break; sleep 0.02; done
wait_for_text "$OUT" "echo fast" || { finish 1; fail "the quick command was not reported"; }
kill -TERM "$BG"
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "parallel_run did not end within 3 s of SIGTERM"
expect_rc 1
expect_report "echo fast" "ok T  echo fast" "    fast"
expect_report "a.pid" 'STOP T  echo started; echo $$ >a.pid; sleep 5 & echo $! >b.pid; wait  (interrupted)' "    started"
expect_report "c.pid" 'STOP T  echo $$ >c.pid; exec sleep 6  (interrupted)'
stdout_has ": 1 ok, 0 failed, 2 stopped, 1 not started (interrupted)"
[ ! -e "$T/never" ] || fail "a command started after SIGTERM"
expect_gone a.pid b.pid c.pid
