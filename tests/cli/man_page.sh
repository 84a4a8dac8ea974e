# man/aiod.1 renders without a warning (groff -ww, man -l) and names every option of aiod --help, every command, the signals, the environment and the files
. "$(dirname "$0")/lib.bash"
page=$(cd "$(dirname "$0")/../.." && pwd)/man/aiod.1
command -v groff >/dev/null && command -v man >/dev/null || { echo "skipped: no groff or man"; exit 77; }

groff -man -ww -z "$page" 2>"$T/warnings" || fail "groff failed"
[ ! -s "$T/warnings" ] || { cat "$T/warnings"; fail "groff -ww warns"; }
LC_ALL=C MANWIDTH=80 MANPAGER=cat man --warnings -l "$page" >"$T/page" 2>"$T/warnings" || fail "man -l failed"
[ ! -s "$T/warnings" ] || { cat "$T/warnings"; fail "man --warnings warns"; }
for section in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS "THE PROMPT" "HOT RELOAD" SIGNALS "EXIT STATUS" \
	ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
	grep -qx "$section" "$T/page" || fail "the rendered page has no section $section"
done

# The source, as plain words: rendering may break a line at an option's hyphen.
sed 's/\\-/-/g' "$page" >"$T/words"
run --help
expect_rc 0
options=$(grep -oE '(^|[ ,])--?[a-z][-a-z]*' "$OUT" | tr -d ' ,' | sort -u)
[ -n "$options" ] || fail "no options in aiod --help"
for opt in $options ps pstree stack stats reload attach --json SIGTERM SIGINT SIGHUP SIGUSR1 \
	XDG_RUNTIME_DIR NOTIFY_SOCKET WATCHDOG_USEC SSL_CERT_FILE SSL_CERT_DIR http_proxy \
	.aiod_history /run/aiod/PID.sock aiod@.service; do
	grep -qF -- "$opt" "$T/words" || fail "man/aiod.1 does not name $opt"
done
