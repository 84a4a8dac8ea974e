/* l_future.c -- asyncio.Future: a result that arrives later, its done callbacks, and the report of an error nobody retrieved */
#include "l_gather.h"
#include "l_handle.h"
#include "l_task.h"

#include <stdio.h>

static const char *const state_names[] = {"pending", "cancelled", "finished"};

/*
 * Future's and Task's metatables hold this marker at FUTURE_MARK: one
 * lookup tells both apart from anything else, where luaL_testudata would
 * look each class up by name.
 */
static const char future_marker;
#define FUTURE_MARK 1

void laio_mark_future_class(lua_State *L, const char *tname)
{
	luaL_getmetatable(L, tname);
	lua_pushlightuserdata(L, (void *)&future_marker);
	lua_rawseti(L, -2, FUTURE_MARK);
	lua_pop(L, 1);
}

struct l_future *laio_test_future(lua_State *L, int idx)
{
	void *p = lua_touserdata(L, idx);
	if (!p || !lua_getmetatable(L, idx))
		return NULL;
	lua_rawgeti(L, -1, FUTURE_MARK);
	int marked = lua_touserdata(L, -1) == &future_marker;
	lua_pop(L, 2);
	return marked ? p : NULL;
}

struct l_future *laio_check_future(lua_State *L, int idx)
{
	struct l_future *f = laio_test_future(L, idx);
	if (!f)
		luaL_typeerror(L, idx, "Future");
	return f;
}

void laio_get_extra(lua_State *L, int idx, const char *field)
{
	if (lua_getiuservalue(L, idx, UV_CALLBACKS) == LUA_TTABLE)
		lua_getfield(L, -1, field);
	else
		lua_pushnil(L);
	lua_remove(L, -2);
}

void laio_set_extra(lua_State *L, int idx, const char *field)
{
	idx = lua_absindex(L, idx);
	int t = lua_getiuservalue(L, idx, UV_CALLBACKS);
	if (t != LUA_TTABLE) {
		/* The table takes the one callback there was, if any. */
		lua_createtable(L, t != LUA_TNIL, 2);
		if (t != LUA_TNIL) {
			lua_insert(L, -2);
			lua_rawseti(L, -2, 1);
		} else {
			lua_remove(L, -2);
		}
		lua_pushvalue(L, -1);
		lua_setiuservalue(L, idx, UV_CALLBACKS);
	}
	lua_insert(L, -2);
	lua_setfield(L, -2, field);
	lua_pop(L, 1);
}

struct l_future *laio_new_future(lua_State *L, struct l_loop *loop)
{
	int loop_idx = lua_gettop(L);
	struct l_future *f = lua_newuserdatauv(L, sizeof *f, UV_FUTURE_COUNT);
	f->loop = loop;
	f->ref = LUA_NOREF;
	f->nresults = 0;
	f->state = FUT_PENDING;
	f->is_task = 0;
	f->failed = 0;
	f->unretrieved = 0;
	luaL_setmetatable(L, LAIO_FUTURE);
	lua_pushvalue(L, loop_idx);
	lua_setiuservalue(L, -2, UV_LOOP);
	return f;
}

void laio_future_add_callback(lua_State *L, int fut_idx, int cb_idx)
{
	fut_idx = lua_absindex(L, fut_idx);
	cb_idx = lua_absindex(L, cb_idx);
	int t = lua_getiuservalue(L, fut_idx, UV_CALLBACKS);
	int cbt = lua_type(L, cb_idx);
	if (t == LUA_TNIL && (cbt == LUA_TFUNCTION || cbt == LUA_TUSERDATA)) {
		lua_pushvalue(L, cb_idx);
		lua_setiuservalue(L, fut_idx, UV_CALLBACKS);
	} else if (t == LUA_TTABLE) {
		lua_pushvalue(L, cb_idx);
		lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	} else {
		/* A list: the single callback so far (if any), then this one. */
		lua_createtable(L, 2, 0);
		if (t != LUA_TNIL) {
			lua_pushvalue(L, -2);
			lua_rawseti(L, -2, 1);
		}
		lua_pushvalue(L, cb_idx);
		lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
		lua_setiuservalue(L, fut_idx, UV_CALLBACKS);
	}
	lua_pop(L, 1);
}

static void schedule_one(lua_State *L, int fut_idx)
{
	struct l_task *waiter = luaL_testudata(L, -1, LAIO_TASK);
	if (waiter) {
		/* A task entry is an await; it wakes the task, never calls it. */
		lua_pop(L, 1);
		if (waiter->wait == WAIT_FUTURE)
			laio_task_wakeup(waiter);
		return;
	}
	laio_gather_child_done(L, -1, lua_touserdata(L, fut_idx), 0);
	lua_getiuservalue(L, fut_idx, UV_LOOP);
	lua_insert(L, -2);
	lua_pushvalue(L, fut_idx);
	laio_call_soon(L, -3, 1);
	lua_pop(L, 1);
}

void laio_future_finish(lua_State *L, int fut_idx, int state)
{
	fut_idx = lua_absindex(L, fut_idx);
	struct l_future *f = lua_touserdata(L, fut_idx);
	f->state = (unsigned char)state;
	int t = lua_getiuservalue(L, fut_idx, UV_CALLBACKS);
	/* A task's one callback is its own, but for most of a gather's
	 * children, which the gather has just counted done instead. */
	if (t == LUA_TFUNCTION && f->is_task) {
		int counted = laio_gather_child_done(L, -1, f, 1);
		lua_pop(L, 1);
		if (!counted) {
			laio_task_own_callback(L, fut_idx);
			return;
		}
		lua_pushnil(L);
		lua_setiuservalue(L, fut_idx, UV_CALLBACKS);
		return;
	}
	if (t == LUA_TTABLE) {
		/* The callbacks go, the extras stay (a cancel message, a name). */
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			lua_pushnil(L);
			lua_rawseti(L, -3, i);
			schedule_one(L, fut_idx);
		}
		lua_pop(L, 1);
	} else if (t != LUA_TNIL) {
		lua_pushnil(L);
		lua_setiuservalue(L, fut_idx, UV_CALLBACKS);
		schedule_one(L, fut_idx);
	} else {
		lua_pop(L, 1);
	}
}

int laio_future_cancel(lua_State *L, int fut_idx, int msg_idx)
{
	fut_idx = lua_absindex(L, fut_idx);
	msg_idx = lua_absindex(L, msg_idx);
	struct l_future *f = lua_touserdata(L, fut_idx);
	if (f->is_task)
		return laio_task_cancel(L, fut_idx, msg_idx);
	if (f->state != FUT_PENDING)
		return 0;
	laio_get_extra(L, fut_idx, "cancel_handler");
	if (!lua_isnil(L, -1)) {
		/* Futures that stand for other work (gather's) decide themselves. */
		lua_pushvalue(L, fut_idx);
		lua_pushvalue(L, msg_idx);
		lua_call(L, 2, 1);
		int ok = lua_toboolean(L, -1);
		lua_pop(L, 1);
		return ok;
	}
	lua_pop(L, 1);
	lua_pushvalue(L, msg_idx);
	laio_set_extra(L, fut_idx, "cancel_msg");
	laio_future_finish(L, fut_idx, FUT_CANCELLED);
	return 1;
}

void laio_push_cancelled_error(lua_State *L, int fut_idx)
{
	laio_get_extra(L, fut_idx, "cancel_msg");
	laio_push_error(L, "CancelledError", lua_tostring(L, -1));
	lua_remove(L, -2);
}

static int raise_cancelled(lua_State *L, int fut_idx)
{
	laio_push_cancelled_error(L, fut_idx);
	return lua_error(L);
}

/*
 * The failed future at fut_idx has its error raised in the running task:
 * that one keeps a link to the task the error came from (the future itself,
 * or the child a gather names), so the report of its own error (the same
 * value) can name that task and show its frames.
 */
static void note_awaited(lua_State *L, int fut_idx)
{
	struct l_future *f = lua_touserdata(L, fut_idx);
	struct l_loop *running = f->loop->S->running;
	struct l_task *cur = running ? running->current : NULL;
	if (!cur || &cur->fut == f)
		return;
	if (f->is_task)
		lua_pushvalue(L, fut_idx);
	else
		laio_get_extra(L, fut_idx, "awaited");
	lua_rawgeti(L, LUA_REGISTRYINDEX, cur->fut.ref);
	if (luaL_testudata(L, -2, LAIO_TASK) && lua_touserdata(L, -2) != (void *)cur) {
		lua_pushvalue(L, -2);
		laio_set_extra(L, -2, "awaited");
	}
	lua_pop(L, 2);
}

int laio_push_results(lua_State *L, int fut_idx)
{
	fut_idx = lua_absindex(L, fut_idx);
	struct l_future *f = lua_touserdata(L, fut_idx);
	if (f->state == FUT_CANCELLED)
		return raise_cancelled(L, fut_idx);
	if (f->state == FUT_PENDING)
		return laio_raise(L, "InvalidStateError", "Result is not set.");
	if (f->failed) {
		f->unretrieved = 0;
		note_awaited(L, fut_idx);
		laio_push_exception(L, fut_idx);
		return lua_error(L);
	}
	if (f->is_task) {
		struct l_task *t = (struct l_task *)f;
		int n = f->nresults;
		luaL_checkstack(L, n, "too many results");
		lua_checkstack(t->co, 1);
		for (int i = 1; i <= n; i++) {
			lua_pushvalue(t->co, i);
			lua_xmove(t->co, L, 1);
		}
		return n;
	}
	lua_getiuservalue(L, fut_idx, UV_RESULT);
	if (f->nresults == 1)
		return 1;
	int n = f->nresults;
	luaL_checkstack(L, n, "too many results");
	int packed = lua_gettop(L);
	for (int i = 1; i <= n; i++)
		lua_rawgeti(L, packed, i);
	lua_remove(L, packed);
	return n;
}

void laio_push_exception(lua_State *L, int fut_idx)
{
	struct l_future *f = lua_touserdata(L, fut_idx);
	if (f->is_task)
		laio_push_task_first(L, (struct l_task *)f);
	else
		lua_getiuservalue(L, fut_idx, UV_RESULT);
}

static struct l_future *check_plain_future(lua_State *L)
{
	return luaL_checkudata(L, 1, LAIO_FUTURE);
}

static void check_pending(lua_State *L, struct l_future *f)
{
	if (f->state != FUT_PENDING) {
		lua_pushfstring(L, "invalid state: %s",
				luaL_tolstring(L, 1, NULL));
		laio_raise(L, "InvalidStateError", lua_tostring(L, -1));
	}
}

void laio_future_set_result(lua_State *L, int fut_idx, int first, int n)
{
	fut_idx = lua_absindex(L, fut_idx);
	first = lua_absindex(L, first);
	struct l_future *f = lua_touserdata(L, fut_idx);
	if (n == 1) {
		lua_pushvalue(L, first);
	} else {
		lua_createtable(L, n, 0);
		for (int i = 0; i < n; i++) {
			lua_pushvalue(L, first + i);
			lua_rawseti(L, -2, i + 1);
		}
	}
	lua_setiuservalue(L, fut_idx, UV_RESULT);
	f->nresults = n;
	laio_future_finish(L, fut_idx, FUT_FINISHED);
}

void laio_future_set_exception(lua_State *L, int fut_idx, int err_idx)
{
	fut_idx = lua_absindex(L, fut_idx);
	struct l_future *f = lua_touserdata(L, fut_idx);
	lua_pushvalue(L, err_idx);
	lua_setiuservalue(L, fut_idx, UV_RESULT);
	f->failed = 1;
	laio_future_unretrieved(L, fut_idx);
	laio_future_finish(L, fut_idx, FUT_FINISHED);
}

static int l_future_set_result(lua_State *L)
{
	struct l_future *f = check_plain_future(L);
	check_pending(L, f);
	laio_future_set_result(L, 1, 2, lua_gettop(L) - 1);
	return 0;
}

static int l_future_set_exception(lua_State *L)
{
	struct l_future *f = check_plain_future(L);
	luaL_checkany(L, 2);
	if (lua_isnil(L, 2))
		luaL_argerror(L, 2, "error value expected, got nil");
	check_pending(L, f);
	laio_future_set_exception(L, 1, 2);
	return 0;
}

static int l_future_result(lua_State *L)
{
	laio_check_future(L, 1);
	lua_settop(L, 1);
	return laio_push_results(L, 1);
}

static int l_future_exception(lua_State *L)
{
	struct l_future *f = laio_check_future(L, 1);
	if (f->state == FUT_CANCELLED)
		return raise_cancelled(L, 1);
	if (f->state == FUT_PENDING)
		return laio_raise(L, "InvalidStateError", "Exception is not set.");
	if (!f->failed) {
		lua_pushnil(L);
		return 1;
	}
	f->unretrieved = 0;
	laio_push_exception(L, 1);
	return 1;
}

static int l_future_done(lua_State *L)
{
	lua_pushboolean(L, laio_check_future(L, 1)->state != FUT_PENDING);
	return 1;
}

static int l_future_cancelled(lua_State *L)
{
	lua_pushboolean(L, laio_check_future(L, 1)->state == FUT_CANCELLED);
	return 1;
}

static int l_future_cancel(lua_State *L)
{
	laio_check_future(L, 1);
	if (!lua_isnoneornil(L, 2))
		luaL_checkstring(L, 2);
	lua_settop(L, 2);
	lua_pushboolean(L, laio_future_cancel(L, 1, 2));
	return 1;
}

static int l_future_add_done_callback(lua_State *L)
{
	struct l_future *f = laio_check_future(L, 1);
	if (lua_type(L, 2) != LUA_TFUNCTION && !luaL_getmetafield(L, 2, "__call"))
		luaL_typeerror(L, 2, "function");
	lua_settop(L, 2);
	if (f->state != FUT_PENDING) {
		lua_getiuservalue(L, 1, UV_LOOP);
		lua_pushvalue(L, 2);
		lua_pushvalue(L, 1);
		laio_call_soon(L, 3, 1);
	} else {
		laio_future_add_callback(L, 1, 2);
	}
	return 0;
}

static int l_future_remove_done_callback(lua_State *L)
{
	struct l_future *f = laio_check_future(L, 1);
	luaL_checkany(L, 2);
	lua_settop(L, 2);
	int removed = 0;
	/* Once done, the callbacks are scheduled: none is left to remove (a
	 * task's own callback waits in the slot, see laio_task_own_callback). */
	int t = f->state == FUT_PENDING ? lua_getiuservalue(L, 1, UV_CALLBACKS) : LUA_TNIL;
	if (t == LUA_TTABLE) {
		lua_Integer n = (lua_Integer)lua_rawlen(L, 3), kept = 0;
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, 3, i);
			if (lua_rawequal(L, -1, 2)) {
				removed++;
				lua_pop(L, 1);
			} else {
				lua_rawseti(L, 3, ++kept);
			}
		}
		for (lua_Integer i = kept + 1; i <= n; i++) {
			lua_pushnil(L);
			lua_rawseti(L, 3, i);
		}
	} else if (t != LUA_TNIL && lua_rawequal(L, 3, 2)) {
		removed = 1;
		lua_pushnil(L);
		lua_setiuservalue(L, 1, UV_CALLBACKS);
	}
	lua_pushinteger(L, removed);
	return 1;
}

static int l_future_get_loop(lua_State *L)
{
	laio_check_future(L, 1);
	lua_getiuservalue(L, 1, UV_LOOP);
	return 1;
}

static int l_future_tostring(lua_State *L)
{
	struct l_future *f = check_plain_future(L);
	lua_pushfstring(L, "<Future %s>", state_names[f->state]);
	return 1;
}

/*
 * The "never retrieved" report comes when the collector finds the failed
 * future dropped. Only a failed future needs a finalizer, so neither class
 * has __gc (one on every task cost each a finalizer call at the state's
 * close, and a cycle more to be freed once dropped): a future marked
 * unretrieved gets a reporter, a userdata whose __gc reports, that holds
 * the future as its user value. The weak-keyed set of the unretrieved
 * holds each reporter as its future's value, so the reporter becomes
 * garbage in the same cycle as the future; its finalizer then brings the
 * future back for the report, as the future's own __gc would.
 *
 * A loop that allocates little may go hours without a cycle, so while
 * failed futures nobody looked at exist, a timer drives the incremental
 * collector in slices of at most GC_SLICE seconds every GC_TICK: a small
 * heap completes a cycle in a tick or two, a large one (200 MB) takes
 * longer but never stalls a turn by more than a slice. A cycle that leaves
 * one unreported (someone holds it) doubles the pause before the next, up
 * to GC_PAUSE_MAX, until another future fails.
 */
#define UNRETRIEVED_KEY "asyncio.unretrieved"
#define REPORTER "asyncio.Unretrieved"
#define GC_TICK 0.02
#define GC_SLICE 0.002
#define GC_PAUSE_MAX 30.0

/* [-0, +1] The weak-keyed set of futures marked unretrieved. */
static void push_unretrieved_set(lua_State *L)
{
	laio_push_weak_table(L, UNRETRIEVED_KEY, "k");
}

int laio_any_unretrieved(lua_State *L)
{
	int found = 0;
	push_unretrieved_set(L);
	lua_pushnil(L);
	while (!found && lua_next(L, -2)) {
		lua_pop(L, 1);
		struct l_future *f = lua_touserdata(L, -1);
		if (f->unretrieved) {
			found = 1;
			lua_pop(L, 1);
		} else {
			lua_pushvalue(L, -1);
			lua_pushnil(L);
			lua_rawset(L, -4);
		}
	}
	lua_pop(L, 1);
	return found;
}

static void gc_tick(struct aio_call *call)
{
	struct l_loop *loop = aio_container_of(call, struct l_loop, gc_timer.call);
	lua_State *L = loop->L;
	/* Nothing else can happen: the loop ends, and its close collects. */
	if (!L || !laio_any_unretrieved(L) || aio_loop_state(loop->rt) == AIO_LOOP_IDLE)
		return;
	double now = aio_loop_time(loop->rt), end = now + GC_SLICE;
	/* A script that stopped the collector keeps it stopped. */
	while (now >= loop->gc_resume && now < end && lua_gc(L, LUA_GCISRUNNING)) {
		if (lua_gc(L, LUA_GCSTEP, 0)) {
			if (!loop->gc_noted && laio_any_unretrieved(L)) {
				loop->gc_pause = loop->gc_pause > 0 ? loop->gc_pause * 2 : GC_TICK * 2;
				if (loop->gc_pause > GC_PAUSE_MAX)
					loop->gc_pause = GC_PAUSE_MAX;
				loop->gc_resume = aio_loop_time(loop->rt) + loop->gc_pause;
			}
			loop->gc_noted = 0;
			break;
		}
		now = aio_loop_time(loop->rt);
	}
	aio_timer_start(loop->rt, &loop->gc_timer, aio_loop_time(loop->rt) + GC_TICK, gc_tick);
}

void laio_future_unretrieved(lua_State *L, int fut_idx)
{
	fut_idx = lua_absindex(L, fut_idx);
	struct l_future *f = lua_touserdata(L, fut_idx);
	struct l_loop *loop = f->loop;
	f->unretrieved = 1;
	push_unretrieved_set(L);
	lua_pushvalue(L, fut_idx);
	if (lua_rawget(L, -2) == LUA_TNIL) {
		lua_pushvalue(L, fut_idx);
		lua_newuserdatauv(L, 0, 1);
		lua_pushvalue(L, fut_idx);
		lua_setiuservalue(L, -2, 1);
		luaL_setmetatable(L, REPORTER);
		lua_rawset(L, -4);
	}
	lua_pop(L, 2);
	loop->gc_noted = 1;
	loop->gc_pause = 0;
	loop->gc_resume = 0;
	if (loop->rt && loop->gc_timer.heap_index == AIO_TIMER_IDLE &&
	    !aio_call_queued(&loop->gc_timer.call))
		aio_timer_start(loop->rt, &loop->gc_timer, aio_loop_time(loop->rt) + GC_TICK, gc_tick);
}

static void (*describe_failure)(lua_State *L, int err_idx, int task_idx, int tb_idx);

void laio_future_set_describer(void (*describe)(lua_State *L, int err_idx, int task_idx, int tb_idx))
{
	describe_failure = describe;
}

/* The reporter's __gc: an error nobody retrieved is reported here at the
 * latest, when its future is collected or the Lua state closes. */
static int report_unretrieved(lua_State *L)
{
	luaL_checkudata(L, 1, REPORTER);	/* Lua can call it too */
	lua_settop(L, 1);
	lua_getiuservalue(L, 1, 1);
	struct l_future *f = laio_test_future(L, 2);
	if (!f || !f->unretrieved)
		return 0;
	f->unretrieved = 0;
	const char *what = f->is_task ? "Task exception was never retrieved"
				      : "Future exception was never retrieved";
	luaL_tolstring(L, 2, NULL);
	laio_push_exception(L, 2);
	describe_failure(L, -1, f->is_task ? 2 : 0, 0);
	fprintf(stderr, "%s\n%s: %s\n", what, lua_tostring(L, 3), lua_tostring(L, -1));
	fflush(stderr);
	return 0;
}

static const luaL_Reg future_only_methods[] = {
	{"set_result", l_future_set_result},
	{"set_exception", l_future_set_exception},
	{NULL, NULL}
};

const luaL_Reg laio_future_common[] = {
	{"result", l_future_result},
	{"exception", l_future_exception},
	{"done", l_future_done},
	{"cancelled", l_future_cancelled},
	{"cancel", l_future_cancel},
	{"add_done_callback", l_future_add_done_callback},
	{"remove_done_callback", l_future_remove_done_callback},
	{"get_loop", l_future_get_loop},
	{"await", laio_await},
	{NULL, NULL}
};

void laio_open_future(lua_State *L, int state)
{
	static const luaL_Reg *const methods[] = {
		laio_future_common, future_only_methods, NULL
	};
	static const luaL_Reg metamethods[] = {
		{"__tostring", l_future_tostring},
		{NULL, NULL}
	};
	laio_new_class(L, LAIO_FUTURE, state, methods, metamethods);
	laio_mark_future_class(L, LAIO_FUTURE);
	luaL_newmetatable(L, REPORTER);
	lua_pushcfunction(L, report_unretrieved);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
}
