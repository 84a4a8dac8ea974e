/* l_coro.c -- asyncio.async: async functions and the coroutine objects they return */
#include "l_coro.h"

struct l_coro {
	int nargs;
	unsigned char used;	/* awaited or wrapped in a task already */
};

int laio_coro_unpack(lua_State *L, int idx)
{
	struct l_coro *c = luaL_checkudata(L, idx, LAIO_COROUTINE);
	idx = lua_absindex(L, idx);
	if (c->used) {
		/* Python's words, without a position: the caller may be a Lua
		 * part of asyncio (wait_for, shield), not the script. */
		lua_pushliteral(L, "cannot reuse already awaited coroutine");
		return lua_error(L);
	}
	c->used = 1;
	luaL_checkstack(L, c->nargs + 1, "too many arguments");
	for (int i = 1; i <= c->nargs + 1; i++) {
		lua_getiuservalue(L, idx, i);
		lua_pushnil(L);
		lua_setiuservalue(L, idx, i);
	}
	return c->nargs;
}

/* Calling an async function: capture fn and the arguments, run nothing. */
static int l_async_call(lua_State *L)
{
	int nargs = lua_gettop(L);
	if (nargs > LAIO_MAX_USER_VALUES - 1)
		return luaL_error(L, "too many arguments (more than %d)", LAIO_MAX_USER_VALUES - 1);
	struct l_coro *c = lua_newuserdatauv(L, sizeof *c, nargs + 1);
	c->nargs = nargs;
	c->used = 0;
	luaL_setmetatable(L, LAIO_COROUTINE);
	lua_insert(L, 1);
	for (int i = nargs + 1; i >= 2; i--)
		lua_setiuservalue(L, 1, i);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_setiuservalue(L, 1, 1);
	return 1;
}

/* asyncio.async(fn) */
static int l_async(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_settop(L, 1);
	lua_pushcclosure(L, l_async_call, 1);
	return 1;
}

static int l_coro_tostring(lua_State *L)
{
	struct l_coro *c = luaL_checkudata(L, 1, LAIO_COROUTINE);
	lua_pushstring(L, c->used ? "<coroutine (used)>" : "<coroutine>");
	return 1;
}

void laio_open_coro(lua_State *L, int state, lua_CFunction await)
{
	static const luaL_Reg *const methods[] = {NULL};
	static const luaL_Reg metamethods[] = {
		{"__tostring", l_coro_tostring},
		{NULL, NULL}
	};
	laio_new_class(L, LAIO_COROUTINE, state, methods, metamethods);
	luaL_getmetatable(L, LAIO_COROUTINE);
	lua_getfield(L, -1, "__index");
	lua_pushvalue(L, state);
	lua_pushcclosure(L, await, 1);
	lua_setfield(L, -2, "await");
	lua_pop(L, 2);
	lua_pushcfunction(L, l_async);
	lua_setfield(L, -2, "async");
}
