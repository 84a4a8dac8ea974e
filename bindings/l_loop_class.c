/* l_loop_class.c -- asyncio's Loop class: running it, stopping it, closing it, time, signals, and the module's loop functions */
#include "l_loop_class.h"
#include "l_idle_gc.h"
#include "l_coro.h"
#include "l_handle.h"
#include "l_task.h"
#include "signals.h"
#include "workers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))
#define CURRENT_KEY "asyncio.current_loop"

/* A signal handler added with loop:add_signal_handler; its user values
 * are the function and its arguments. */
struct l_sighandler {
	struct aio_signal *sig;
	struct l_loop *loop;
	int nargs;
};

static int l_new_event_loop(lua_State *L)
{
	int err = 0;
	struct l_loop *loop = lua_newuserdatauv(L, sizeof *loop, 1);
	memset(loop, 0, sizeof *loop);
	loop->S = STATE(L);
	loop->gen = 1;
	loop->tasks.next = loop->tasks.prev = &loop->tasks;
	laio_list_init(&loop->jobs);
	laio_list_init(&loop->parts);
	aio_timer_init(&loop->gc_timer);
	luaL_setmetatable(L, LAIO_LOOP);
	lua_newtable(L);	/* signal handlers by number */
	lua_setiuservalue(L, -2, 1);
	loop->rt = aio_loop_new(&err);
	if (!loop->rt)
		return luaL_error(L, "cannot create event loop: %s", strerror(-err));
	laio_idle_gc_attach(loop);
	return 1;
}

static int l_get_running_loop(lua_State *L)
{
	laio_push_running_loop(L);
	return 1;
}

static int l_set_event_loop(lua_State *L)
{
	if (!lua_isnil(L, 1))
		laio_check_loop(L, 1);
	lua_settop(L, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, CURRENT_KEY);
	return 0;
}

/* The running loop, else the one set, else a new one that becomes set. */
static int l_get_event_loop(lua_State *L)
{
	if (laio_running_loop(L))
		return 1;
	if (lua_getfield(L, LUA_REGISTRYINDEX, CURRENT_KEY) == LUA_TUSERDATA &&
	    ((struct l_loop *)lua_touserdata(L, -1))->rt)
		return 1;
	l_new_event_loop(L);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, CURRENT_KEY);
	return 1;
}

/* Done callback of run_until_complete's future. */
static int stop_when_done(lua_State *L)
{
	lua_getiuservalue(L, 1, UV_LOOP);
	laio_check_loop(L, -1)->stopping = 1;
	return 0;
}

/*
 * Whether a signal handler of the loop at 1 could still wake a task: as in
 * Python, a handler keeps the loop waiting while a task is unfinished, but
 * does not keep it running on its own.
 */
static int handler_may_wake(lua_State *L, struct l_loop *loop)
{
	if (loop->tasks.next == &loop->tasks)
		return 0;
	lua_getiuservalue(L, 1, 1);
	lua_pushnil(L);
	int any = lua_next(L, -2) != 0;
	lua_settop(L, 1);
	return any;
}

/* Turns the loop until stopped; 1 if it ran dry instead (nothing can happen). */
static int turn(lua_State *L)
{
	struct l_loop *loop = lua_touserdata(L, 1);
	while (!loop->stopping) {
		if (loop->until_tasks_done && loop->tasks.next == &loop->tasks)
			break;
		if (aio_loop_state(loop->rt) == AIO_LOOP_IDLE) {
			if (!handler_may_wake(L, loop)) {
				lua_pushboolean(L, 1);
				return 1;
			}
			/* Held for this turn only: it sleeps until a signal. */
			aio_loop_hold(loop->rt);
			aio_loop_run_once(loop->rt);
			aio_loop_release(loop->rt);
			continue;
		}
		aio_loop_run_once(loop->rt);
	}
	lua_pushboolean(L, 0);
	return 1;
}

/* The loop at idx, open and free to run; raises before anything is done
 * for the run (a task made, a callback added), as Python checks first. */
static struct l_loop *check_runnable(lua_State *L, int idx)
{
	struct l_loop *loop = laio_check_open_loop(L, idx);
	if (loop->running)
		luaL_error(L, "This event loop is already running");
	if (laio_running_loop(L))
		luaL_error(L, "Cannot run the event loop while another loop is running");
	lua_pop(L, 1);
	return loop;
}

/* [-0, +1]: runs the loop at idx; pushes whether it ran dry; re-raises. */
static int run_loop(lua_State *L, int idx)
{
	struct l_loop *loop = check_runnable(L, idx);
	lua_pushvalue(L, idx);
	loop->ref = laio_anchor(L, loop->S);
	loop->running = 1;
	loop->L = L;
	loop->S->running = loop;
	lua_pushcfunction(L, turn);
	lua_pushvalue(L, idx);
	int status = lua_pcall(L, 1, 1, 0);
	loop->running = 0;
	loop->stopping = 0;
	loop->S->running = NULL;
	loop->L = NULL;
	laio_unanchor(L, loop->S, &loop->ref);
	if (status != LUA_OK)
		return lua_error(L);
	return lua_toboolean(L, -1);
}

static int l_loop_run_until_complete(lua_State *L)
{
	laio_check_open_loop(L, 1);
	laio_check_awaitable(L, 2);
	check_runnable(L, 1);
	lua_settop(L, 2);
	laio_ensure_future(L, 2, 1);
	struct l_future *f = lua_touserdata(L, 2);
	lua_pushcfunction(L, stop_when_done);
	if (f->state == FUT_PENDING)
		laio_future_add_callback(L, 2, 3);
	int dry = run_loop(L, 1);
	if (f->state == FUT_PENDING) {
		lua_getfield(L, 2, "remove_done_callback");
		lua_pushvalue(L, 2);
		lua_pushvalue(L, 3);
		lua_call(L, 2, 0);
		if (dry)
			return luaL_error(L, "deadlock: the event loop has nothing left "
					     "that could finish %s", luaL_tolstring(L, 2, NULL));
		return luaL_error(L, "Event loop stopped before Future completed.");
	}
	lua_settop(L, 2);
	return laio_push_results(L, 2);
}

static int l_loop_run_forever(lua_State *L)
{
	run_loop(L, 1);
	return 0;
}

static int l_loop_stop(lua_State *L)
{
	laio_check_loop(L, 1)->stopping = 1;
	return 0;
}

/* What a closing loop still had queued or armed: release its owners. */
static void drop_pending(struct aio_call *call, void *ud)
{
	lua_State *L = ud;
	if (!laio_handle_drop(L, call))
		laio_task_drop(L, call);
}

static void close_loop(lua_State *L, struct l_loop *loop)
{
	/* Tasks still pending can never run again: let them be collected. */
	while (loop->tasks.next != &loop->tasks) {
		struct l_link *k = loop->tasks.next;
		laio_task_abandon(L, aio_container_of(k, struct l_task, link));
	}
	laio_loop_close_parts(loop);
	aio_workers_free(loop->workers);
	aio_workers_free(loop->resolvers);
	loop->workers = loop->resolvers = NULL;
	aio_loop_drain(loop->rt, drop_pending, L);
	/* The pool dropped the done of jobs still out, and the drain the calls
	 * they had queued; their tasks are gone. */
	while (!laio_list_empty(&loop->jobs)) {
		struct l_job *job = aio_container_of(loop->jobs.next, struct l_job, link);
		laio_job_untrack(job);
		job->free_job(job);
	}
	laio_loop_free_parts(loop);
	aio_loop_free(loop->rt);
	loop->rt = NULL;
}

static int l_loop_close(lua_State *L)
{
	struct l_loop *loop = laio_check_loop(L, 1);
	if (loop->running)
		return luaL_error(L, "Cannot close a running event loop");
	if (!loop->rt)
		return 0;
	/* Stop the signal watchers first: they live in this userdata's table. */
	lua_getiuservalue(L, 1, 1);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		struct l_sighandler *h = lua_touserdata(L, -1);
		aio_signal_free(h->sig);
		h->sig = NULL;
		lua_pop(L, 1);
	}
	close_loop(L, loop);
	/* A failed task nobody looked at is reported when collected; collect
	 * now, so the report comes no later than the loop's close. Without
	 * one, the collection would only walk the heap (a tenth of a run that
	 * made 100,000 tasks): the state's close frees it all anyway. */
	if (laio_any_unretrieved(L))
		lua_gc(L, LUA_GCCOLLECT);
	return 0;
}

static int l_loop_is_running(lua_State *L)
{
	lua_pushboolean(L, laio_check_loop(L, 1)->running);
	return 1;
}

static int l_loop_is_closed(lua_State *L)
{
	lua_pushboolean(L, laio_check_loop(L, 1)->rt == NULL);
	return 1;
}

static int l_loop_time(lua_State *L)
{
	lua_pushnumber(L, aio_loop_time(laio_check_open_loop(L, 1)->rt));
	return 1;
}

static int l_loop_create_future(lua_State *L)
{
	struct l_loop *loop = laio_check_open_loop(L, 1);
	lua_settop(L, 1);
	laio_new_future(L, loop);
	return 1;
}

static int l_loop_create_task(lua_State *L)
{
	struct l_loop *loop = laio_check_open_loop(L, 1);
	int nargs = lua_gettop(L) - 2;
	if (luaL_testudata(L, 2, LAIO_COROUTINE)) {
		lua_settop(L, 2);
		lua_pushvalue(L, 1);
		nargs = laio_coro_unpack(L, 2);
	} else if (lua_type(L, 2) != LUA_TFUNCTION) {
		luaL_typeerror(L, 2, "function or coroutine");
	}
	laio_new_task(L, loop, nargs);
	return 1;
}

static int l_loop_set_debug(lua_State *L)
{
	laio_check_loop(L, 1)->debug = (unsigned char)lua_toboolean(L, 2);
	return 0;
}

static int l_loop_get_debug(lua_State *L)
{
	lua_pushboolean(L, laio_check_loop(L, 1)->debug);
	return 1;
}

static int check_signal(lua_State *L, int idx)
{
	int signum = -1;
	if (lua_type(L, idx) == LUA_TNUMBER)
		signum = (int)luaL_checkinteger(L, idx);
	else if (lua_type(L, idx) == LUA_TSTRING)
		signum = aio_signal_number(lua_tostring(L, idx));
	else
		luaL_typeerror(L, idx, "signal name or number");
	if (signum <= 0 || signum >= NSIG || signum == SIGKILL || signum == SIGSTOP)
		luaL_argerror(L, idx, "invalid signal");
	return signum;
}

static void run_sighandler(struct aio_signal *sig, void *udata)
{
	struct l_sighandler *h = udata;
	lua_State *L = h->loop->L;
	laio_running_loop(L);
	int loop_idx = lua_gettop(L);
	lua_getiuservalue(L, loop_idx, 1);
	lua_rawgeti(L, -1, aio_signal_signum(sig));
	int ud = lua_gettop(L);
	/* Room was there when it was added; the loop's own stack may be
	 * shallower, and a signal callback has nobody to raise to. */
	if (!lua_checkstack(L, h->nargs + 1)) {
		fprintf(stderr, "aiod: signal %d: no stack room for its handler's arguments\n",
			aio_signal_signum(sig));
		lua_pop(L, 3);
		return;
	}
	for (int i = 1; i <= h->nargs + 1; i++)
		lua_getiuservalue(L, ud, i);
	laio_call_soon(L, loop_idx, h->nargs);
	lua_pop(L, 3);
}

static int remove_handler(lua_State *L, int loop_idx, int signum)
{
	lua_getiuservalue(L, loop_idx, 1);
	if (lua_rawgeti(L, -1, signum) != LUA_TUSERDATA) {
		lua_pop(L, 2);
		return 0;
	}
	struct l_sighandler *h = lua_touserdata(L, -1);
	aio_signal_free(h->sig);
	h->sig = NULL;
	lua_pop(L, 1);
	lua_pushnil(L);
	lua_rawseti(L, -2, signum);
	lua_pop(L, 1);
	return 1;
}

/* loop:add_signal_handler(sig, fn, ...) */
static int l_loop_add_signal_handler(lua_State *L)
{
	struct l_loop *loop = laio_check_open_loop(L, 1);
	int signum = check_signal(L, 2);
	luaL_checktype(L, 3, LUA_TFUNCTION);
	int nargs = lua_gettop(L) - 3;
	remove_handler(L, 1, signum);
	struct l_sighandler *h = lua_newuserdatauv(L, sizeof *h, nargs + 1);
	memset(h, 0, sizeof *h);
	h->loop = loop;
	h->nargs = nargs;
	for (int i = 1; i <= nargs + 1; i++) {
		lua_pushvalue(L, 2 + i);
		lua_setiuservalue(L, -2, i);
	}
	int err = 0;
	/* As in Python, a handler alone does not keep the loop running; and
	 * it takes the signal over from aiod's own behaviour while installed. */
	h->sig = aio_signal_new(loop->rt, signum, run_sighandler, h, 0, &err);
	if (!h->sig)
		return luaL_error(L, "cannot handle signal %d: %s", signum, strerror(-err));
	lua_getiuservalue(L, 1, 1);
	lua_pushvalue(L, -2);
	lua_rawseti(L, -2, signum);
	return 0;
}

static int l_loop_remove_signal_handler(lua_State *L)
{
	laio_check_loop(L, 1);
	lua_pushboolean(L, remove_handler(L, 1, check_signal(L, 2)));
	return 1;
}

static int l_loop_gc(lua_State *L)
{
	struct l_loop *loop = laio_check_loop(L, 1);	/* Lua can call it too */
	if (loop->rt && !loop->running)
		l_loop_close(L);
	return 0;
}

static int l_loop_tostring(lua_State *L)
{
	struct l_loop *loop = laio_check_loop(L, 1);
	lua_pushfstring(L, "<EventLoop %s>", !loop->rt ? "closed" :
			loop->running ? "running" : "idle");
	return 1;
}

static const luaL_Reg loop_methods[] = {
	{"run_until_complete", l_loop_run_until_complete},
	{"run_forever", l_loop_run_forever},
	{"stop", l_loop_stop},
	{"close", l_loop_close},
	{"is_running", l_loop_is_running},
	{"is_closed", l_loop_is_closed},
	{"time", l_loop_time},
	{"call_soon", laio_loop_call_soon},
	{"call_later", laio_loop_call_later},
	{"call_at", laio_loop_call_at},
	{"create_future", l_loop_create_future},
	{"create_task", l_loop_create_task},
	{"set_debug", l_loop_set_debug},
	{"get_debug", l_loop_get_debug},
	{"add_signal_handler", l_loop_add_signal_handler},
	{"remove_signal_handler", l_loop_remove_signal_handler},
	{NULL, NULL}
};

static const luaL_Reg loop_functions[] = {
	{"new_event_loop", l_new_event_loop},
	{"get_running_loop", l_get_running_loop},
	{"set_event_loop", l_set_event_loop},
	{"get_event_loop", l_get_event_loop},
	{NULL, NULL}
};


void laio_open_loop(lua_State *L, int state)
{
	static const luaL_Reg *const methods[] = {loop_methods, NULL};
	static const luaL_Reg metamethods[] = {
		{"__gc", l_loop_gc},
		{"__tostring", l_loop_tostring},
		{NULL, NULL}
	};
	laio_new_class(L, LAIO_LOOP, state, methods, metamethods);
	lua_pushvalue(L, state);
	luaL_setfuncs(L, loop_functions, 1);
}
