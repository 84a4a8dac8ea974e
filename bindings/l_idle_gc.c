/* l_idle_gc.c -- the collector's work done while the loop would sleep, so a burst's garbage is freed when the burst ends */
#include "l_idle_gc.h"

#include <malloc.h>

/*
 * Lua's collector runs as the heap grows: after a burst (a flood of
 * connections, big reads) the loop goes quiet with the burst's garbage
 * still there, and with it the C side of what that holds (a dead stream's
 * buffers), until allocation resumes, which in an idle daemon may be
 * never; and what becomes garbage while it is quiet (a connection that
 * ends) does not make the heap grow at all. So once the loop has slept
 * QUIET seconds after some work, a collection is run then, in slices,
 * and what it freed goes back to the system (malloc_trim): two cycles,
 * as the one under way may have marked before the burst ended, and what
 * has a finalizer is freed by the cycle after the one that finalizes it.
 * Its cost is bounded: one starts only COST_RATIO times its predecessor's
 * time after that one ended, and never for a heap under FLOOR_KB.
 */
#define QUIET 0.25		/* seconds */
#define SLICE_KB 256		/* a step's size: well under a millisecond */
#define FLOOR_KB 1024
#define COST_RATIO 20		/* at most 1/20 of the time goes to these */

static int idle_collect(struct aio_loop *rt, void *ud)
{
	struct l_loop *loop = ud;
	lua_State *L = loop->L;
	/* A script that stopped the collector keeps it stopped. */
	if (!L || !lua_gc(L, LUA_GCISRUNNING))
		return 0;
	double now = aio_loop_time(rt);
	if (!loop->idle_collecting) {
		if (lua_gc(L, LUA_GCCOUNT) < FLOOR_KB ||
		    now < loop->idle_ended + COST_RATIO * loop->idle_took)
			return 0;
		loop->idle_began = now;
		/* In generational mode (stock lua5.4's) there is no cycle to
		 * run in slices; entering it again is a full collection. */
		if (lua_gc(L, LUA_GCINC, 0, 0, 0) == LUA_GCGEN)
			lua_gc(L, LUA_GCGEN, 0, 0);
		else
			loop->idle_collecting = 2;
	}
	if (loop->idle_collecting &&
	    (!lua_gc(L, LUA_GCSTEP, SLICE_KB) || --loop->idle_collecting > 0))
		return 1;
	loop->idle_ended = aio_loop_time(rt);
	loop->idle_took = loop->idle_ended - loop->idle_began;
	malloc_trim(0);
	return 0;
}

void laio_idle_gc_attach(struct l_loop *loop)
{
	aio_loop_on_idle(loop->rt, idle_collect, loop, QUIET);
}
