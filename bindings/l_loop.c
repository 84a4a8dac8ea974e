/* l_loop.c -- what every layer asks of a loop: checking one, the running one, its pools, its jobs and parts */
#include "l_task.h"
#include "workers.h"

#include <string.h>

struct l_loop *laio_check_loop(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, LAIO_LOOP);
}

struct l_loop *laio_check_open_loop(lua_State *L, int idx)
{
	struct l_loop *loop = laio_check_loop(L, idx);
	if (!loop->rt)
		luaL_error(L, "Event loop is closed");
	return loop;
}

struct l_loop *laio_running_loop(lua_State *L)
{
	struct l_state *S = laio_state(L);
	struct l_loop *loop = S ? S->running : NULL;
	if (loop)
		lua_rawgeti(L, LUA_REGISTRYINDEX, loop->ref);
	else
		lua_pushnil(L);
	return loop;
}

struct l_loop *laio_push_running_loop(lua_State *L)
{
	struct l_loop *loop = laio_running_loop(L);
	if (!loop)
		luaL_error(L, "no running event loop");
	return loop;
}

void laio_job_track(struct l_loop *loop, struct l_job *job, void (*free_job)(struct l_job *))
{
	job->free_job = free_job;
	job->link.next = &loop->jobs;
	job->link.prev = loop->jobs.prev;
	loop->jobs.prev->next = &job->link;
	loop->jobs.prev = &job->link;
}

void laio_job_untrack(struct l_job *job)
{
	job->link.prev->next = job->link.next;
	job->link.next->prev = job->link.prev;
	laio_list_init(&job->link);
}

/* Lookups wait on the network, not the CPU; a few at once are enough for
 * a daemon's connects, and more queue in order. */
#define RESOLVER_THREADS 4

static struct aio_workers *pool_of(lua_State *L, struct l_loop *loop,
				   struct aio_workers **pool, unsigned nthreads)
{
	int err;
	if (!*pool) {
		*pool = aio_workers_new(loop->rt, nthreads, &err);
		if (!*pool)
			luaL_error(L, "cannot make the thread pool: %s", strerror(-err));
	}
	return *pool;
}

struct aio_workers *laio_loop_workers(lua_State *L, struct l_loop *loop)
{
	return pool_of(L, loop, &loop->workers, aio_workers_default_threads());
}

struct aio_workers *laio_loop_resolvers(lua_State *L, struct l_loop *loop)
{
	return pool_of(L, loop, &loop->resolvers, RESOLVER_THREADS);
}

void laio_loop_add_method(lua_State *L, int state, const char *name, lua_CFunction fn)
{
	luaL_getmetatable(L, LAIO_LOOP);
	lua_getfield(L, -1, "__index");
	lua_pushvalue(L, state);
	lua_pushcclosure(L, fn, 1);
	lua_setfield(L, -2, name);
	lua_pop(L, 2);
}

void laio_loop_attach(struct l_loop *loop, struct l_loop_part *part)
{
	part->link.next = &loop->parts;
	part->link.prev = loop->parts.prev;
	loop->parts.prev->next = &part->link;
	loop->parts.prev = &part->link;
}

struct l_loop_part *laio_loop_part(struct l_loop *loop, void (*free)(struct l_loop_part *))
{
	for (struct l_link *k = loop->parts.next; k != &loop->parts; k = k->next) {
		struct l_loop_part *part = aio_container_of(k, struct l_loop_part, link);
		if (part->free == free)
			return part;
	}
	return NULL;
}

void laio_loop_close_parts(struct l_loop *loop)
{
	for (struct l_link *k = loop->parts.next; k != &loop->parts; k = k->next) {
		struct l_loop_part *part = aio_container_of(k, struct l_loop_part, link);
		if (part->close)
			part->close(part);
	}
}

void laio_loop_free_parts(struct l_loop *loop)
{
	while (!laio_list_empty(&loop->parts)) {
		struct l_loop_part *part = aio_container_of(loop->parts.next, struct l_loop_part, link);
		part->link.prev->next = part->link.next;
		part->link.next->prev = part->link.prev;
		laio_list_init(&part->link);
		part->free(part);
	}
}
