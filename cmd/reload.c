/* reload.c -- the program's side of hot reload: loading daemon.lua's controller when needed, SIGHUP, readiness */
#include "reload.h"
#include "laio.h"
#include "notify.h"
#include "signals.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * daemon.lua's reload controller loads only when needed (a SIGHUP,
 * --watch, require "aiod"), so a script that never reloads does not pay
 * for it at start-up. Until then generation 1's readiness is told here.
 */
static int daemon_ref = LUA_NOREF;
static int ready_sent;
static int is_service;

void reload_generation_one_ready(lua_State *L)
{
	if (!ready_sent) {
		ready_sent = 1;
		notify_with_status(L, "READY=1");
	}
}

int reload_is_service(void)
{
	return is_service;
}

int reload_hup_reloads(void)
{
	return opts.script_path && !opts.no_reload && (opts.watch || is_service);
}

/* internals.became_service(): a server started, or aiod.ready() */
static int l_became_service(lua_State *L)
{
	(void)L;
	if (is_service)
		return 0;
	is_service = 1;
	if (!reload_hup_reloads())
		return 0;
	aio_signal_set_stop(SIGHUP, 0);
	/* aiod left a SIGHUP ignored at start (nohup) ignored: a service
	 * whose reload signal silently does nothing would surprise. A
	 * script's own handler would have replaced SIG_IGN. */
	struct sigaction old;
	if (sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		fprintf(stderr, "aiod: warning: SIGHUP was ignored when aiod started (nohup?), "
				"so it will not reload this service; 'aiod reload %ld' will\n",
			(long)getpid());
	return 0;
}

static int l_ready_one(lua_State *L)
{
	reload_generation_one_ready(L);
	return 0;
}

/* internals.on_serving(gen) until the controller takes it over */
static int l_generation_serving(lua_State *L)
{
	if (luaL_checkinteger(L, 1) == 1)
		reload_generation_one_ready(L);
	return 0;
}

/* The controller's messages; READY=1 after a reload carries the status. */
static int l_notify(lua_State *L)
{
	const char *state = luaL_checkstring(L, 1);
	if (strstr(state, "READY=1"))
		notify_with_status(L, state);
	else
		aiod_notify(state);
	return 0;
}

/* [-0, +0, e] Loads and starts the controller if it is not yet. */
static void ensure_daemon(lua_State *L)
{
	if (daemon_ref != LUA_NOREF)
		return;
	laio_open_daemon(L);
	lua_getfield(L, -1, "start");
	lua_createtable(L, 0, 10);
	lua_pushstring(L, opts.script_path);
	lua_setfield(L, -2, "script");
	lua_pushstring(L, opts.script_dir);
	lua_setfield(L, -2, "dir");
	lua_getfield(L, LUA_REGISTRYINDEX, "aiod.start");
	lua_getfield(L, -1, "main");
	lua_insert(L, -2);	/* start, opts, main, saved */
	/* From now on the controller holds generation 1's main task, and lets
	 * go of it (and of what it returned) once another generation serves. */
	lua_pushnil(L);
	lua_setfield(L, -2, "main");
	lua_setfield(L, -3, "args");
	lua_pushnumber(L, opts.grace);
	lua_setfield(L, -3, "grace");
	lua_pushnumber(L, opts.ready_timeout);
	lua_setfield(L, -3, "ready_timeout");
	lua_pushstring(L, opts.log_level);
	lua_setfield(L, -3, "log_level");
	lua_pushboolean(L, opts.watch);
	lua_setfield(L, -3, "watch");
	lua_pushcfunction(L, l_notify);
	lua_setfield(L, -3, "notify");
	lua_pushcfunction(L, l_ready_one);
	lua_setfield(L, -3, "ready_one");
	lua_pushboolean(L, ready_sent);
	lua_setfield(L, -3, "ready");
	lua_call(L, 2, 0);
	daemon_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* package.preload.aiod: loads the controller, whose module it returns. */
static int l_require_aiod(lua_State *L)
{
	ensure_daemon(L);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_getfield(L, -1, "aiod");
	lua_insert(L, 1);
	lua_pop(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

int reload_log_rank(const char *level)
{
	static const char *const levels[] = {"debug", "info", "warn", "error"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(level, levels[i]))
			return i;
	return -1;
}

/*
 * internals.log(level, fmt, ...): aiod.log for the Lua parts (a TLS client
 * that failed its handshake). A line below --log-level costs a comparison;
 * one that prints loads the controller, which prints every log line (and
 * says what is wrong with a bad level).
 */
static int l_log(lua_State *L)
{
	int rank = reload_log_rank(luaL_checkstring(L, 1));
	if (rank >= 0 && rank < reload_log_rank(opts.log_level))
		return 0;
	ensure_daemon(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, daemon_ref);
	lua_getfield(L, -1, "log");
	lua_replace(L, -2);
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 0);
	return 0;
}

int reload_push_main_task(lua_State *L)
{
	if (daemon_ref == LUA_NOREF) {
		lua_getfield(L, LUA_REGISTRYINDEX, "aiod.start");
		lua_getfield(L, -1, "main");
		lua_remove(L, -2);
		return 1;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, daemon_ref);
	lua_getfield(L, -1, "main_task");
	lua_remove(L, -2);
	if (lua_pcall(L, 0, 1, 0) != LUA_OK || lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	return 1;
}

static int protected_reload(lua_State *L)
{
	ensure_daemon(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, daemon_ref);
	lua_getfield(L, -1, "reload");
	lua_call(L, 0, 0);
	return 0;
}

/*
 * internals.request_reload(on_outcome) -> true, or nil and why not: aiod
 * reload's request. It is explicit, so --no-reload (which is about SIGHUP)
 * does not refuse it; a batch script, or -e code, has nothing to reload.
 */
static int l_request_reload(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	if (!opts.script_path) {
		lua_pushnil(L);
		lua_pushliteral(L, "aiod runs -e code, not a script: nothing to reload");
		return 2;
	}
	if (!is_service && !opts.watch) {
		lua_pushnil(L);
		lua_pushliteral(L, "a batch script is not reloaded (it has started no server or endpoint and not called aiod.ready())");
		return 2;
	}
	ensure_daemon(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, daemon_ref);
	lua_getfield(L, -1, "reload");
	lua_pushvalue(L, 1);
	lua_call(L, 1, 0);
	lua_pushboolean(L, 1);
	return 1;
}

void reload_request(lua_State *L)
{
	lua_pushcfunction(L, protected_reload);
	if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
		laio_report(L, "aiod: reload:", -1);
		lua_pop(L, 1);
	}
}

void reload_setup(lua_State *L, int task, int first, int nargs)
{
	task = lua_absindex(L, task);
	lua_createtable(L, nargs, 2);
	for (int i = 0; i < nargs; i++) {
		lua_pushvalue(L, first + i);
		lua_rawseti(L, -2, i + 1);
	}
	lua_pushinteger(L, nargs);
	lua_setfield(L, -2, "n");
	lua_pushvalue(L, task);
	lua_setfield(L, -2, "main");
	lua_setfield(L, LUA_REGISTRYINDEX, "aiod.start");
	lua_getfield(L, LUA_REGISTRYINDEX, LAIO_INTERNALS);
	lua_pushcfunction(L, l_generation_serving);
	lua_setfield(L, -2, "on_serving");
	lua_pushcfunction(L, l_became_service);
	lua_setfield(L, -2, "became_service");
	lua_pushcfunction(L, l_log);
	lua_setfield(L, -2, "log");
	lua_pushcfunction(L, l_request_reload);
	lua_setfield(L, -2, "request_reload");
	lua_pop(L, 1);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(L, l_require_aiod);
	lua_setfield(L, -2, "aiod");
	lua_pop(L, 1);
	if (opts.watch)
		ensure_daemon(L);
}

