# aiod -h and --help print the usage on stdout and exit 0
. "$(dirname "$0")/lib.bash"
for opt in -h --help; do
	run "$opt"
	expect_rc 0
	grep -qi usage "$OUT" || fail "$opt: stdout has no usage"
	stdout_has aiod
done
