/* l_module.c -- luaopen_asyncio: assembles the C classes and the Lua part into one module */
#include "laio.h"

#include <string.h>

#define STATE_KEY "asyncio.state"

/* The Lua parts, as bytecode embedded by l_embed.c, in loading order:
 * asyncio.lua first (error classes, helpers the others use). */
extern const char laio_asyncio_lua[], laio_locks_lua[], laio_queues_lua[];
extern const unsigned laio_asyncio_lua_size, laio_locks_lua_size, laio_queues_lua_size;

static const struct {
	const char *name;
	const char *code;
	const unsigned *size;
} lua_parts[] = {
	{"=asyncio.lua", laio_asyncio_lua, &laio_asyncio_lua_size},
	{"=locks.lua", laio_locks_lua, &laio_locks_lua_size},
	{"=queues.lua", laio_queues_lua, &laio_queues_lua_size},
};

struct l_state *laio_state(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, STATE_KEY);
	struct l_state *S = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return S;
}

void laio_new_class(lua_State *L, const char *tname, int state,
		    const luaL_Reg *const methods[], const luaL_Reg *metamethods)
{
	luaL_newmetatable(L, tname);
	lua_newtable(L);
	for (; *methods; methods++) {
		lua_pushvalue(L, state);
		luaL_setfuncs(L, *methods, 1);
	}
	lua_setfield(L, -2, "__index");
	luaL_setfuncs(L, metamethods, 0);
	lua_pop(L, 1);
}

/* Private functions handed to asyncio.lua, never exported. */
static int l_register_errors(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_setfield(L, LUA_REGISTRYINDEX, LAIO_ERRORS);
	return 0;
}

static int l_set_cancel_handler(lua_State *L)
{
	laio_check_future(L, 1);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_settop(L, 2);
	laio_set_extra(L, 1, "cancel_handler");
	return 0;
}

/* What an awaitable is: "task", "future", "coroutine", "function" or nil. */
static int l_kind(lua_State *L)
{
	if (luaL_testudata(L, 1, LAIO_TASK))
		lua_pushliteral(L, "task");
	else if (luaL_testudata(L, 1, LAIO_FUTURE))
		lua_pushliteral(L, "future");
	else if (luaL_testudata(L, 1, LAIO_COROUTINE))
		lua_pushliteral(L, "coroutine");
	else if (lua_type(L, 1) == LUA_TFUNCTION)
		lua_pushliteral(L, "function");
	else if (lua_type(L, 1) == LUA_TTABLE && luaL_getmetafield(L, 1, "__call"))
		lua_pushliteral(L, "function");
	else
		lua_pushnil(L);
	return 1;
}

static int l_running_loop(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, "asyncio.running_loop");
	return 1;
}

static const luaL_Reg internals[] = {
	{"register_errors", l_register_errors},
	{"set_cancel_handler", l_set_cancel_handler},
	{"kind", l_kind},
	{"running_loop", l_running_loop},
	{"all_tasks", laio_loop_all_tasks},
	{"gather_future", laio_gather_future},
	{NULL, NULL}
};

int luaopen_asyncio(lua_State *L)
{
	if (lua_getfield(L, LUA_REGISTRYINDEX, "asyncio.module") == LUA_TTABLE)
		return 1;
	lua_settop(L, 0);
	struct l_state *S = lua_newuserdatauv(L, sizeof *S, 0);
	memset(S, 0, sizeof *S);
	lua_pushvalue(L, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, STATE_KEY);
	lua_newtable(L);	/* 2: the module */
	laio_open_handle(L, 1);
	laio_open_future(L, 1);
	laio_open_task(L, 1);
	laio_open_coro(L, 1);
	laio_open_gather(L, 1);
	laio_open_loop(L, 1);
	luaL_newlib(L, internals);	/* 3: handed to every Lua part */
	for (size_t i = 0; i < sizeof lua_parts / sizeof *lua_parts; i++) {
		if (luaL_loadbufferx(L, lua_parts[i].code, *lua_parts[i].size,
				     lua_parts[i].name, "b") != LUA_OK)
			return lua_error(L);
		lua_pushvalue(L, 2);
		lua_pushvalue(L, 3);
		lua_call(L, 2, 0);
	}
	lua_settop(L, 2);
	lua_pushvalue(L, 2);
	lua_setfield(L, LUA_REGISTRYINDEX, "asyncio.module");
	return 1;
}
