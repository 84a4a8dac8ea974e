/* l_process.c -- the process primitives processes.lua builds on: spawn, wait, kill */
#include "l_process.h"
#include "l_stream.h"
#include "process.h"
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LAIO_CHILD "asyncio.Child"

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))

/* Python's values for the stdio options. */
enum { SPEC_PIPE = -1, SPEC_STDOUT = -2, SPEC_DEVNULL = -3 };

/* A child process: what a Process table holds. */
struct l_child {
	struct aio_process *p;	/* NULL once freed */
	struct l_link waiters;	/* tasks in wait() */
	int status;
	unsigned char exited;
};

static int child_detail(lua_State *L, const void *object)
{
	const struct l_child *c = object;
	if (!c->p)
		return 0;
	lua_pushfstring(L, "%d", (int)aio_process_pid(c->p));
	return 1;
}

static const struct laio_park_kind wait_process = {"process", offsetof(struct l_child, waiters), child_detail};

/* Spawned and not reaped yet, for aiod stats. */
static unsigned long children_running;

unsigned long laio_children_running(void)
{
	return children_running;
}

static void child_exited(struct aio_process *p, int status)
{
	struct l_child *c = aio_process_udata(p);
	children_running--;
	c->status = status;
	c->exited = 1;
	laio_unpark_all(&c->waiters);
}

static void push_returncode(lua_State *L, const struct l_child *c)
{
	if (!c->exited)
		lua_pushnil(L);
	else if (WIFSIGNALED(c->status))
		lua_pushinteger(L, -WTERMSIG(c->status));
	else
		lua_pushinteger(L, WEXITSTATUS(c->status));
}

/* The strings of the sequence at idx, NULL-ended, in a userdata pushed on
 * the stack (so an error cannot leak it); name says which option it is. */
static char **push_string_list(lua_State *L, int idx, int env)
{
	lua_Integer n = 0;
	if (env) {
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			if (lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1))
				luaL_error(L, "env: names and values must be strings");
			n++;
			lua_pop(L, 1);
		}
	} else {
		n = luaL_len(L, idx);
	}
	char **list = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *list, 1);
	lua_createtable(L, (int)n, 0);	/* keeps the strings alive */
	lua_Integer i = 0;
	if (env) {
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			lua_pushvalue(L, -2);
			lua_pushliteral(L, "=");
			lua_pushvalue(L, -3);
			lua_concat(L, 3);
			list[i] = (char *)lua_tostring(L, -1);
			lua_rawseti(L, -4, ++i);
			lua_pop(L, 1);
		}
	} else {
		for (i = 0; i < n; i++) {
			lua_geti(L, idx, i + 1);
			list[i] = (char *)lua_tostring(L, -1);
			lua_rawseti(L, -2, i + 1);
		}
	}
	list[n] = NULL;
	lua_setiuservalue(L, -2, 1);
	return list;
}

static struct aio_stdio check_stdio(lua_State *L, int idx, int which)
{
	struct aio_stdio s = {AIO_STDIO_INHERIT, -1};
	if (lua_isnil(L, idx))
		return s;
	lua_Integer v = luaL_checkinteger(L, idx);
	if (v == SPEC_PIPE)
		s.kind = AIO_STDIO_PIPE;
	else if (v == SPEC_DEVNULL)
		s.kind = AIO_STDIO_DEVNULL;
	else if (v == SPEC_STDOUT && which == 2)
		s.kind = AIO_STDIO_STDOUT;
	else if (v >= 0 && v <= 0x7fffffff)
		s.kind = AIO_STDIO_FD, s.fd = (int)v;
	else
		luaL_argerror(L, idx, "not a descriptor, PIPE, DEVNULL or (for stderr) STDOUT");
	return s;
}

/* The descriptors of the list at idx (integers that processes.lua
 * checked), in a userdata pushed on the stack; their count in *n. */
static int *push_fd_list(lua_State *L, int idx, size_t *n)
{
	*n = lua_rawlen(L, idx);
	int *fds = lua_newuserdatauv(L, (*n ? *n : 1) * sizeof *fds, 0);
	for (size_t i = 0; i < *n; i++) {
		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		fds[i] = (int)lua_tointeger(L, -1);
		lua_pop(L, 1);
	}
	return fds;
}

/* The context of a spawn's failure: what was wrong, as the user gave it. */
static void push_spawn_context(lua_State *L, const struct aio_spawn *how, int err)
{
	struct stat st;
	int closed = err == -EBADF ? aio_process_closed_fd(how) : -1;
	if (closed >= 0)
		lua_pushfstring(L, "pass_fds: descriptor %d", closed);
	else if (how->cwd && err == -ENOENT && stat(how->cwd, &st) < 0)
		lua_pushfstring(L, "cwd '%s'", how->cwd);
	else
		lua_pushfstring(L, "cannot run '%s'", how->file);
}

/*
 * spawn(file, argv, env|nil, cwd|nil, stdin, stdout, stderr, limit,
 *       new_session, process_group|nil, pass_fds|nil)
 *   -> child, pid, stdin writer|nil, stdout reader|nil, stderr reader|nil
 *
 * The connections for the pipes are made before the child, so that no
 * error can come between the pipes' birth and their owners.
 */
static int l_spawn(lua_State *L)
{
	struct aio_spawn how;
	memset(&how, 0, sizeof how);
	how.file = luaL_checkstring(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	how.cwd = luaL_optstring(L, 4, NULL);
	for (int i = 0; i < 3; i++)
		how.stdio[i] = check_stdio(L, 5 + i, i);
	lua_Integer limit = luaL_checkinteger(L, 8);
	how.new_session = lua_toboolean(L, 9);
	if (!lua_isnoneornil(L, 10)) {
		how.set_pgroup = 1;
		how.pgroup = (pid_t)luaL_checkinteger(L, 10);
	}
	if (!lua_isnoneornil(L, 11)) {
		luaL_checktype(L, 11, LUA_TTABLE);
		how.pass_fds = push_fd_list(L, 11, &how.n_pass_fds);
	}
	how.argv = push_string_list(L, 2, 0);
	if (!lua_isnil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		how.envp = push_string_list(L, 3, 1);
	}
	struct l_task *t = laio_current_task(L, STATE(L));
	struct aio_loop *rt = t->fut.loop->rt;
	/* Writing to a pipe whose reader left must fail, not kill: aiod
	 * ignores SIGPIPE already; stock lua5.4 with this module may not. */
	if (how.stdio[0].kind == AIO_STDIO_PIPE) {
		struct sigaction sa;
		if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
			signal(SIGPIPE, SIG_IGN);
	}
	struct l_child *c = lua_newuserdatauv(L, sizeof *c, 0);
	memset(c, 0, sizeof *c);
	laio_list_init(&c->waiters);
	luaL_setmetatable(L, LAIO_CHILD);
	int child = lua_gettop(L);
	lua_pushnil(L);		/* the pid, below */
	struct l_conn *conns[3];
	for (int i = 0; i < 3; i++) {
		conns[i] = NULL;
		if (how.stdio[i].kind == AIO_STDIO_PIPE)
			conns[i] = laio_push_conn(L, (size_t)limit);
		else
			lua_pushnil(L);
	}
	int pipes[3], err;
	c->p = aio_process_spawn(rt, &how, pipes, child_exited, c, &err);
	if (!c->p) {
		push_spawn_context(L, &how, err);
		laio_push_oserror(L, -err, lua_tostring(L, -1));
		return lua_error(L);
	}
	children_running++;
	lua_pushinteger(L, aio_process_pid(c->p));
	lua_replace(L, child + 1);
	err = 0;
	for (int i = 0; i < 3; i++) {
		if (pipes[i] < 0)
			continue;
		if (!err)
			err = laio_conn_open(conns[i], rt, pipes[i],
					     i == 0 ? AIO_STREAM_NO_READ : AIO_STREAM_NO_WRITE);
		if (err)
			close(pipes[i]);
	}
	if (err) {
		laio_push_oserror(L, -err, "pipe");
		return lua_error(L);
	}
	if (conns[0]) {
		laio_push_writer(L, child + 2);
		lua_replace(L, child + 2);
	}
	return 5;
}

static struct l_child *check_child(lua_State *L)
{
	return luaL_checkudata(L, 1, LAIO_CHILD);
}

/* child:wait() -> returncode */
static int wait_step(lua_State *L);

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	laio_conn_resumed(L);
	return wait_step(L);
}

static int wait_step(lua_State *L)
{
	struct l_child *c = lua_touserdata(L, 1);
	if (!c->exited) {
		struct l_task *t = laio_current_task(L, STATE(L));
		return laio_conn_park(L, t, &c->waiters, &wait_process, wait_k, 0);
	}
	push_returncode(L, c);
	return 1;
}

static int l_child_wait(lua_State *L)
{
	check_child(L);
	lua_settop(L, 1);
	return wait_step(L);
}

static int l_child_returncode(lua_State *L)
{
	push_returncode(L, check_child(L));
	return 1;
}

/* child:kill(sig [, tree]): sig a signal number (processes.lua turns
 * names into numbers and checks them); tree: all it started that can be
 * reached, its whole process group when it leads one (even after it ended
 * while held), else its descendants (aio_process_kill_tree). Does nothing
 * once the child ended (or, with tree, was reaped), as Python's
 * send_signal. */
static int l_child_kill(lua_State *L)
{
	struct l_child *c = check_child(L);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_argcheck(L, n > 0 && n < NSIG, 2, "not a signal number");
	int sig = (int)n, tree = lua_toboolean(L, 3);
	if ((c->exited && !tree) || !c->p)
		return 0;
	int r = tree ? aio_process_kill_tree(c->p, sig) : aio_process_kill(c->p, sig);
	if (r < 0 && r != -ESRCH) {
		laio_push_oserror(L, -r, "kill");
		return lua_error(L);
	}
	return 0;
}

/* child:hold(), child:release(): aio_process_hold and _release. */
static int l_child_hold(lua_State *L)
{
	struct l_child *c = check_child(L);
	if (c->p)
		aio_process_hold(c->p);
	return 0;
}

static int l_child_release(lua_State *L)
{
	struct l_child *c = check_child(L);
	if (c->p)
		aio_process_release(c->p);
	return 0;
}

static int l_child_gc(lua_State *L)
{
	struct l_child *c = check_child(L);
	if (c->p)
		aio_process_free(c->p);
	c->p = NULL;
	return 0;
}

/* close_reader(reader): closes a child's pipe before its end of file
 * (StreamReaders have no close of their own); its readers see the end. */
static int l_close_reader(lua_State *L)
{
	laio_conn_close(luaL_checkudata(L, 1, LAIO_READER));
	return 0;
}

/* can_wait() -> whether the caller may suspend: in a task's own
 * coroutine, yieldable (a __close run as a task dies is not). */
static int l_can_wait(lua_State *L)
{
	struct l_state *S = STATE(L);
	struct l_task *t = S->running ? S->running->current : NULL;
	lua_pushboolean(L, t && t->co == L && lua_isyieldable(L));
	return 1;
}

/* signal_number(name) -> number or nil */
static int l_signal_number(lua_State *L)
{
	int sig = aio_signal_number(luaL_checkstring(L, 1));
	if (sig < 0)
		return 0;
	lua_pushinteger(L, sig);
	return 1;
}

static int l_signal_name(lua_State *L)
{
	const char *name = aio_signal_name((int)luaL_checkinteger(L, 1));
	if (!name)
		return 0;
	lua_pushstring(L, name);
	return 1;
}

static const luaL_Reg child_methods[] = {
	{"wait", l_child_wait},
	{"returncode", l_child_returncode},
	{"kill", l_child_kill},
	{"hold", l_child_hold},
	{"release", l_child_release},
	{NULL, NULL}
};

static const luaL_Reg child_meta[] = {
	{"__gc", l_child_gc},
	{NULL, NULL}
};

/* internals.open_process(): this table of primitives, made when
 * processes.lua first loads. */
int laio_open_process(lua_State *L)
{
	int state = lua_upvalueindex(1);
	static const luaL_Reg *const child[] = {child_methods, NULL};
	laio_new_class(L, LAIO_CHILD, state, child, child_meta);
	lua_newtable(L);
	lua_pushvalue(L, state);
	lua_pushcclosure(L, l_spawn, 1);
	lua_setfield(L, -2, "spawn");
	lua_pushcfunction(L, l_signal_number);
	lua_setfield(L, -2, "signal_number");
	lua_pushcfunction(L, l_signal_name);
	lua_setfield(L, -2, "signal_name");
	lua_pushcfunction(L, l_close_reader);
	lua_setfield(L, -2, "close_reader");
	lua_pushvalue(L, state);
	lua_pushcclosure(L, l_can_wait, 1);
	lua_setfield(L, -2, "can_wait");
	static const struct laio_constant constants[] = {
		{"NSIG", NSIG},
		{"PIPE", SPEC_PIPE},
		{"STDOUT", SPEC_STDOUT},
		{"DEVNULL", SPEC_DEVNULL},
		{NULL, 0}
	};
	laio_set_constants(L, constants);
	return 1;
}
