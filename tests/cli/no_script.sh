# aiod without a script prints the usage on stderr and exits 2
. "$(dirname "$0")/lib.bash"
run
expect_rc 2
stderr_has_i usage
