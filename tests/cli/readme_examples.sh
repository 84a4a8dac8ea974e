# The docs' examples run: every ```lua block and every ```console session in README.md and
# docs/*.md, output compared; and every relative link among them finds its file and heading
#
# The conventions, for whoever edits README.md or a docs/ page:
# - A ```lua block is a whole script. It is run as `aiod example.lua` in an empty
#   folder (10 s limit, stdin from /dev/null) and must exit 0. When the next
#   block after it (blank lines between are allowed) is an ```output block, the
#   script's stdout must equal that block exactly.
# - ```lua fragment marks a block that is not a whole script (a list of calls,
#   names that the reader fills in); it is not run.
# - A ```console block is a shell session: each line starting with "$ " is run
#   by bash in an empty folder with this aiod first in PATH, and the lines up
#   to the next "$ " must equal what it prints (stdout and stderr together).
#   Other shell blocks (```sh, plain ```) are not run.
# - Links: [text](page.md#anchor) and [text](#anchor) must name a file that
#   exists and a heading in it (doc_links.lua says how anchors are made).
# README (env) names one other file to check instead, e.g. to see this test fail.
. "$(dirname "$0")/lib.bash"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -n "${README:-}" ]; then files=("$README"); else files=("$root/README.md" "$root"/docs/*.md); fi
for f in "${files[@]}"; do [ -f "$f" ] || fail "no $f"; done

mkdir "$T/bin"
ln -s "$AIOD" "$T/bin/aiod"
failures=0 ran=0 skipped=0 runs=0

# report LINE WHAT FILE_OR_EMPTY: one failed example, with what it printed
report() {
	echo "${file#"$root"/}:$1: $2"
	if [ -n "${3:-}" ]; then sed 's/^/    | /' "$3" | head -n 20; fi
	failures=$((failures + 1))
}

# run_lua LINE: run $T/example.lua (written by the parser), check $T/want if there is one
run_lua() {
	local dir=$T/run$((runs += 1)) rc
	mkdir "$dir"
	cp "$T/example.lua" "$dir/example.lua"
	(cd "$dir" && timeout 10 "$AIOD" example.lua </dev/null >"$T/got" 2>"$T/err")
	rc=$?
	ran=$((ran + 1))
	if [ "$rc" != 0 ]; then
		cat "$T/got" "$T/err" >"$T/both"
		report "$1" "the lua example exited $rc" "$T/both"
	elif [ -f "$T/want" ] && ! cmp -s "$T/want" "$T/got"; then
		diff "$T/want" "$T/got" >"$T/diff"
		report "$1" "the lua example's output differs from its output block (< the doc, > aiod)" "$T/diff"
	fi
	rm -f "$T/want"
}

# run_console LINE: run each "$ " command of $T/session, compare what it prints
run_console() {
	local dir=$T/run$((runs += 1)) line cmd=
	mkdir "$dir"
	: >"$T/want"
	# run_command: run $cmd (if any) and compare with $T/want
	run_command() {
		[ -n "$cmd" ] || return 0
		(cd "$dir" && PATH=$T/bin:$PATH timeout 10 bash -c "$cmd" </dev/null >"$T/got" 2>&1)
		ran=$((ran + 1))
		if ! cmp -s "$T/want" "$T/got"; then
			diff "$T/want" "$T/got" >"$T/diff"
			report "$1" "\`$cmd\` prints other than the doc shows (< the doc, > aiod)" "$T/diff"
		fi
		: >"$T/want"
	}
	while IFS= read -r line; do
		if [[ $line == '$ '* ]]; then
			run_command "$1"
			cmd=${line#'$ '}
		else
			printf '%s\n' "$line" >>"$T/want"
		fi
	done <"$T/session"
	run_command "$1"
	rm -f "$T/want"
}

# check_file FILE: the parser, a small state machine over FILE's lines. pending
# holds the line of a lua block that ran without an output block yet; it runs
# when something other than a blank line or an ```output block comes next.
check_file() {
file=$1 state=text pending= n=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	case $state in
	text)
		if [[ $line == '```output' && -n $pending ]]; then
			state=output; : >"$T/want"; continue
		fi
		if [[ -n $pending && -n ${line// /} ]]; then run_lua "$pending"; pending=; fi
		case $line in
		'```lua fragment'*) state=skip; skipped=$((skipped + 1)) ;;
		'```lua') state=lua; start=$n; : >"$T/example.lua" ;;
		'```lua '*) report "$n" "unknown lua block kind: $line (\`\`\`lua or \`\`\`lua fragment)" ;;
		'```console') state=console; start=$n; : >"$T/session" ;;
		'```'*) state=skip ;;
		esac ;;
	lua)
		if [[ $line == '```' ]]; then state=text; pending=$start
		else printf '%s\n' "$line" >>"$T/example.lua"; fi ;;
	output)
		if [[ $line == '```' ]]; then state=text; run_lua "$pending"; pending=
		else printf '%s\n' "$line" >>"$T/want"; fi ;;
	console)
		if [[ $line == '```' ]]; then state=text; run_console "$start"
		else printf '%s\n' "$line" >>"$T/session"; fi ;;
	skip)
		[[ $line == '```' ]] && state=text ;;
	esac
done <"$file"
[ -n "$pending" ] && run_lua "$pending"
[ "$state" = text ] || report "$n" "a block is not closed"
}

for f in "${files[@]}"; do check_file "$f"; done
(cd "$root" && "$AIOD" "$here/doc_links.lua" "${files[@]#"$root"/}") >"$T/links" 2>&1 ||
	{ cat "$T/links"; failures=$((failures + 1)); }

echo "${#files[@]} files: $ran examples run, $skipped fragments not run, $failures failed; $(tail -n 1 "$T/links")"
[ "$ran" -gt 0 ] || fail "no example found: has the fence convention changed?"
[ "$failures" = 0 ]
