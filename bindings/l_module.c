/* l_module.c -- luaopen_asyncio: assembles the C classes and the Lua part into one module */
#include "l_coro.h"
#include "l_dgram.h"
#include "l_fdwatch.h"
#include "l_gather.h"
#include "l_generation.h"
#include "l_handle.h"
#include "l_traceback.h"
#include "l_inspect.h"
#include "l_loop_class.h"
#include "l_net.h"
#include "l_plugin.h"
#include "l_process.h"
#include "l_queue.h"
#include "l_thread.h"
#include "l_watch.h"
#include "laio.h"

#include <string.h>

/* The Lua parts, as bytecode embedded by l_embed.c, in loading order:
 * asyncio.lua first (error classes, helpers the others use). */
extern const char laio_asyncio_lua[], laio_tasks_lua[], laio_locks_lua[], laio_queues_lua[],
	laio_streams_lua[], laio_takeover_lua[], laio_datagrams_lua[], laio_processes_lua[], laio_run_process_lua[], laio_ssl_lua[], laio_http_lua[],
	laio_daemon_lua[];
extern const unsigned laio_asyncio_lua_size, laio_tasks_lua_size, laio_locks_lua_size, laio_queues_lua_size,
	laio_streams_lua_size, laio_takeover_lua_size, laio_datagrams_lua_size, laio_processes_lua_size, laio_run_process_lua_size, laio_ssl_lua_size,
	laio_http_lua_size, laio_daemon_lua_size;

/*
 * asyncio.lua loads with the module; the other parts load the first time a
 * name they define is looked up, so a script that never makes a Queue or a
 * TaskGroup does not pay for loading them in its start-up. A part may also
 * define internals, which the other parts look up in the same way
 * (streams.lua asks for ssl.lua's default_client_context).
 */
static const struct {
	const char *chunkname;
	const char *code;
	const unsigned *size;
	const char *defines;	/* space-separated, for the lazy parts */
	const char *internals;	/* space-separated, or NULL */
} lua_parts[] = {
	{"=asyncio.lua", laio_asyncio_lua, &laio_asyncio_lua_size, NULL, NULL},
	{"=tasks.lua", laio_tasks_lua, &laio_tasks_lua_size,
	 " timeout timeout_at wait_for shield wait as_completed FIRST_COMPLETED"
	 " FIRST_EXCEPTION ALL_COMPLETED TaskGroup Runner run ", NULL},
	{"=locks.lua", laio_locks_lua, &laio_locks_lua_size,
	 " Lock Event Condition Semaphore BoundedSemaphore Barrier ", NULL},
	{"=queues.lua", laio_queues_lua, &laio_queues_lua_size,
	 " Queue PriorityQueue LifoQueue ", NULL},
	{"=streams.lua", laio_streams_lua, &laio_streams_lua_size,
	 " open_connection open_unix_connection start_server start_unix_server Server"
	 " connect_read_pipe connect_write_pipe ", NULL},
	{"=takeover.lua", laio_takeover_lua, &laio_takeover_lua_size, " ", " takeover "},
	{"=datagrams.lua", laio_datagrams_lua, &laio_datagrams_lua_size,
	 " open_datagram_endpoint ", NULL},
	{"=processes.lua", laio_processes_lua, &laio_processes_lua_size,
	 " create_subprocess_exec create_subprocess_shell Process PIPE STDOUT DEVNULL ", NULL},
	{"=run_process.lua", laio_run_process_lua, &laio_run_process_lua_size,
	 " run_process CompletedProcess ", NULL},
	{"=ssl.lua", laio_ssl_lua, &laio_ssl_lua_size, " ssl ",
	 " is_sslcontext default_client_context _decode_cert_file start_tls "},
	{"=http.lua", laio_http_lua, &laio_http_lua_size, " http ", NULL},
};

#define NPARTS (sizeof lua_parts / sizeof *lua_parts)

/* The module and the internals hold some 40 and 50 names once asyncio.lua
 * has run: sized for them at once, not rebuilt at each doubling. */
#define START_SLOTS 64

/* Runs part i with the module and the internals table as its arguments. */
static void load_part(lua_State *L, size_t i, int module, int internals)
{
	if (luaL_loadbufferx(L, lua_parts[i].code, *lua_parts[i].size,
			     lua_parts[i].chunkname, "b") != LUA_OK)
		lua_error(L);
	lua_pushvalue(L, module);
	lua_pushvalue(L, internals);
	lua_call(L, 2, 0);
}

/* Whether the space-separated list names key ("wait" is not "wait_for"). */
static int defines(const char *list, const char *key)
{
	size_t len = strlen(key);
	for (const char *at = strstr(list, key); at; at = strstr(at + 1, key))
		if (at > list && at[-1] == ' ' && at[len] == ' ')
			return 1;
	return 0;
}

/* Loads part i unless it is loaded: upvalue 2 of both lazy indexes is the
 * table of the parts loaded; module and internals are stack indexes. */
static void load_once(lua_State *L, size_t i, int module, int internals)
{
	lua_rawgeti(L, lua_upvalueindex(2), (lua_Integer)i);
	int loaded = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (loaded)
		return;
	lua_pushboolean(L, 1);
	lua_rawseti(L, lua_upvalueindex(2), (lua_Integer)i);
	load_part(L, i, module, internals);
}

/* The module's __index: upvalue 1 the internals, upvalue 2 the parts loaded. */
static int lazy_index(lua_State *L)
{
	const char *key = lua_tostring(L, 2);
	if (!key || lua_type(L, 2) != LUA_TSTRING)
		return 0;
	for (size_t i = 1; i < NPARTS; i++) {
		if (!defines(lua_parts[i].defines, key))
			continue;
		load_once(L, i, 1, lua_upvalueindex(1));
		lua_rawget(L, 1);
		return 1;
	}
	return 0;
}

/* The internals' __index: upvalue 1 the module, upvalue 2 the parts loaded. */
static int lazy_internal_index(lua_State *L)
{
	const char *key = lua_tostring(L, 2);
	if (!key || lua_type(L, 2) != LUA_TSTRING)
		return 0;
	for (size_t i = 1; i < NPARTS; i++) {
		if (!lua_parts[i].internals || !defines(lua_parts[i].internals, key))
			continue;
		load_once(L, i, lua_upvalueindex(1), 1);
		lua_rawget(L, 1);
		return 1;
	}
	return 0;
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

/* name_methods(tname, methods), for classes made outside laio_new_class. */
static int l_name_methods(lua_State *L)
{
	const char *tname = luaL_checkstring(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
	laio_name_methods(L, tname);
	return 0;
}

static int l_running_loop(lua_State *L)
{
	laio_running_loop(L);
	return 1;
}

static const luaL_Reg internals[] = {
	{"register_errors", l_register_errors},
	{"set_cancel_handler", l_set_cancel_handler},
	{"kind", l_kind},
	{"name_methods", l_name_methods},
	{"running_loop", l_running_loop},
	{"all_tasks", laio_loop_all_tasks},
	{"gather_future", laio_gather_future},
	{"open_net", laio_open_net},
	{"open_dgram", laio_open_dgram},
	{"open_process", laio_open_process},
	{"open_queue", laio_open_queue},
	{"open_ssl", laio_open_ssl},
	{"open_http", laio_open_http},
	{"describe_error", laio_describe_error},
	{"traceback", laio_l_traceback},
	{NULL, NULL}
};

int laio_open_daemon(lua_State *L)
{
	luaL_requiref(L, "asyncio", luaopen_asyncio, 0);
	if (luaL_loadbufferx(L, laio_daemon_lua, laio_daemon_lua_size, "=daemon.lua", "b") != LUA_OK)
		return lua_error(L);
	lua_insert(L, -2);
	lua_getfield(L, LUA_REGISTRYINDEX, LAIO_INTERNALS);
	lua_call(L, 2, 1);
	return 1;
}

int luaopen_asyncio(lua_State *L)
{
	if (lua_getfield(L, LUA_REGISTRYINDEX, LAIO_MODULE) == LUA_TTABLE)
		return 1;
	lua_settop(L, 0);
	laio_new_state(L);
	lua_createtable(L, 0, START_SLOTS);	/* 2: the module */
	laio_open_handle(L, 1);
	laio_future_set_describer(laio_push_failure);
	laio_open_future(L, 1);
	laio_open_task(L, 1);
	laio_open_coro(L, 1, laio_await);
	laio_open_gather(L, 1);
	laio_open_loop(L, 1);
	laio_open_thread(L, 1);
	laio_open_getaddrinfo(L, 1);
	laio_open_fdwatch(L, 1);
	lua_createtable(L, 0, START_SLOTS);	/* 3: handed to every Lua part */
	lua_pushvalue(L, 1);
	luaL_setfuncs(L, internals, 1);
	luaL_setfuncs(L, laio_generation_functions, 0);
	luaL_setfuncs(L, laio_watch_functions, 0);
	luaL_setfuncs(L, laio_inspect_functions, 0);
	lua_pushvalue(L, 3);
	lua_setfield(L, LUA_REGISTRYINDEX, LAIO_INTERNALS);
	load_part(L, 0, 2, 3);
	lua_newtable(L);	/* 4: the parts loaded */
	lua_createtable(L, 0, 1);	/* the module's metatable */
	lua_pushvalue(L, 3);
	lua_pushvalue(L, 4);
	lua_pushcclosure(L, lazy_index, 2);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, 2);
	lua_createtable(L, 0, 1);	/* the internals' metatable */
	lua_pushvalue(L, 2);
	lua_pushvalue(L, 4);
	lua_pushcclosure(L, lazy_internal_index, 2);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, 3);
	lua_settop(L, 2);
	lua_pushvalue(L, 2);
	lua_setfield(L, LUA_REGISTRYINDEX, LAIO_MODULE);
	return 1;
}
