# aiod -i through a pipe: SIGINT cancels the running entry (one that awaits, and one that never suspends) and the REPL goes on; once the input has ended SIGINT is a graceful stop again; SIGTERM stops gracefully at the prompt and during an entry
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/repl_lib.bash"
repl_start
echo 'print("waiting") asyncio.sleep(100)' >&3
wait_for_text "$OUT" waiting || fail "the entry did not start"
kill -INT "$BG"
echo '"after the sleep"' >&3
wait_for_text "$OUT" "after the sleep" || fail "the REPL did not go on after SIGINT"
echo 'print("spinning") while true do end' >&3
wait_for_text "$OUT" spinning || fail "the busy entry did not start"
sleep 0.05
kill -INT "$BG"
echo '"after the loop"' >&3
wait_for_text "$OUT" "after the loop" || fail "the busy entry was not interrupted"
[ "$(grep -c KeyboardInterrupt "$ERR")" = 2 ] || fail "two KeyboardInterrupt lines expected"
echo 'asyncio.create_task(function() print("background") asyncio.sleep(100) end) return nil' >&3
wait_for_text "$OUT" background || fail "the background task did not start"
exec 3>&-
sleep 0.1
kill -0 "$BG" 2>/dev/null || fail "aiod ended with a task still running"
kill -INT "$BG"
wait "$BG"
RC=$?
expect_rc 130
rm -f "$T/in"

# SIGTERM stops, at the prompt or during an entry, which ends without a word.
for entry in 'print("ready")' 'print("ready") asyncio.sleep(100)'; do
	rm -f "$T/in"
	repl_start
	echo "$entry" >&3
	wait_for_text "$OUT" ready || fail "no first entry"
	kill -TERM "$BG"
	wait "$BG"
	RC=$?
	exec 3>&-
	expect_rc 143
	expect_stderr_empty
done
