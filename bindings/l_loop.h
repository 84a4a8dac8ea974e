/* l_loop.h -- the event loop as the bindings see it: its state, the running loop, its thread pools, what a closing loop must end */
#ifndef L_LOOP_H
#define L_LOOP_H

#include "l_core.h"
#include "loop.h"

#define LAIO_LOOP "asyncio.Loop"

struct l_task;

struct l_loop {
	struct aio_loop *rt;	/* NULL once closed */
	struct l_state *S;
	lua_State *L;		/* the thread running the loop, while it runs */
	struct l_task *current;	/* the task being stepped, or NULL */
	int ref;		/* its own anchor while it runs (laio_anchor) */
	struct l_link tasks;	/* unfinished tasks */
	struct aio_workers *workers;	/* made on first use */
	struct aio_workers *resolvers;	/* host-name lookups' own pool, made on first use */
	struct l_link jobs;	/* the bindings' jobs on it, not freed yet */
	struct l_link parts;	/* capabilities' per-loop state (struct l_loop_part) */
	unsigned gen;		/* the newest generation: tasks made outside a task join it */
	unsigned char running;
	unsigned char stopping;
	unsigned char debug;
	unsigned char until_tasks_done;	/* stop once no task is left, timers or not */
	unsigned char slow_seen;	/* debug: this step's slow point is recorded */
	double step_began;	/* when the current task's step began */
	double step_ended;	/* when the last one ended (0: none yet)... */
	uint64_t step_tick;	/* ...at this aio_loop_ticks: a step right after reuses it */
	unsigned char gc_noted;	/* a future failed unretrieved since the last cycle */
	struct aio_timer gc_timer;	/* drives the collector for the unretrieved */
	double gc_resume;	/* no collecting before then */
	double gc_pause;	/* the wait after a cycle that reported nothing */
	/* The collection run while the loop sleeps (l_idle_gc.c): cycles left
	 * of the one under way; when the last began and ended. */
	unsigned char idle_collecting;
	double idle_began, idle_ended, idle_took;
};

/* l_loop.c */
struct l_loop *laio_check_loop(lua_State *L, int idx);
struct l_loop *laio_check_open_loop(lua_State *L, int idx);	/* not closed */
struct l_loop *laio_push_running_loop(lua_State *L);	/* +1; raises if none */
struct l_loop *laio_running_loop(lua_State *L);	/* +1: it, or nil and NULL */
/* [-0, +0] A method of the Loop class made in another file (state at
 * index state is its upvalue 1). */
void laio_loop_add_method(lua_State *L, int state, const char *name, lua_CFunction fn);
/* The loop's thread pool, made on first use; raises when it cannot be. */
struct aio_workers *laio_loop_workers(lua_State *L, struct l_loop *loop);
/* The pool for getaddrinfo, apart from to_thread's so lookups never wait
 * behind blocking work; made on first use, raises when it cannot be. */
struct aio_workers *laio_loop_resolvers(lua_State *L, struct l_loop *loop);
/*
 * A job the bindings gave the pool (a lookup, a to_thread call). Tracked
 * from submit until freed, so that a closing loop, whose pool drops the
 * done of jobs still out, frees them with free_job.
 */
struct l_job {
	struct l_link link;
	void (*free_job)(struct l_job *job);
};
void laio_job_track(struct l_loop *loop, struct l_job *job, void (*free_job)(struct l_job *));
void laio_job_untrack(struct l_job *job);
/*
 * What a capability keeps per loop (to_thread's share of the workers),
 * embedded in its own struct and recovered with aio_container_of, so the
 * loop need not know it. A closing loop calls close before it frees (joins)
 * the pools, then free once they and the jobs are gone; the part is
 * detached before free. free also names the kind for laio_loop_part.
 */
struct l_loop_part {
	struct l_link link;
	void (*close)(struct l_loop_part *part);
	void (*free)(struct l_loop_part *part);
};
void laio_loop_attach(struct l_loop *loop, struct l_loop_part *part);
/* The loop's part of the kind free, or NULL. */
struct l_loop_part *laio_loop_part(struct l_loop *loop, void (*free)(struct l_loop_part *));
/* For a closing loop: close every part (before the pools go), free every part (after). */
void laio_loop_close_parts(struct l_loop *loop);
void laio_loop_free_parts(struct l_loop *loop);

#endif
