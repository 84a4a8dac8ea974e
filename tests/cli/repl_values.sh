# aiod -i through a pipe: expressions print their values (tabs between, nil shown), statements print nothing, globals persist and locals do not
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/repl_lib.bash"
repl <<'IN'
1 + 1
1, nil, "x"
nil
x = 5

x
local y = 3
y
=x * 2
print("printed")
string.format("%d%%", 50)
setmetatable({}, {__tostring = function() return "custom" end})
IN
expect_rc 0
expect_stdout 2 "1	nil	x" nil 5 nil 10 printed "50%" custom
expect_stderr_empty
