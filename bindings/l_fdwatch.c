/* l_fdwatch.c -- loop:add_reader/add_writer and asyncio.wait_readable/wait_writable: a script's own descriptors on the loop */
#include "l_fdwatch.h"
#include "l_task.h"
#include "fdwatch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))
#define HOOK "asyncio.FdHook"
#define WAIT "asyncio.FdWait"
/* Registry field: loop -> {readers by descriptor, writers by descriptor},
 * weak, so a loop's hooks go with it. */
#define HOOKS_KEY "asyncio.fdhooks"

static const char *const hook_names[] = {NULL, "reader", "writer"};

/* A hook of add_reader (dir AIO_FDWATCH_READ) or add_writer; its user
 * values are the function and its arguments. */
struct l_fdhook {
	struct aio_fdwatch *w;	/* first (see watch_gc); NULL once removed or dropped */
	struct l_loop *loop;
	int fd;
	int dir;
	int nargs;
};

/* A task in wait_readable or wait_writable. */
struct l_fdwait {
	struct aio_fdwatch *w;	/* first (see watch_gc); NULL once it reported */
	struct l_link waiters;
	int fd;
	int err;		/* what the watch reported */
};

static int fdwait_detail(lua_State *L, const void *object)
{
	lua_pushfstring(L, "%d", ((const struct l_fdwait *)object)->fd);
	return 1;
}

static const struct laio_park_kind waiting_fd = {"fd", offsetof(struct l_fdwait, waiters), fdwait_detail};

/* A descriptor at idx: an integer, or an object whose getfd() or
 * fileno() method gives one (LuaSocket, luaposix style). */
static int check_fd(lua_State *L, int idx)
{
	static const char *const methods[] = {"getfd", "fileno"};
	int t = lua_type(L, idx);
	lua_Integer fd;
	if (t == LUA_TNUMBER) {
		fd = luaL_checkinteger(L, idx);
	} else if (t == LUA_TTABLE || (t == LUA_TUSERDATA && luaL_getmetafield(L, idx, "__index") != LUA_TNIL)) {
		if (t == LUA_TUSERDATA)
			lua_pop(L, 1);
		int i = 0;
		while (i < 2 && lua_getfield(L, idx, methods[i]) == LUA_TNIL) {
			lua_pop(L, 1);
			i++;
		}
		if (i == 2)
			luaL_typeerror(L, idx, "descriptor");
		lua_pushvalue(L, idx);
		lua_call(L, 1, 1);
		if (!lua_isinteger(L, -1))
			luaL_argerror(L, idx, lua_pushfstring(L, "%s() gave no descriptor", methods[i]));
		fd = lua_tointeger(L, -1);
		lua_pop(L, 1);
	} else {
		return luaL_typeerror(L, idx, "descriptor");
	}
	if (fd < 0 || fd > INT_MAX)
		luaL_argerror(L, idx, lua_pushfstring(L, "invalid descriptor %I", (LUAI_UACINT)fd));
	return (int)fd;
}

/* Raises what aio_fdwatch_new said about the descriptor fd at idx. */
static int raise_fd_error(lua_State *L, int idx, int fd, int err)
{
	if (err == -EBUSY)
		return luaL_argerror(L, idx, lua_pushfstring(L,
			"descriptor %d belongs to aiod (a stream, server or endpoint)", fd));
	if (err == -EINVAL)
		return luaL_argerror(L, idx, lua_pushfstring(L,
			"descriptor %d is an epoll set, which aiod does not watch", fd));
	if (err == -ENOMEM)
		return luaL_error(L, "not enough memory");
	lua_pushfstring(L, "descriptor %d", fd);
	laio_push_oserror(L, -err, lua_tostring(L, -1));
	return lua_error(L);
}

/* [-0, +1] The loop at loop_idx's table of hooks in direction dir; nil
 * when it has none and create is 0. */
static void push_hooks(lua_State *L, int loop_idx, int dir, int create)
{
	loop_idx = lua_absindex(L, loop_idx);
	laio_push_weak_table(L, HOOKS_KEY, "k");
	lua_pushvalue(L, loop_idx);
	if (lua_rawget(L, -2) == LUA_TNIL && create) {
		lua_pop(L, 1);
		lua_createtable(L, 2, 0);
		lua_newtable(L);
		lua_rawseti(L, -2, AIO_FDWATCH_READ);
		lua_newtable(L);
		lua_rawseti(L, -2, AIO_FDWATCH_WRITE);
		lua_pushvalue(L, loop_idx);
		lua_pushvalue(L, -2);
		lua_rawset(L, -4);
	}
	if (lua_istable(L, -1))
		lua_rawgeti(L, -1, dir);
	else
		lua_pushnil(L);
	lua_replace(L, -3);
	lua_pop(L, 1);
}

/* Removes the hook of fd from the table at hooks_idx; whether there was one. */
static int drop_hook(lua_State *L, int hooks_idx, int fd)
{
	if (lua_rawgeti(L, hooks_idx, fd) != LUA_TUSERDATA) {
		lua_pop(L, 1);
		return 0;
	}
	struct l_fdhook *h = lua_touserdata(L, -1);
	aio_fdwatch_free(h->w);
	h->w = NULL;
	lua_pop(L, 1);
	lua_pushnil(L);
	lua_rawseti(L, hooks_idx, fd);
	return 1;
}

/*
 * Runs the hook's function as a call_soon callback runs: an error is
 * reported and the hook stays, as in Python. A hook whose descriptor was
 * closed under it is dropped, with a word on stderr, since the script
 * never asked for that.
 */
static void hook_ready(struct aio_fdwatch *w, int err, void *udata)
{
	struct l_fdhook *h = udata;
	lua_State *L = h->loop->L;
	int top = lua_gettop(L);
	(void)w;
	laio_push_running_loop(L);	/* its loop: only a running loop calls */
	push_hooks(L, -1, h->dir, 0);
	int hooks = lua_gettop(L);
	if (err) {
		fprintf(stderr, "aiod: descriptor %d was closed without remove_%s(%d)%s: its %s is dropped\n",
			h->fd, hook_names[h->dir], h->fd,
			err == -EBUSY ? ", and aiod took its number over" : "", hook_names[h->dir]);
		drop_hook(L, hooks, h->fd);
		lua_settop(L, top);
		return;
	}
	lua_pushcfunction(L, laio_traceback_handler);
	lua_rawgeti(L, hooks, h->fd);
	int ud = lua_gettop(L);
	if (!lua_checkstack(L, h->nargs + 1)) {
		fprintf(stderr, "aiod: descriptor %d: no stack room for its %s's arguments\n",
			h->fd, hook_names[h->dir]);
		lua_settop(L, top);
		return;
	}
	for (int i = 1; i <= h->nargs + 1; i++)
		lua_getiuservalue(L, ud, i);
	if (lua_pcall(L, h->nargs, 0, ud - 1) != LUA_OK)
		laio_report(L, "Exception in callback:", -1);
	lua_settop(L, top);
}

/* loop:add_reader(fd, fn, ...), loop:add_writer(fd, fn, ...) */
static int add_hook(lua_State *L, int dir)
{
	struct l_loop *loop = laio_check_open_loop(L, 1);
	int fd = check_fd(L, 2);
	laio_check_callable(L, 3);
	int nargs = lua_gettop(L) - 3;
	if (nargs > LAIO_MAX_USER_VALUES - 1)
		return luaL_error(L, "too many arguments (more than %d)", LAIO_MAX_USER_VALUES - 1);
	struct l_fdhook *h = lua_newuserdatauv(L, sizeof *h, nargs + 1);
	h->w = NULL;
	h->loop = loop;
	h->fd = fd;
	h->dir = dir;
	h->nargs = nargs;
	luaL_setmetatable(L, HOOK);
	for (int i = 1; i <= nargs + 1; i++) {
		lua_pushvalue(L, 2 + i);
		lua_setiuservalue(L, -2, i);
	}
	int err = 0;
	h->w = aio_fdwatch_new(loop->rt, fd, dir, hook_ready, h, &err);
	if (!h->w)
		return raise_fd_error(L, 2, fd, err);
	push_hooks(L, 1, dir, 1);
	drop_hook(L, lua_gettop(L), fd);
	lua_pushvalue(L, -2);
	lua_rawseti(L, -2, fd);
	return 0;
}

static int l_loop_add_reader(lua_State *L)
{
	return add_hook(L, AIO_FDWATCH_READ);
}

static int l_loop_add_writer(lua_State *L)
{
	return add_hook(L, AIO_FDWATCH_WRITE);
}

/* loop:remove_reader(fd), loop:remove_writer(fd) -> whether a hook was
 * there; false on a closed loop, as in Python. */
static int remove_hook(lua_State *L, int dir)
{
	struct l_loop *loop = laio_check_loop(L, 1);
	int fd = check_fd(L, 2);
	push_hooks(L, 1, dir, 0);
	lua_pushboolean(L, loop->rt && lua_istable(L, -1) && drop_hook(L, lua_gettop(L), fd));
	return 1;
}

static int l_loop_remove_reader(lua_State *L)
{
	return remove_hook(L, AIO_FDWATCH_READ);
}

static int l_loop_remove_writer(lua_State *L)
{
	return remove_hook(L, AIO_FDWATCH_WRITE);
}

static void wait_ready(struct aio_fdwatch *w, int err, void *udata)
{
	struct l_fdwait *fw = udata;
	aio_fdwatch_free(w);
	fw->w = NULL;
	fw->err = err;
	laio_unpark_all(&fw->waiters);
}

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
	struct l_fdwait *fw = (struct l_fdwait *)ctx;
	(void)status;
	aio_fdwatch_free(fw->w);	/* still watching when cancelled */
	fw->w = NULL;
	laio_resume_check(L);
	if (fw->err == 0 || fw->err == -ETIMEDOUT) {
		lua_pushboolean(L, fw->err == 0);
		return 1;
	}
	lua_pushfstring(L, "descriptor %d was closed while waited on%s", fw->fd,
			fw->err == -EBUSY ? ", and aiod took its number over" : "");
	laio_push_oserror(L, EBADF, lua_tostring(L, -1));
	return lua_error(L);
}

/* asyncio.wait_readable(fd [, timeout]), asyncio.wait_writable(fd [, timeout])
 * -> true when ready, false when the timeout passed first */
static int wait_fd(lua_State *L, int dir)
{
	int fd = check_fd(L, 1);
	int timed = !lua_isnoneornil(L, 2);
	lua_Number timeout = timed ? laio_check_time(L, 2) : 0;
	struct l_task *t = laio_current_task(L, STATE(L));
	struct aio_loop *rt = t->fut.loop->rt;
	lua_settop(L, 0);
	/* On the task's stack until it resumes; collected with it if its
	 * loop closes first. */
	struct l_fdwait *fw = lua_newuserdatauv(L, sizeof *fw, 0);
	fw->w = NULL;
	laio_list_init(&fw->waiters);
	fw->fd = fd;
	fw->err = 0;
	luaL_setmetatable(L, WAIT);
	int err = 0;
	fw->w = aio_fdwatch_new(rt, fd, dir, wait_ready, fw, &err);
	if (!fw->w)
		return raise_fd_error(L, 1, fd, err);
	if (timed && aio_fdwatch_set_deadline(fw->w, aio_loop_time(rt) + timeout) < 0)
		return luaL_error(L, "not enough memory");
	return laio_park(L, t, &fw->waiters, &waiting_fd, wait_k, (lua_KContext)fw);
}

static int l_wait_readable(lua_State *L)
{
	return wait_fd(L, AIO_FDWATCH_READ);
}

static int l_wait_writable(lua_State *L)
{
	return wait_fd(L, AIO_FDWATCH_WRITE);
}

/* __gc of both: each starts with its watch. */
static int watch_gc(lua_State *L)
{
	struct aio_fdwatch **w = luaL_testudata(L, 1, HOOK);
	if (!w)
		w = luaL_checkudata(L, 1, WAIT);
	aio_fdwatch_free(*w);
	*w = NULL;
	return 0;
}

void laio_open_fdwatch(lua_State *L, int state)
{
	static const char *const classes[] = {HOOK, WAIT};
	for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
		luaL_newmetatable(L, classes[i]);
		lua_pushcfunction(L, watch_gc);
		lua_setfield(L, -2, "__gc");
		lua_pop(L, 1);
	}
	laio_loop_add_method(L, state, "add_reader", l_loop_add_reader);
	laio_loop_add_method(L, state, "remove_reader", l_loop_remove_reader);
	laio_loop_add_method(L, state, "add_writer", l_loop_add_writer);
	laio_loop_add_method(L, state, "remove_writer", l_loop_remove_writer);
	lua_pushvalue(L, state);
	lua_pushcclosure(L, l_wait_readable, 1);
	lua_setfield(L, -2, "wait_readable");
	lua_pushvalue(L, state);
	lua_pushcclosure(L, l_wait_writable, 1);
	lua_setfield(L, -2, "wait_writable");
}
