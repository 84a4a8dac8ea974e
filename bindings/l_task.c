/* l_task.c -- asyncio.Task: a coroutine stepped by the loop; sleep, await, cancellation */
#include "l_coro.h"
#include "l_task.h"
#include "l_traceback.h"

#include <stdio.h>
#include <string.h>

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))

static void task_step(struct aio_call *call);

static void push_task(lua_State *L, struct l_task *t)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, t->fut.ref);
}

void laio_task_wakeup(struct l_task *t)
{
	/* A task of a closed loop was abandoned: it never runs again. */
	if (t->fut.loop->rt && !aio_call_queued(&t->timer.call))
		(t->control ? aio_call_first : aio_call_soon)(t->fut.loop->rt, &t->timer.call, task_step);
}

struct l_task *laio_current_task(lua_State *L, struct l_state *S)
{
	struct l_task *t = S->running ? S->running->current : NULL;
	if (!t)
		luaL_error(L, "attempt to suspend outside a task");
	if (t->co != L)
		luaL_error(L, "attempt to suspend inside a nested coroutine "
			      "(asyncio waits must run in the task's own coroutine)");
	return t;
}

/* Raises CancelledError with the task's cancel message. */
static int raise_task_cancelled(lua_State *L, struct l_task *t)
{
	push_task(L, t);
	laio_get_extra(L, -1, "cancel_msg");
	laio_push_error(L, "CancelledError", lua_tostring(L, -1));
	return lua_error(L);
}

/* Every continuation starts here: a cancellation lands at the suspension. */
static void resume_check(lua_State *L, struct l_task *t)
{
	t->wait = WAIT_NONE;
	t->park_kind = NULL;
	if (t->must_cancel) {
		t->must_cancel = 0;
		raise_task_cancelled(L, t);
	}
}

static void unlink_park(struct l_task *t)
{
	t->park.prev->next = t->park.next;
	t->park.next->prev = t->park.prev;
	laio_list_init(&t->park);
}

int laio_park(lua_State *L, struct l_task *t, struct l_link *list,
	      const struct laio_park_kind *kind, lua_KFunction k, lua_KContext ctx)
{
	t->park_kind = kind;
	t->park_list = list;
	t->park.next = list;
	t->park.prev = list->prev;
	list->prev->next = &t->park;
	list->prev = &t->park;
	t->wait = WAIT_PARKED;
	return lua_yieldk(L, 0, ctx, k);
}

void laio_unpark_all(struct l_link *list)
{
	while (!laio_list_empty(list)) {
		struct l_task *t = aio_container_of(list->next, struct l_task, park);
		unlink_park(t);
		laio_task_wakeup(t);
	}
}

void laio_unpark_head(struct l_link *list)
{
	struct l_task *t = aio_container_of(list->next, struct l_task, park);
	unlink_park(t);
	/* Woken and queued: a cancel from now on can only land at the
	 * resumption, where laio_lost_wakeup sees it. */
	t->wait = WAIT_YIELD;
	laio_task_wakeup(t);
}

int laio_lost_wakeup(lua_State *L)
{
	struct l_task *t = laio_state(L)->running->current;
	return t->must_cancel && t->wait == WAIT_YIELD;
}

struct l_task *laio_resume_check(lua_State *L)
{
	struct l_task *t = laio_state(L)->running->current;
	resume_check(L, t);
	return t;
}

int laio_suspend(lua_State *L, struct l_task *t, int wait, lua_KFunction k)
{
	t->wait = (unsigned char)wait;
	return lua_yieldk(L, 0, 0, k);
}

/*
 * Cancels what a suspended task waits for, as Python's Task.cancel does
 * with its _fut_waiter. Returns 1 when the wait itself will deliver the
 * CancelledError, 0 when the task must throw it at its next step. The task
 * is at task_idx: one its closed loop abandoned has no anchor to push.
 */
static int cancel_wait(lua_State *L, int task_idx, int msg_idx)
{
	struct l_task *t = lua_touserdata(L, task_idx);
	msg_idx = lua_absindex(L, msg_idx);
	if (t->wait == WAIT_SLEEP || t->wait == WAIT_PARKED) {
		aio_timer_stop(t->fut.loop->rt, &t->timer);
		unlink_park(t);
		laio_task_wakeup(t);
		return 0;
	}
	if (t->wait != WAIT_FUTURE)
		return 0;
	laio_push_task_first(L, t);
	int ok = laio_future_cancel(L, -1, msg_idx);
	lua_pop(L, 1);
	return ok;
}

int laio_task_cancel(lua_State *L, int task_idx, int msg_idx)
{
	struct l_task *t = lua_touserdata(L, task_idx);
	if (t->fut.state != FUT_PENDING)
		return 0;
	if (t->cancel_requests < UINT16_MAX)
		t->cancel_requests++;
	lua_pushvalue(L, msg_idx);
	laio_set_extra(L, task_idx, "cancel_msg");
	if (t != t->fut.loop->current && t->started && cancel_wait(L, task_idx, msg_idx))
		return 1;
	t->must_cancel = 1;
	return 1;
}

/* Message handler of the task body: keeps the traceback, passes the error on. */
static int task_msgh(lua_State *co)
{
	struct l_state *S = laio_state(co);
	struct l_task *t = S->running ? S->running->current : NULL;
	if (t && !laio_is_error(co, 1, "CancelledError")) {
		push_task(co, t);
		laio_traceback(co, co, NULL, 1);
		laio_set_extra(co, -2, "traceback");
		lua_pop(co, 1);
	}
	lua_settop(co, 1);
	return 1;
}

static int task_body_k(lua_State *co, int status, lua_KContext ctx)
{
	struct l_task *t = (struct l_task *)ctx;
	if (status == LUA_OK || status == LUA_YIELD)
		return lua_gettop(co) - 1;	/* all but the message handler */
	t->fut.failed = 1;
	lua_replace(co, 1);
	lua_settop(co, 1);
	return 1;
}

/* The coroutine's body: fn(args...) under a yieldable pcall, so errors
 * unwind inside the coroutine and '<close>' handlers may still suspend.
 * Its first argument is the task, as a light userdata. */
static int task_body(lua_State *co)
{
	lua_KContext t = (lua_KContext)lua_touserdata(co, 1);
	int nargs = lua_gettop(co) - 2;
	lua_pushcfunction(co, task_msgh);
	lua_replace(co, 1);
	int status = lua_pcallk(co, nargs, LUA_MULTRET, 1, t, task_body_k);
	return task_body_k(co, status, t);
}

static void unlink_task(struct l_task *t)
{
	t->fut.loop->S->tasks_unfinished--;
	t->link.prev->next = t->link.next;
	t->link.next->prev = t->link.prev;
	t->link.prev = t->link.next = &t->link;
}

void laio_task_abandon(lua_State *L, struct l_task *t)
{
	unlink_task(t);
	unlink_park(t);
	aio_timer_stop(t->fut.loop->rt, &t->timer);	/* armed, or its call queued */
	laio_unanchor(L, t->fut.loop->S, &t->fut.ref);
}

/*
 * An error out of the coroutine (an own body's, see laio_task_own_body):
 * its stack is as the error left it, so the traceback is the one task_msgh
 * would have taken; then the coroutine is reset, which closes what the
 * error left open and keeps the error on top.
 */
static void unwound_error(lua_State *L, lua_State *co, int tidx)
{
	lua_checkstack(co, 3);	/* the error took the last slot of its frame */
	if (!laio_is_error(co, -1, "CancelledError")) {
		laio_traceback(L, co, NULL, 0);
		laio_set_extra(L, tidx, "traceback");
	}
	lua_resetthread(co);
}

static void task_finished(lua_State *L, struct l_task *t, int status, int nres)
{
	lua_State *co = t->co;
	int state = FUT_FINISHED;
	push_task(L, t);
	int tidx = lua_gettop(L);
	if (status != LUA_OK) {
		t->fut.failed = 1;
		unwound_error(L, co, tidx);
	}
	if (t->fut.failed) {
		lua_xmove(co, L, 1);
		lua_settop(co, 0);
		if (laio_is_error(L, -1, "CancelledError")) {
			state = FUT_CANCELLED;
			t->fut.failed = 0;
			lua_getfield(L, -1, "message");
			laio_set_extra(L, tidx, "cancel_msg");
			lua_pop(L, 1);
		} else {
			/* The error stays on the coroutine, as results do. */
			lua_xmove(L, co, 1);
			laio_future_unretrieved(L, tidx);
		}
	} else if (t->must_cancel) {
		/* Cancelled during its last step and returned without a
		 * suspension to take it: the request was accepted, so it ends
		 * cancelled, as Python's Task does. */
		t->must_cancel = 0;
		lua_settop(co, 0);
		state = FUT_CANCELLED;
	} else {
		t->fut.nresults = nres;
	}
	unlink_task(t);
	laio_future_finish(L, tidx, state);
	/* The anchor goes now, or once the task's own callback has run. */
	if (!aio_call_queued(&t->timer.call))
		laio_unanchor(L, t->fut.loop->S, &t->fut.ref);
	lua_settop(L, tidx - 1);
}

static void run_own_callback(struct aio_call *call)
{
	struct l_task *t = aio_container_of(call, struct l_task, timer.call);
	lua_State *L = t->fut.loop->L;
	int top = lua_gettop(L);
	lua_pushcfunction(L, laio_traceback_handler);
	push_task(L, t);
	laio_unanchor(L, t->fut.loop->S, &t->fut.ref);
	/* An extra set since it was queued put the callback in a table. */
	if (lua_getiuservalue(L, -1, UV_CALLBACKS) == LUA_TTABLE) {
		lua_rawgeti(L, -1, 1);
		lua_pushnil(L);
		lua_rawseti(L, -3, 1);
		lua_remove(L, -2);
	} else {
		lua_pushnil(L);
		lua_setiuservalue(L, -3, UV_CALLBACKS);
	}
	lua_insert(L, -2);
	if (lua_pcall(L, 1, 0, top + 1) != LUA_OK)
		laio_report(L, "Exception in callback:", -1);
	lua_settop(L, top);
}

int laio_task_drop(lua_State *L, struct aio_call *call)
{
	if (call->fn != run_own_callback)
		return 0;
	struct l_task *t = aio_container_of(call, struct l_task, timer.call);
	laio_unanchor(L, t->fut.loop->S, &t->fut.ref);
	return 1;
}

/*
 * A finished task's step node is idle, so the one done callback a task
 * usually has (gather's, run_until_complete's) rides on it instead of a new
 * Handle; the callback waits in the callbacks slot (a finished future's
 * list is spent), the task stays anchored.
 */
void laio_task_own_callback(lua_State *L, int task_idx)
{
	struct l_task *t = lua_touserdata(L, task_idx);
	aio_call_soon(t->fut.loop->rt, &t->timer.call, run_own_callback);
}

/* A step longer than this is reported in debug mode, as Python does. */
#define SLOW_STEP 0.1
/* In debug mode a count hook reads the clock every this many instructions,
 * to catch where a slow step is running (its end may be far from it). */
#define SLOW_HOOK_COUNT 1000

static void slow_step_hook(lua_State *co, lua_Debug *ar)
{
	(void)ar;
	struct l_loop *loop = laio_state(co)->running;
	struct l_task *t = loop ? loop->current : NULL;
	if (!t || t->co != co || loop->slow_seen ||
	    aio_loop_time(loop->rt) - loop->step_began <= SLOW_STEP)
		return;
	loop->slow_seen = 1;
	push_task(co, t);
	laio_traceback(co, co, NULL, 0);
	laio_set_extra(co, -2, "slow_at");
	lua_pop(co, 1);
}

static void warn_slow_step(lua_State *L, struct l_task *t, double took, int status)
{
	push_task(L, t);
	int tidx = lua_gettop(L);
	fprintf(stderr, "Executing %s took %.3f seconds\n",
		luaL_tolstring(L, tidx, NULL), took);
	laio_get_extra(L, tidx, "slow_at");
	if (lua_isstring(L, -1)) {
		fprintf(stderr, "it was running at:\n%s\n", lua_tostring(L, -1));
		lua_pushnil(L);
		laio_set_extra(L, tidx, "slow_at");
	}
	if (status == LUA_YIELD) {
		laio_traceback(L, t->co, NULL, 0);
		fprintf(stderr, "then suspended at:\n%s\n", lua_tostring(L, -1));
	} else {
		fprintf(stderr, "then it %s\n", status != LUA_OK || t->fut.failed ? "failed" : "returned");
	}
	fflush(stderr);
	lua_settop(L, tidx - 1);
}

static void task_step(struct aio_call *call)
{
	struct l_task *t = aio_container_of(call, struct l_task, timer.call);
	struct l_loop *loop = t->fut.loop;
	lua_State *L = loop->L;
	int nres, nargs = 0;
	if (!t->started) {
		t->started = 1;
		if (t->must_cancel) {
			/* Cancelled before it ran: its function never runs. */
			lua_settop(t->co, 0);
			push_task(L, t);
			laio_get_extra(L, -1, "cancel_msg");
			laio_push_error(L, "CancelledError", lua_tostring(L, -1));
			lua_xmove(L, t->co, 1);
			lua_pop(L, 2);
			t->fut.failed = 1;
			task_finished(L, t, LUA_OK, 1);
			return;
		}
		nargs = lua_gettop(t->co) - 1;	/* all but the body */
	}
	loop->current = t;
	int watched = loop->debug;
	/* Steps that follow one another in a turn share a clock reading: the
	 * last one's end is this one's start (one read a step, not two). */
	double began = loop->step_ended != 0 && aio_loop_ticks(loop->rt) == loop->step_tick + 1
		? loop->step_ended : aio_loop_time(loop->rt);
	loop->step_began = began;
	if (watched) {
		loop->slow_seen = 0;
		lua_sethook(t->co, slow_step_hook, LUA_MASKCOUNT, SLOW_HOOK_COUNT);
	}
	int status = lua_resume(t->co, L, nargs, &nres);
	loop->current = NULL;
	double ended = aio_loop_time(loop->rt);
	double took = ended - began;
	loop->step_ended = ended;
	loop->step_tick = aio_loop_ticks(loop->rt);
	t->resumes++;
	t->busy += (float)took;
	if (watched) {
		lua_sethook(t->co, NULL, 0, 0);
		if (took > SLOW_STEP)
			warn_slow_step(L, t, took, status);
	}
	if (status != LUA_YIELD) {
		task_finished(L, t, status, nres);
		return;
	}
	lua_pop(t->co, nres);
	if (t->wait == WAIT_NONE) {
		/* A bare coroutine.yield: like sleep(0), as a bare yield in Python. */
		t->wait = WAIT_YIELD;
		laio_task_wakeup(t);
	} else if (t->must_cancel) {
		/* Cancelled while it ran: cancel what it now waits for. */
		push_task(L, t);
		laio_get_extra(L, -1, "cancel_msg");
		if (cancel_wait(L, lua_gettop(L) - 1, -1))
			t->must_cancel = 0;
		lua_pop(L, 2);
	}
}

/*
 * A burst of new tasks (100,000 made in a loop) is live memory by
 * definition: each is anchored until it finishes. The collector, paced by
 * allocation against the heap it found live at its last cycle, would run
 * a cycle each time the heap doubled, each marking every task made so far
 * (and a coroutine is re-marked in every cycle's atomic phase) to find
 * nothing to free. So a task that takes the count of unfinished tasks past
 * its highest so far gives the collector credit: twice its bytes, as if it
 * had been found live at the last cycle, whose end allows the heap to grow
 * to twice what was live (the default pause, 200) before the next. Below
 * the peak (tasks made as fast as others finish) nothing is credited, so
 * garbage paces the collector as ever, and the credit over a state's life
 * is bounded by its peak of tasks. Credited in KiB, as lua_gc takes it, a
 * few at a time. See docs/benchmarks.md, "the task core", for the memory
 * of workloads that make garbage during and after a burst.
 */
#define CREDIT_CHUNK 8192

static void credit_burst(lua_State *L, struct l_state *S)
{
	S->tasks_peak = S->tasks_unfinished;
	S->gc_credit += 2 * S->task_bytes;
	if (S->gc_credit < CREDIT_CHUNK)
		return;
	if (lua_gc(L, LUA_GCISRUNNING))
		lua_gc(L, LUA_GCSTEP, -(S->gc_credit / 1024));
	S->gc_credit %= 1024;
}

/* What a task's userdata and coroutine take of the heap, for credit_burst. */
static int measure_task_bytes(lua_State *L)
{
	int running = lua_gc(L, LUA_GCISRUNNING);
	lua_gc(L, LUA_GCSTOP);
	/* KiB and bytes apart: the heap in bytes can pass INT_MAX. */
	int before_k = lua_gc(L, LUA_GCCOUNT), before_b = lua_gc(L, LUA_GCCOUNTB);
	lua_newuserdatauv(L, sizeof(struct l_task), UV_TASK_COUNT);
	lua_newthread(L);
	int after_k = lua_gc(L, LUA_GCCOUNT), after_b = lua_gc(L, LUA_GCCOUNTB);
	lua_pop(L, 2);
	if (running)
		lua_gc(L, LUA_GCRESTART);
	return (int)(((long long)after_k - before_k) * 1024 + (after_b - before_b));
}

void laio_task_own_body(lua_State *L, int idx)
{
	lua_CFunction fn = lua_tocfunction(L, idx);
	luaL_argcheck(L, fn != NULL, idx, "C function expected");
	laio_state(L)->own_body = fn;
}

struct l_task *laio_new_task(lua_State *L, struct l_loop *loop, int nargs)
{
	int loop_idx = lua_gettop(L) - nargs - 1;	/* loop, fn, args... */
	struct l_state *S = loop->S;
	struct l_task *t = lua_newuserdatauv(L, sizeof *t, UV_TASK_COUNT);
	memset(t, 0, sizeof *t);
	t->fut.loop = loop;
	t->fut.is_task = 1;
	t->fut.state = FUT_PENDING;
	t->id = ++S->task_counter;
	/* A task serving a connection makes helpers that serve it too. */
	t->gen = loop->current ? loop->current->gen : loop->gen;
	t->serving = loop->current ? loop->current->serving : 0;
	t->session = loop->current ? loop->current->session : 0;
	aio_timer_init(&t->timer);
	laio_list_init(&t->park);
	lua_rawgeti(L, LUA_REGISTRYINDEX, S->task_metatable);
	lua_setmetatable(L, -2);
	lua_pushvalue(L, loop_idx);
	lua_setiuservalue(L, -2, UV_LOOP);
	/* Asked of every new task: one compare, no registry lookup. */
	int own = S->own_body && lua_tocfunction(L, loop_idx + 1) == S->own_body;
	t->co = lua_newthread(L);
	double born = aio_loop_turn_began(loop->rt);
	if (born == 0)
		born = aio_loop_time(loop->rt);
	_Static_assert(LUA_EXTRASPACE >= sizeof born, "a thread's extra space holds a double");
	memcpy(lua_getextraspace(t->co), &born, sizeof born);
	/* The body, the task, fn and its arguments move onto the new stack;
	 * fn and its arguments alone when fn is its own body. */
	if (!lua_checkstack(t->co, nargs + 3))
		luaL_error(L, "stack overflow (too many arguments)");
	lua_setiuservalue(L, -2, UV_CORO);
	if (!own) {
		lua_pushcfunction(t->co, task_body);
		lua_pushlightuserdata(t->co, t);
	}
	lua_insert(L, loop_idx + 1);	/* task below fn and args */
	lua_xmove(L, t->co, nargs + 1);
	lua_pushvalue(L, -1);
	t->fut.ref = laio_anchor(L, S);
	t->link.next = &loop->tasks;
	t->link.prev = loop->tasks.prev;
	loop->tasks.prev->next = &t->link;
	loop->tasks.prev = &t->link;
	aio_call_soon(loop->rt, &t->timer.call, task_step);
	lua_replace(L, loop_idx);	/* the task takes the loop's slot */
	if (++S->tasks_unfinished > S->tasks_peak)
		credit_burst(L, S);
	return t;
}

static int is_callable(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TFUNCTION)
		return 1;
	if (luaL_getmetafield(L, idx, "__call") == LUA_TNIL)
		return 0;
	lua_pop(L, 1);
	return 1;
}

int laio_check_awaitable(lua_State *L, int idx)
{
	if (laio_test_future(L, idx))
		return AWAITABLE_FUTURE;
	if (luaL_testudata(L, idx, LAIO_COROUTINE))
		return AWAITABLE_COROUTINE;
	if (!is_callable(L, idx))
		luaL_argerror(L, idx, lua_pushfstring(L,
			"awaitable expected, got %s", luaL_typename(L, idx)));
	return AWAITABLE_FUNCTION;
}

int laio_ensure_future(lua_State *L, int idx, int loop_idx)
{
	idx = lua_absindex(L, idx);
	int kind = laio_check_awaitable(L, idx);
	if (kind == AWAITABLE_FUTURE)
		return idx;
	int nargs;
	int coro = kind == AWAITABLE_COROUTINE;
	struct l_loop *loop;
	if (loop_idx) {
		lua_pushvalue(L, loop_idx);
		loop = laio_check_loop(L, -1);
	} else {
		loop = laio_push_running_loop(L);
	}
	if (coro) {
		nargs = laio_coro_unpack(L, idx);
	} else {
		lua_pushvalue(L, idx);
		nargs = 0;
	}
	laio_new_task(L, loop, nargs);
	lua_replace(L, idx);
	return idx;
}

/* asyncio.sleep(delay [, result]) */
static int sleep_k(lua_State *L, int status, lua_KContext nargs)
{
	(void)status;
	resume_check(L, STATE(L)->running->current);
	return nargs >= 2 ? 1 : 0;
}

static void sleep_due(struct aio_call *call)
{
	struct l_task *t = aio_container_of(call, struct l_task, timer.call);
	laio_task_wakeup(t);
}

static int l_sleep(lua_State *L)
{
	lua_Number delay = laio_check_time(L, 1);
	int nargs = lua_gettop(L);
	struct l_task *t = laio_current_task(L, STATE(L));
	struct aio_loop *rt = t->fut.loop->rt;
	if (nargs > 2)
		lua_settop(L, 2);	/* the result on top, for sleep_k */
	if (delay > 0) {
		if (aio_timer_start(rt, &t->timer, aio_loop_time(rt) + delay, sleep_due))
			return luaL_error(L, "not enough memory");
		t->wait = WAIT_SLEEP;
	} else {
		laio_task_wakeup(t);
		t->wait = WAIT_YIELD;
	}
	return lua_yieldk(L, 0, nargs, sleep_k);
}

/* asyncio.await(aw), aw:await() */
static int await_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	resume_check(L, STATE(L)->running->current);
	return laio_push_results(L, 1);
}

static int coro_k(lua_State *L, int status, lua_KContext base)
{
	(void)status;
	return lua_gettop(L) - (int)base;
}

int laio_await(lua_State *L)
{
	luaL_argexpected(L, !lua_isnone(L, 1), 1, "awaitable");
	lua_settop(L, 1);
	if (luaL_testudata(L, 1, LAIO_COROUTINE)) {
		/* A coroutine object runs inside the awaiting task, as in Python. */
		int nargs = laio_coro_unpack(L, 1);
		lua_callk(L, nargs, LUA_MULTRET, 1, coro_k);
		return coro_k(L, LUA_OK, 1);
	}
	struct l_future *f = laio_test_future(L, 1);
	if (!f) {
		laio_ensure_future(L, 1, 0);
		f = lua_touserdata(L, 1);
	}
	if (f->state != FUT_PENDING)
		return laio_push_results(L, 1);
	struct l_task *t = laio_current_task(L, STATE(L));
	if (f == &t->fut)
		return luaL_error(L, "a task cannot await itself");
	push_task(L, t);
	laio_future_add_callback(L, 1, -1);
	lua_pop(L, 1);
	/* The future stays alone in this frame while it waits: it is the
	 * task's waiter (laio_push_task_first). */
	return laio_suspend(L, t, WAIT_FUTURE, await_k);
}

static int l_create_task(lua_State *L)
{
	int nargs;
	int coro = lua_type(L, 1) != LUA_TFUNCTION && luaL_testudata(L, 1, LAIO_COROUTINE);
	if (!coro && !is_callable(L, 1))
		luaL_typeerror(L, 1, "function or coroutine");
	struct l_loop *loop = laio_push_running_loop(L);
	if (coro) {
		nargs = laio_coro_unpack(L, 1);
	} else {
		nargs = lua_gettop(L) - 2;
		lua_insert(L, 1);	/* loop, fn, args... */
	}
	laio_new_task(L, loop, nargs);
	return 1;
}

static int l_ensure_future(lua_State *L)
{
	lua_settop(L, 1);
	laio_ensure_future(L, 1, 0);
	return 1;
}

static int l_current_task(lua_State *L)
{
	struct l_loop *loop = STATE(L)->running;
	if (loop && loop->current)
		push_task(L, loop->current);
	else
		lua_pushnil(L);
	return 1;
}

/* all_tasks([loop]): unfinished tasks of loop, or of the running loop. */
int laio_loop_all_tasks(lua_State *L)
{
	struct l_loop *loop = lua_isnoneornil(L, 1) ? laio_push_running_loop(L)
						    : laio_check_loop(L, 1);
	lua_newtable(L);
	lua_Integer n = 0;
	for (struct l_link *k = loop->tasks.next; k != &loop->tasks; k = k->next) {
		push_task(L, aio_container_of(k, struct l_task, link));
		lua_rawseti(L, -2, ++n);
	}
	lua_pushinteger(L, n);
	lua_setfield(L, -2, "n");
	return 1;
}

static struct l_task *check_task(lua_State *L)
{
	return luaL_checkudata(L, 1, LAIO_TASK);
}

void laio_push_task_name(lua_State *L, int task_idx)
{
	struct l_task *t = lua_touserdata(L, task_idx);
	laio_get_extra(L, task_idx, "name");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushfstring(L, "Task-%I", (lua_Integer)t->id);
	}
}

static int l_task_get_name(lua_State *L)
{
	check_task(L);
	laio_push_task_name(L, 1);
	return 1;
}

static int l_task_set_name(lua_State *L)
{
	check_task(L);
	luaL_tolstring(L, 2, NULL);
	laio_set_extra(L, 1, "name");
	lua_settop(L, 1);
	return 1;
}

static int l_task_cancelling(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)check_task(L)->cancel_requests);
	return 1;
}

static int l_task_uncancel(lua_State *L)
{
	struct l_task *t = check_task(L);
	if (t->cancel_requests > 0 && --t->cancel_requests == 0)
		t->must_cancel = 0;
	lua_pushinteger(L, t->cancel_requests);
	return 1;
}

static int l_task_traceback(lua_State *L)
{
	struct l_task *t = check_task(L);
	if (t->fut.state != FUT_PENDING || !t->started || t == t->fut.loop->current)
		return 0;
	laio_traceback(L, t->co, NULL, 0);
	return 1;
}

static int l_task_tostring(lua_State *L)
{
	static const char *const names[] = {"pending", "cancelled", "finished"};
	struct l_task *t = check_task(L);
	laio_push_task_name(L, 1);
	lua_pushfstring(L, "<Task %s name='%s'>", names[t->fut.state],
			lua_tostring(L, -1));
	return 1;
}

static const luaL_Reg task_methods[] = {
	{"get_name", l_task_get_name},
	{"set_name", l_task_set_name},
	{"cancelling", l_task_cancelling},
	{"uncancel", l_task_uncancel},
	{"traceback", l_task_traceback},
	{NULL, NULL}
};

static const luaL_Reg task_functions[] = {
	{"sleep", l_sleep},
	{"await", laio_await},
	{"create_task", l_create_task},
	{"ensure_future", l_ensure_future},
	{"current_task", l_current_task},
	{"all_tasks", laio_loop_all_tasks},
	{NULL, NULL}
};

void laio_open_task(lua_State *L, int state)
{
	static const luaL_Reg *const methods[] = {
		laio_future_common, task_methods, NULL
	};
	static const luaL_Reg metamethods[] = {
		{"__tostring", l_task_tostring},
		{NULL, NULL}
	};
	laio_new_class(L, LAIO_TASK, state, methods, metamethods);
	laio_mark_future_class(L, LAIO_TASK);
	luaL_getmetatable(L, LAIO_TASK);
	struct l_state *S = lua_touserdata(L, state);
	S->task_metatable = luaL_ref(L, LUA_REGISTRYINDEX);
	S->task_bytes = measure_task_bytes(L);
	lua_pushvalue(L, state);
	luaL_setfuncs(L, task_functions, 1);
}
