# a C module that a script requires binds to the Lua inside aiod (linked in statically and exported), even for API functions aiod itself never calls
. "$(dirname "$0")/lib.bash"
cat >"$T/probe.c" <<'C'
#include <lauxlib.h>
#include <lua.h>
static int add(lua_State *L)
{
	lua_settop(L, 2);
	lua_arith(L, LUA_OPADD);
	lua_pushstring(L, luaL_typename(L, -1));
	return 2;
}
int luaopen_probe(lua_State *L)
{
	luaL_checkversion(L);
	lua_pushcfunction(L, add);
	return 1;
}
C
${CC:-cc} -shared -fPIC $(pkg-config --cflags lua5.4) -o "$T/probe.so" "$T/probe.c" ||
	fail "cannot build the probe module"
script main.lua <<'LUA'
package.cpath = "./?.so;" .. package.cpath
local add = require "probe"
print(add(2, 40))
LUA
run main.lua
expect_rc 0
expect_stdout "42	number"
