/* l_generation.c -- aiod's generations of tasks: which task belongs to which reload, and cancelling by generation */
#include "l_generation.h"
#include "l_task.h"

#include <limits.h>
#include <stdlib.h>
#include <time.h>

/* generation_of([task]) -> the task's generation (default: the running
 * task's, or the newest outside a task) */
static int l_generation_of(lua_State *L)
{
	if (!lua_isnoneornil(L, 1)) {
		lua_pushinteger(L, ((struct l_task *)luaL_checkudata(L, 1, LAIO_TASK))->gen);
		return 1;
	}
	struct l_loop *loop = laio_push_running_loop(L);
	lua_pushinteger(L, loop->current ? loop->current->gen : loop->gen);
	return 1;
}

/* set_generation(n): the newest generation, for tasks made outside a task */
static int l_set_generation(lua_State *L)
{
	struct l_loop *loop = laio_push_running_loop(L);
	lua_Integer n = luaL_checkinteger(L, 1);
	luaL_argcheck(L, n >= 0, 1, "generation must not be negative");
	loop->gen = (unsigned)n;
	return 0;
}

/* spawn_in(gen, serving, fn, ...) -> a task of that generation */
static int l_spawn_in(lua_State *L)
{
	lua_Integer gen = luaL_checkinteger(L, 1);
	int serving = lua_toboolean(L, 2);
	luaL_checkany(L, 3);
	struct l_loop *loop = laio_push_running_loop(L);
	lua_replace(L, 2);
	int nargs = lua_gettop(L) - 3;
	struct l_task *t = laio_new_task(L, loop, nargs);
	t->gen = (unsigned)gen;
	t->serving = (unsigned char)serving;
	return 1;
}

/* set_control(task, on): the task's steps run in the loop's control lane
 * (before the next ready call) from now on, or no longer */
static int l_set_control(lua_State *L)
{
	struct l_task *t = luaL_checkudata(L, 1, LAIO_TASK);
	t->control = (unsigned char)lua_toboolean(L, 2);
	if (t->control && t->fut.loop->rt)
		aio_call_hurry(t->fut.loop->rt, &t->timer.call);
	return 0;
}

/* Cancels the unfinished tasks match(t, a, b, c) picks; pushes how many. */
static int cancel_matching(lua_State *L, int (*match)(const struct l_task *t, lua_Integer a,
						      lua_Integer b, int c),
			   lua_Integer a, lua_Integer b, int c)
{
	struct l_loop *loop = laio_push_running_loop(L);
	lua_pushnil(L);		/* no message */
	int msg = lua_gettop(L), n = 0;
	/* A cancel may finish a task and unlink it: take the next one first. */
	for (struct l_link *k = loop->tasks.next, *next; k != &loop->tasks; k = next) {
		next = k->next;
		struct l_task *t = aio_container_of(k, struct l_task, link);
		if (!match(t, a, b, c))
			continue;
		lua_rawgeti(L, LUA_REGISTRYINDEX, t->fut.ref);
		n += laio_task_cancel(L, lua_gettop(L), msg);
		lua_pop(L, 1);
	}
	lua_pushinteger(L, n);
	return 1;
}

static int in_generations(const struct l_task *t, lua_Integer lo, lua_Integer hi, int serving)
{
	return t->gen >= lo && t->gen <= hi && (!t->serving || serving);
}

/* cancel_generations(lo, hi, include_serving) -> how many were cancelled */
static int l_cancel_generations(lua_State *L)
{
	lua_Integer lo = luaL_checkinteger(L, 1), hi = luaL_checkinteger(L, 2);
	return cancel_matching(L, in_generations, lo, hi, lua_toboolean(L, 3));
}

static int in_session(const struct l_task *t, lua_Integer id, lua_Integer unused, int unused_too)
{
	(void)unused;
	(void)unused_too;
	return t->session == id;
}

/* set_session(task, id): the task, and the tasks it makes, belong to aiod
 * attach's session id (1-65535) */
static int l_set_session(lua_State *L)
{
	struct l_task *t = luaL_checkudata(L, 1, LAIO_TASK);
	lua_Integer id = luaL_checkinteger(L, 2);
	luaL_argcheck(L, id > 0 && id <= USHRT_MAX, 2, "session out of range");
	t->session = (unsigned short)id;
	return 0;
}

/* cancel_session(id) -> how many of the session's tasks were cancelled */
static int l_cancel_session(lua_State *L)
{
	return cancel_matching(L, in_session, luaL_checkinteger(L, 1), 0, 0);
}

/* count_generations(lo, hi, serving_only) -> unfinished tasks of those generations */
static int l_count_generations(lua_State *L)
{
	lua_Integer lo = luaL_checkinteger(L, 1), hi = luaL_checkinteger(L, 2);
	int serving_only = lua_toboolean(L, 3);
	struct l_loop *loop = laio_push_running_loop(L);
	lua_Integer n = 0;
	for (struct l_link *k = loop->tasks.next; k != &loop->tasks; k = k->next) {
		struct l_task *t = aio_container_of(k, struct l_task, link);
		n += t->gen >= lo && t->gen <= hi && (t->serving || !serving_only);
	}
	lua_pushinteger(L, n);
	return 1;
}

/* wallclock() -> seconds since the epoch, with a fraction, for log lines */
static int l_wallclock(lua_State *L)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
	return 1;
}

/* realpath(path) -> the absolute path, or nil */
static int l_realpath(lua_State *L)
{
	char buf[PATH_MAX];
	if (!realpath(luaL_checkstring(L, 1), buf))
		return 0;
	lua_pushstring(L, buf);
	return 1;
}

const luaL_Reg laio_generation_functions[] = {
	{"wallclock", l_wallclock},
	{"realpath", l_realpath},
	{"generation_of", l_generation_of},
	{"set_generation", l_set_generation},
	{"spawn_in", l_spawn_in},
	{"set_control", l_set_control},
	{"cancel_generations", l_cancel_generations},
	{"set_session", l_set_session},
	{"cancel_session", l_cancel_session},
	{"count_generations", l_count_generations},
	{NULL, NULL}
};
