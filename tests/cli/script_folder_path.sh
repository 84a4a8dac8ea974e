# a module next to the script is found from any working directory (systemd starts services in /): the script's folder comes first on package.path and package.cpath
. "$(dirname "$0")/lib.bash"
mkdir -p "$T/app/pkg" "$T/elsewhere"
echo 'return "mymod next to the script"' >"$T/app/mymod.lua"
echo 'return "pkg/init.lua next to the script"' >"$T/app/pkg/init.lua"
echo 'return "the wrong mymod"' >"$T/elsewhere/mymod.lua"
script app/s.lua <<'LUA'
print((require "mymod"))
print((require "pkg"))
local dir = arg[0]:match("^(.*)/")
local path, cpath = dir .. "/?.lua;" .. dir .. "/?/init.lua;", dir .. "/?.so;"
print(package.path:sub(1, #path) == path)
print(package.cpath:sub(1, #cpath) == cpath)
LUA
(cd "$T/elsewhere" && timeout 10 "$AIOD" "$T/app/s.lua" </dev/null >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "mymod next to the script" "pkg/init.lua next to the script" true true
(cd / && timeout 10 "$AIOD" "$T/app/s.lua" </dev/null >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
stdout_has "mymod next to the script"
