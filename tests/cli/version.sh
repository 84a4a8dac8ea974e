# aiod -v and --version print a version line naming aiod on stdout and exit 0
. "$(dirname "$0")/lib.bash"
for opt in -v --version; do
	run "$opt"
	expect_rc 0
	stdout_has aiod
done
