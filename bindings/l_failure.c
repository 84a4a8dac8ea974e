/* l_failure.c -- the text that shows where an error came from: its frames, the awaited tasks it passed through, an ExceptionGroup as a tree */
#include "l_failure.h"
#include "l_task.h"

#include <string.h>

/* An ExceptionGroup prints at most this many of its errors, this deep, as Python does. */
#define GROUP_MAX_WIDTH 15
#define GROUP_MAX_DEPTH 10
/* Awaited tasks followed back to where an error began, at most. */
#define CHAIN_MAX 32

/*
 * [-0, +1] The traceback string at idx (or nothing) under header: its own
 * "stack traceback:" line gives way to header, and the "[C]: in ?" line
 * that every task's coroutine ends with is dropped as noise.
 */
static void push_frames(lua_State *L, int idx, const char *header)
{
	idx = lua_absindex(L, idx);
	size_t len = 0;
	const char *tb = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, &len) : "";
	static const char first[] = "stack traceback:\n";
	static const char last[] = "\n\t[C]: in ?";
	if (len >= sizeof first - 1 && memcmp(tb, first, sizeof first - 1) == 0) {
		tb += sizeof first - 1;
		len -= sizeof first - 1;
	}
	if (len >= sizeof last - 1 && memcmp(tb + len - (sizeof last - 1), last, sizeof last - 1) == 0)
		len -= sizeof last - 1;
	lua_pushfstring(L, "\n%s\n", header);
	lua_pushlstring(L, tb, len);
	lua_concat(L, 2);
}

/* [-0, +1] The task's error, when it failed (else nil). */
static void push_task_error(lua_State *L, int task_idx)
{
	struct l_future *f = lua_touserdata(L, task_idx);
	if (f->failed)
		laio_push_exception(L, task_idx);
	else
		lua_pushnil(L);
}

/* [-0, +1] A "stack traceback of task 'name':" header. */
static void push_task_header(lua_State *L, int task_idx, const char *what)
{
	laio_push_task_name(L, task_idx);
	lua_pushfstring(L, "%s task '%s':", what, lua_tostring(L, -1));
	lua_remove(L, -2);
}

static void push_report(lua_State *L, int err, int task, int tb, int depth);

/* [-0, +1] Each error of the group at err, indented, as Python draws the tree. */
static void push_group_tree(lua_State *L, int err, int depth)
{
	int base = lua_gettop(L);
	if (depth >= GROUP_MAX_DEPTH) {
		lua_pushfstring(L, "\n... (max ExceptionGroup depth is %d)", GROUP_MAX_DEPTH);
		return;
	}
	lua_getfield(L, err, "exceptions");
	lua_getfield(L, err, "_tasks");
	int excs = base + 1, tasks = base + 2;
	if (!lua_istable(L, excs)) {
		lua_settop(L, base);
		lua_pushliteral(L, "");
		return;
	}
	lua_getfield(L, excs, "n");
	lua_Integer n = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : (lua_Integer)lua_rawlen(L, excs);
	lua_pop(L, 1);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (lua_Integer i = 1; i <= n && i <= GROUP_MAX_WIDTH; i++) {
		lua_pushfstring(L, i == 1 ? "\n+-+---------------- %I ----------------\n"
					  : "\n  +---------------- %I ----------------\n", i);
		luaL_addvalue(&b);
		lua_rawgeti(L, excs, i);
		int member = lua_gettop(L);
		int has_task = lua_istable(L, tasks) && lua_rawgeti(L, tasks, i) == LUA_TUSERDATA &&
			       luaL_testudata(L, -1, LAIO_TASK);
		if (lua_istable(L, tasks) && !has_task)
			lua_pop(L, 1);
		push_report(L, member, has_task ? member + 1 : 0, 0, depth + 1);
		lua_pushliteral(L, "  | ");
		luaL_gsub(L, lua_tostring(L, -2), "\n", "\n  | ");
		lua_concat(L, 2);
		lua_replace(L, member);
		lua_settop(L, member);
		luaL_addvalue(&b);
	}
	if (n > GROUP_MAX_WIDTH) {
		lua_pushfstring(L, "\n  +---------------- ... ----------------\n"
				   "  | and %I more exception%s", n - GROUP_MAX_WIDTH,
				n - GROUP_MAX_WIDTH == 1 ? "" : "s");
		luaL_addvalue(&b);
	}
	luaL_addstring(&b, "\n  +------------------------------------");
	luaL_pushresult(&b);
	lua_insert(L, base + 1);
	lua_settop(L, base + 1);
}

/*
 * [-0, +1] What laio_push_failure makes, at a depth of group nesting. The
 * frames come from the innermost task of the await chain: the tasks whose
 * own error this same value is, each found through the 'awaited' field its
 * awaiter kept when the error was re-raised in it.
 */
static void push_report(lua_State *L, int err, int task, int tb, int depth)
{
	int base = lua_gettop(L);
	luaL_checkstack(L, CHAIN_MAX + 10, "error report");
	int chain = base + 1, n = 0;
	if (task) {
		lua_pushvalue(L, task);
		for (n = 1; n < CHAIN_MAX; n++) {
			laio_get_extra(L, chain + n - 1, "awaited");
			if (!luaL_testudata(L, -1, LAIO_TASK)) {
				lua_pop(L, 1);
				break;
			}
			push_task_error(L, lua_gettop(L));
			int same = lua_rawequal(L, -1, err);
			lua_pop(L, same ? 1 : 2);
			if (!same)
				break;
		}
	}
	luaL_tolstring(L, err, NULL);
	int pieces = 1;
	/* The innermost frames: an error object's own, else its task's. */
	int own = 0;
	if (lua_istable(L, err)) {
		own = lua_getfield(L, err, "traceback") == LUA_TSTRING;
		if (!own)
			lua_pop(L, 1);
	}
	if (!own) {
		if (n > 1)
			laio_get_extra(L, chain + n - 1, "traceback");
		else if (tb)
			lua_pushvalue(L, tb);
		else if (task)
			laio_get_extra(L, task, "traceback");
		else
			lua_pushnil(L);
	}
	int frames = lua_gettop(L);
	if (lua_isnil(L, frames) && n == 0) {
		lua_pop(L, 1);
	} else {
		if (n > 0)
			push_task_header(L, chain + n - 1, "stack traceback of");
		else
			lua_pushliteral(L, "stack traceback:");
		push_frames(L, frames, lua_tostring(L, -1));
		lua_replace(L, frames);
		lua_pop(L, 1);
		pieces++;
	}
	/* Then each awaiter, out to the task the report is about. */
	for (int k = n - 2; k >= 0; k--) {
		if (k == 0 && tb)
			lua_pushvalue(L, tb);
		else
			laio_get_extra(L, chain + k, "traceback");
		push_task_header(L, chain + k, "awaited by");
		push_frames(L, -2, lua_tostring(L, -1));
		lua_replace(L, -3);
		lua_pop(L, 1);
		pieces++;
	}
	if (laio_is_error(L, err, "ExceptionGroup")) {
		push_group_tree(L, err, depth);
		pieces++;
	}
	lua_concat(L, pieces);
	lua_insert(L, base + 1);
	lua_settop(L, base + 1);
}

void laio_push_failure(lua_State *L, int err_idx, int task_idx, int tb_idx)
{
	err_idx = lua_absindex(L, err_idx);
	task_idx = task_idx ? lua_absindex(L, task_idx) : 0;
	tb_idx = tb_idx ? lua_absindex(L, tb_idx) : 0;
	push_report(L, err_idx, task_idx, tb_idx, 0);
}

/* internals.describe_error(err [, traceback [, task]]): laio_push_failure for the Lua parts. */
int laio_describe_error(lua_State *L)
{
	luaL_checkany(L, 1);
	lua_settop(L, 3);
	int task = luaL_testudata(L, 3, LAIO_TASK) ? 3 : 0;
	laio_push_failure(L, 1, task, lua_isstring(L, 2) ? 2 : 0);
	return 1;
}
