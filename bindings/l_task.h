/* l_task.h -- asyncio.Task: a coroutine stepped by the loop, how it suspends, parks on a C object's list, and wakes */
#ifndef L_TASK_H
#define L_TASK_H

#include "l_future.h"

#include <stdint.h>
#include <string.h>

#define LAIO_TASK "asyncio.Task"

/* What a suspended task waits for. */
enum { WAIT_NONE, WAIT_SLEEP, WAIT_FUTURE, WAIT_YIELD, WAIT_PARKED };

/*
 * 152 B, so that with its four user values and the header a Task takes
 * the pool's 256 B class, not 272: the counters are narrow, the flags
 * bits, and its birth time lives in its coroutine (laio_task_born).
 */
struct l_task {
	struct l_future fut;
	/* Its call runs the next step, or sleep's wake-up while the timer is
	 * armed or due, or the own callback once finished: one at a time. */
	struct aio_timer timer;
	struct l_link link;	/* in loop->tasks while unfinished */
	struct l_link park;	/* in a C object's list while WAIT_PARKED */
	lua_State *co;
	/* For aiod ps: what it waits on, while WAIT_PARKED; its resumes and
	 * the time spent in them, measured around each resume. */
	const struct laio_park_kind *park_kind;
	struct l_link *park_list;
	uint64_t id : 48;	/* names repeat after 2^48 tasks */
	uint64_t cancel_requests : 16;	/* Python's cancelling(), up to 65535 */
	unsigned gen;		/* aiod's generation: its creator's (0: aiod's own) */
	unsigned resumes;
	float busy;		/* seconds */
	unsigned short session;	/* the aiod attach session that made it, inherited; 0: none */
	unsigned char wait;
	unsigned char must_cancel : 1;
	unsigned char started : 1;
	unsigned char serving : 1;	/* serves a connection: outlives a reload's commit */
	unsigned char control : 1;	/* steps in the loop's control lane (aiod's reload) */
};

/* When it was made, the loop's monotonic time: kept in its coroutine's
 * extra space (LUA_EXTRASPACE), which Lua allocates for every thread and
 * aiod uses for nothing else. */
static inline double laio_task_born(const struct l_task *t)
{
	double born;
	memcpy(&born, lua_getextraspace(t->co), sizeof born);
	return born;
}

/*
 * What a task parked in an object's list waits on, for aiod ps: a label
 * ("read", "Queue.get") and, when the object can tell more, detail(L,
 * object) pushes a string about it (a peer's address) and returns 1, or
 * returns 0. The object is found from the list by offset.
 */
struct laio_park_kind {
	const char *label;
	size_t offset;		/* of the list in the object */
	int (*detail)(lua_State *L, const void *object);
};

/* l_task.c */
struct l_task *laio_current_task(lua_State *L, struct l_state *S);	/* raises outside a task */
struct l_task *laio_new_task(lua_State *L, struct l_loop *loop, int nargs);
/*
 * [-0, +0] Lets the C function at idx (any closure of it; one such
 * function a state) be its task's coroutine body itself,
 * without the frame a task's function runs under (64 B while the task is
 * suspended, a connection's whole idle life for l_net.c's serve). Only for
 * a function that runs Lua code under its own pcall: an error that leaves
 * it ends the task at once, so '<close>' handlers on its way could not
 * suspend. Such an error fails the task as any (traceback included).
 */
void laio_task_own_body(lua_State *L, int idx);
int laio_task_cancel(lua_State *L, int task_idx, int msg_idx);
int laio_suspend(lua_State *L, struct l_task *t, int wait, lua_KFunction k);
/* [-0, +1] Index 1 of the task's coroutine: while it waits on a future
 * (WAIT_FUTURE), that Future or Task, which laio_await leaves alone in the
 * frame it suspends; once it failed, its error (laio_push_exception). */
static inline void laio_push_task_first(lua_State *L, const struct l_task *t)
{
	lua_pushvalue(t->co, 1);
	lua_xmove(t->co, L, 1);
}
void laio_task_wakeup(struct l_task *t);
/*
 * Parking: the task waits in list, a list head kept by a C object (a
 * stream's readers), until the object wakes it with laio_unpark_all or it
 * is cancelled, which takes it off the list. k(L, LUA_YIELD, ctx) runs on
 * resumption and must start with laio_resume_check. kind says what the
 * wait is, for aiod ps.
 */
int laio_park(lua_State *L, struct l_task *t, struct l_link *list,
	      const struct laio_park_kind *kind, lua_KFunction k, lua_KContext ctx);
void laio_unpark_all(struct l_link *list);
/* In the continuation, before laio_resume_check: 1 when laio_unpark_first
 * woke this task and it was cancelled before it ran, so the wake-up must be
 * passed on or it is lost. */
int laio_lost_wakeup(lua_State *L);
/* The running task, after raising CancelledError if it was cancelled. */
struct l_task *laio_resume_check(lua_State *L);
void laio_unpark_head(struct l_link *list);	/* laio_unpark_first on a non-empty list */
/* Wakes the oldest task of list, for objects that hand out one thing per
 * wake-up (a queue's item); 0 if the list was empty. Inline: a queue asks
 * on every put and get, and the list is nearly always empty. */
static inline int laio_unpark_first(struct l_link *list)
{
	if (laio_list_empty(list))
		return 0;
	laio_unpark_head(list);
	return 1;
}
/* [-0, +0] Schedules the function in the finished task's callbacks slot
 * as its callback. */
void laio_task_own_callback(lua_State *L, int task_idx);
/* For a closing loop: takes an unfinished task off every list and lets it
 * be collected; it never runs again. */
void laio_task_abandon(lua_State *L, struct l_task *t);
/* For a closing loop: releases a task whose own callback is this; 0 if not. */
int laio_task_drop(lua_State *L, struct aio_call *call);
/* What the awaitable at idx is; raises (bad argument) if it is none. */
enum { AWAITABLE_FUTURE, AWAITABLE_COROUTINE, AWAITABLE_FUNCTION };
int laio_check_awaitable(lua_State *L, int idx);
/* Replaces the awaitable at idx with a Future or Task (new tasks go on the
 * loop at loop_idx, or the running loop when 0); raises if not awaitable. */
int laio_ensure_future(lua_State *L, int idx, int loop_idx);
int laio_loop_all_tasks(lua_State *L);
void laio_push_task_name(lua_State *L, int task_idx);	/* [-0, +1] */
void laio_open_task(lua_State *L, int state);

int laio_await(lua_State *L);	/* asyncio.await: the awaitable at 1 */

#endif
