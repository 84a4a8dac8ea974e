# an option given a bad value is bad usage: exit 2, the message names the option and the value; the script does not run
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
print("ran")
LUA
for opt in --grace --ready-timeout; do
	for bad in abc -1 5s ''; do
		run "$opt" "$bad" s.lua
		expect_rc 2
		stderr_has "option '$opt' needs seconds, not '$bad'"
		expect_stdout_empty
	done
done
run --grace 0.5 --ready-timeout 2 s.lua
expect_rc 0
expect_stdout ran
run --log-level loud s.lua
expect_rc 2
stderr_has "--log-level is debug, info, warn or error, not 'loud'"
expect_stdout_empty
