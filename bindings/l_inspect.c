/* l_inspect.c -- internals for looking inside a running loop (aiod ps, stack): a task's state, what it waits on, where it is */
#include "l_inspect.h"
#include "l_process.h"
#include "l_gather.h"
#include "l_stream.h"
#include "l_traceback.h"

#include "workers.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The first frame of a script file, else the first Lua frame: the line a
 * person looks for is theirs, not asyncio's internals (chunks named "="). */
static int push_where(lua_State *L, lua_State *co)
{
	lua_Debug ar;
	int fallback = -1;
	for (int level = 0; lua_getstack(co, level, &ar); level++) {
		if (!lua_getinfo(co, "Sl", &ar) || ar.currentline < 0)
			continue;
		if (ar.source[0] == '@') {
			lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
			return 1;
		}
		if (fallback < 0)
			fallback = level;
	}
	if (fallback < 0 || !lua_getstack(co, fallback, &ar) || !lua_getinfo(co, "Sl", &ar))
		lua_pushnil(L);
	else
		lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
	return 1;
}

/* What the awaited Future or Task at idx is, as ps shows it: a task's
 * name, "gather", or "Future". */
static void push_awaited(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	struct l_future *f = laio_test_future(L, idx);
	if (f && f->is_task) {
		laio_push_task_name(L, idx);
	} else if (laio_push_gather_children(L, idx)) {
		lua_pop(L, 1);
		lua_pushliteral(L, "gather");
	} else {
		lua_pushliteral(L, "Future");
	}
}

static void push_parked(lua_State *L, const struct l_task *t)
{
	const struct laio_park_kind *kind = t->park_kind;
	if (!kind) {
		lua_pushliteral(L, "I/O");
		return;
	}
	if (kind->detail && kind->detail(L, (const char *)t->park_list - kind->offset)) {
		lua_pushfstring(L, "%s %s", kind->label, lua_tostring(L, -1));
		lua_remove(L, -2);
		return;
	}
	lua_pushstring(L, kind->label);
}

/*
 * Waits written in Lua name themselves with note_wait: their futures are
 * plain ones, so the label goes on the task, in park_kind, until it
 * resumes. Only these labels: they must outlive the call.
 */
static const struct laio_park_kind noted[] = {
	{"Lock.acquire", 0, NULL}, {"Event.wait", 0, NULL},
	{"Condition.wait", 0, NULL}, {"Semaphore.acquire", 0, NULL},
	{"TaskGroup", 0, NULL}, {"shield", 0, NULL},
	{"wait", 0, NULL}, {"as_completed", 0, NULL}, {"serve_forever", 0, NULL},
	{"Server.wait_closed", 0, NULL}, {"cancel", 0, NULL},
};
#define NNOTED (sizeof noted / sizeof *noted)

/* note_wait(label [, children]): the running task's next wait is label;
 * children (a task, or a table of tasks as keys or values) are what it
 * waits for, for aiod pstree. */
static int l_note_wait(lua_State *L)
{
	const char *label = luaL_checkstring(L, 1);
	struct l_task *t = laio_current_task(L, laio_state(L));
	for (size_t i = 0; i < NNOTED; i++) {
		if (strcmp(noted[i].label, label) == 0) {
			t->park_kind = &noted[i];
			if (!lua_isnoneornil(L, 2)) {
				lua_rawgeti(L, LUA_REGISTRYINDEX, t->fut.ref);
				lua_pushvalue(L, 2);
				laio_set_extra(L, -2, "awaits");
			}
			return 0;
		}
	}
	return luaL_argerror(L, 1, "unknown wait");
}

/* "running", "pending" (not started yet), "sleeping", "awaiting",
 * "waiting" (parked in an object), "ready" or "done". */
static const char *task_state(const struct l_task *t)
{
	return t->fut.state != FUT_PENDING ? "done"
		: t == t->fut.loop->current ? "running"
		: !t->started ? "pending"
		: t->wait == WAIT_SLEEP ? "sleeping"
		: t->wait == WAIT_FUTURE ? "awaiting"
		: t->wait == WAIT_PARKED ? "waiting"
		: "ready";
}

/* [-0, +1]: what the task at idx waits on ("sleep 4.2s left",
 * "Queue.get", "read 10.0.0.5:443", "Task-7"), or nil. */
static void push_waits(lua_State *L, int idx, double now)
{
	struct l_task *t = lua_touserdata(L, idx);
	struct l_loop *loop = t->fut.loop;
	char buf[32];
	if (t == loop->current) {
		snprintf(buf, sizeof buf, "running for %.1fs", now - loop->step_began);
		lua_pushstring(L, buf);
	} else if (t->fut.state != FUT_PENDING || !t->started) {
		lua_pushnil(L);
	} else if (t->wait == WAIT_SLEEP) {
		double left = t->timer.when - now;
		snprintf(buf, sizeof buf, "sleep %.1fs left", left > 0 ? left : 0.0);
		lua_pushstring(L, buf);
	} else if (t->wait == WAIT_FUTURE) {
		if (t->park_kind) {
			lua_pushstring(L, t->park_kind->label);
		} else {
			laio_push_task_first(L, t);
			push_awaited(L, -1);
			lua_remove(L, -2);
		}
	} else if (t->wait == WAIT_PARKED) {
		push_parked(L, t);
	} else {
		lua_pushnil(L);
	}
}

static double task_now(const struct l_task *t)
{
	return t->fut.loop->rt ? aio_loop_time(t->fut.loop->rt) : laio_task_born(t);
}

/*
 * task_info(task) -> id, name, generation, state, waits, age, resumes,
 * busy, where: state as task_state, waits as push_waits.
 */
static int l_task_info(lua_State *L)
{
	struct l_task *t = luaL_checkudata(L, 1, LAIO_TASK);
	struct l_loop *loop = t->fut.loop;
	double now = task_now(t);
	lua_settop(L, 1);
	lua_pushinteger(L, (lua_Integer)t->id);
	laio_push_task_name(L, 1);
	lua_pushinteger(L, t->gen);
	lua_pushstring(L, task_state(t));
	push_waits(L, 1, now);
	lua_pushnumber(L, now - laio_task_born(t));
	lua_pushinteger(L, t->resumes);
	/* A running task's time includes its step so far. */
	lua_pushnumber(L, t->busy + (t == loop->current ? now - loop->step_began : 0));
	if (t->fut.state == FUT_PENDING && t->started)
		push_where(L, t->co);
	else
		lua_pushnil(L);
	return 9;
}

/* SIGUSR1's dump: the words of aiod ps and stack, on stderr, for when the
 * control socket is off or the loop too stuck to answer it in time. */
void laio_dump_tasks(lua_State *L, struct l_loop *loop)
{
	int n = 0;
	for (struct l_link *k = loop->tasks.next; k != &loop->tasks; k = k->next)
		n++;
	fprintf(stderr, "aiod: %d unfinished task%s\n", n, n == 1 ? "" : "s");
	for (struct l_link *k = loop->tasks.next; k != &loop->tasks; k = k->next) {
		struct l_task *t = aio_container_of(k, struct l_task, link);
		lua_rawgeti(L, LUA_REGISTRYINDEX, t->fut.ref);
		int tidx = lua_gettop(L);
		push_waits(L, tidx, task_now(t));
		const char *waits = lua_tostring(L, -1);
		fprintf(stderr, "%s %s%s%s, generation %u%s\n", luaL_tolstring(L, tidx, NULL),
			task_state(t), waits ? ", " : "", waits ? waits : "", t->gen,
			t->serving ? ", serving a connection" : "");
		if (t->started && t != loop->current) {
			laio_traceback(L, t->co, NULL, 0);
			fprintf(stderr, "%s\n", lua_tostring(L, -1));
		}
		lua_settop(L, tidx - 1);
	}
	fflush(stderr);
}

/*
 * task_awaits(task) -> awaited, children, how: the Future or Task it
 * awaits, what that wait waits for (a gather's list, note_wait's
 * children), and the wait's label ("gather", "TaskGroup"; nil for a plain
 * await); all nil unless it awaits. Makes no strings of its own, for a
 * pass over every task.
 */
static int l_task_awaits(lua_State *L)
{
	struct l_task *t = luaL_checkudata(L, 1, LAIO_TASK);
	if (t->fut.state != FUT_PENDING || !t->started || t == t->fut.loop->current ||
	    t->wait != WAIT_FUTURE)
		return 0;
	lua_settop(L, 1);
	laio_push_task_first(L, t);
	if (t->park_kind) {
		laio_get_extra(L, 1, "awaits");
		lua_pushstring(L, t->park_kind->label);
	} else if (laio_push_gather_children(L, 2)) {
		lua_pushliteral(L, "gather");
	} else {
		lua_pushnil(L);
		lua_pushnil(L);
	}
	return 3;
}

/* task_id(task) -> its number (aiod ps's ID) */
static int l_task_id(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)((struct l_task *)luaL_checkudata(L, 1, LAIO_TASK))->id);
	return 1;
}

/* task_traceback(task [, msg]) -> the traceback of a suspended task's
 * coroutine, or nil for one that is running, finished or not started. */
static int l_task_traceback(lua_State *L)
{
	struct l_task *t = luaL_checkudata(L, 1, LAIO_TASK);
	if (t->fut.state != FUT_PENDING || !t->started || t == t->fut.loop->current)
		return 0;
	luaL_traceback(L, t->co, luaL_optstring(L, 2, NULL), 0);
	return 1;
}

/* loop_stats() -> turns, lag p50, p99, max (seconds, the last minute),
 * the newest generation, jobs on worker threads, children not reaped. */
static int l_loop_stats(lua_State *L)
{
	struct l_loop *loop = laio_push_running_loop(L);
	struct aio_lag_summary lag;
	aio_loop_lag(loop->rt, &lag);
	lua_pushinteger(L, (lua_Integer)aio_loop_turns(loop->rt));
	lua_pushnumber(L, lag.p50);
	lua_pushnumber(L, lag.p99);
	lua_pushnumber(L, lag.max);
	lua_pushinteger(L, loop->gen);
	size_t jobs = (loop->workers ? aio_workers_pending(loop->workers) : 0) +
		      (loop->resolvers ? aio_workers_pending(loop->resolvers) : 0);
	lua_pushinteger(L, (lua_Integer)jobs);
	lua_pushinteger(L, (lua_Integer)laio_children_running());
	return 7;
}

/* Seconds since the process started, from /proc's clock ticks; -1 when
 * it cannot tell. */
static double process_uptime(void)
{
	unsigned long long start = 0;
	double since_boot = -1;
	FILE *f = fopen("/proc/self/stat", "r");
	if (f) {
		/* The name, field 2, may hold spaces: fields count from its ')'. */
		char buf[1024];
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = '\0';
		char *p = strrchr(buf, ')');
		if (!p || sscanf(p + 2, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
				 &start) != 1)
			start = 0;
		fclose(f);
	}
	f = fopen("/proc/uptime", "r");
	if (f) {
		if (fscanf(f, "%lf", &since_boot) != 1)
			since_boot = -1;
		fclose(f);
	}
	if (!start || since_boot < 0)
		return -1;
	return since_boot - (double)start / (double)sysconf(_SC_CLK_TCK);
}

/* process_stats() -> resident bytes, open descriptors, seconds since it
 * started (each nil when /proc cannot tell). */
static int l_process_stats(lua_State *L)
{
	long pages = -1;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%*d %ld", &pages) != 1)
			pages = -1;
		fclose(f);
	}
	if (pages >= 0)
		lua_pushinteger(L, (lua_Integer)pages * sysconf(_SC_PAGESIZE));
	else
		lua_pushnil(L);
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		lua_Integer n = -1;	/* the listing's own descriptor */
		for (struct dirent *e; (e = readdir(d));)
			if (e->d_name[0] != '.')
				n++;
		closedir(d);
		lua_pushinteger(L, n);
	} else {
		lua_pushnil(L);
	}
	double up = process_uptime();
	if (up >= 0)
		lua_pushnumber(L, up);
	else
		lua_pushnil(L);
	return 3;
}

static int l_getpid(lua_State *L)
{
	lua_pushinteger(L, getpid());
	return 1;
}

const luaL_Reg laio_inspect_functions[] = {
	{"getpid", l_getpid},
	{"loop_stats", l_loop_stats},
	{"process_stats", l_process_stats},
	{"task_info", l_task_info},
	{"task_traceback", l_task_traceback},
	{"task_awaits", l_task_awaits},
	{"task_id", l_task_id},
	{"note_wait", l_note_wait},
	{NULL, NULL}
};
