/* l_control.c -- the control socket's binding: requests become tasks of control.lua; a stuck loop is answered from a hook */
#include "l_control.h"
#include "l_stream.h"
#include "control.h"
#include "control_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LAIO_CONTROL_REQUEST "aiod.ControlRequest"

extern const char laio_control_lua[], laio_repl_lua[];
extern const unsigned laio_control_lua_size, laio_repl_lua_size;

/* A request as Lua holds it; req is NULL once answered. The answer
 * gathers in buf, outside Lua's heap: a big one (ps of many tasks) made
 * as one Lua string would make the collector pay for it in one step. */
struct l_request {
	struct aio_control_request *req;
	char *buf;
	size_t len, cap;
};

/* One control socket a process (aiod's). */
static struct {
	struct aio_control *ctl;
	struct l_loop *loop;
	int on_disk;		/* path is ours to remove */
	int handlers;		/* registry: control.lua's table */
	char path[108];
	/* The hook that catches a stuck task, and the one it stood in for. */
	lua_State *hooked;
	lua_Hook old_hook;
	int old_mask, old_count;
} control = {.handlers = LUA_NOREF};

/* Seconds a request may wait for the loop before the running task is
 * interrupted to answer it: well under the second aiod ps promises. */
#define STALL_AFTER 0.25

static struct l_request *check_pending(lua_State *L)
{
	struct l_request *r = luaL_checkudata(L, 1, LAIO_CONTROL_REQUEST);
	if (!r->req)
		luaL_error(L, "attempt to use an answered ControlRequest");
	return r;
}

/* [-0, +0, m] Appends the strings from idx on to the answer. */
static void append(lua_State *L, struct l_request *r, int idx)
{
	for (int top = lua_gettop(L); idx <= top; idx++) {
		size_t n;
		const char *s = luaL_checklstring(L, idx, &n);
		if (r->len + n > r->cap) {
			size_t cap = r->cap ? r->cap : 4096;
			while (cap < r->len + n)
				cap *= 2;
			char *buf = realloc(r->buf, cap);
			if (!buf)
				luaL_error(L, "not enough memory");
			r->buf = buf;
			r->cap = cap;
		}
		memcpy(r->buf + r->len, s, n);
		r->len += n;
	}
}

/* req:line() -> the request's text */
static int l_request_line(lua_State *L)
{
	struct aio_control_request *req = check_pending(L)->req;
	lua_pushlstring(L, req->line, req->len);
	return 1;
}

/* req:peer() -> uid, pid */
static int l_request_peer(lua_State *L)
{
	struct aio_control_request *req = check_pending(L)->req;
	lua_pushinteger(L, req->uid);
	lua_pushinteger(L, req->pid);
	return 2;
}

/* req:write(text, ...): more of the answer */
static int l_request_write(lua_State *L)
{
	append(L, check_pending(L), 2);
	return 0;
}

/* req:clear(): drops what was written so far */
static int l_request_clear(lua_State *L)
{
	check_pending(L)->len = 0;
	return 0;
}

/* req:reply([text, ...]): the answer's end; all of it is sent, then the
 * connection closes */
static int l_request_reply(lua_State *L)
{
	struct l_request *r = check_pending(L);
	append(L, r, 2);
	struct aio_control_request *req = r->req;
	char *buf = r->buf ? r->buf : malloc(1);
	r->req = NULL;
	r->buf = NULL;
	aio_control_send(control.ctl, req, buf, buf ? r->len : 0);
	if (!buf)
		return luaL_error(L, "not enough memory");
	return 0;
}

/* req:connection() -> reader, writer, rest: the client's connection as a
 * stream of the loop's (aiod attach), and what it sent after its line */
static int l_request_connection(lua_State *L)
{
	struct l_request *lr = check_pending(L);
	struct aio_control_request *r = lr->req;
	lr->req = NULL;
	struct l_conn *c = laio_push_conn(L, 65536);
	char *rest;
	size_t n;
	int fd = aio_control_detach(control.ctl, r, &rest, &n);
	if (fd < 0) {
		laio_push_oserror(L, -fd, "control connection");
		return lua_error(L);
	}
	lua_pushlstring(L, rest ? rest : "", n);
	free(rest);
	int err = laio_conn_open(c, control.loop->rt, fd, AIO_STREAM_SOCKET | AIO_STREAM_NONBLOCK);
	if (err < 0) {
		close(fd);
		laio_push_oserror(L, -err, "control connection");
		return lua_error(L);
	}
	laio_push_writer(L, -2);
	lua_insert(L, -2);
	return 3;
}

int laio_push_repl(lua_State *L)
{
	if (luaL_loadbufferx(L, laio_repl_lua, laio_repl_lua_size, "=repl.lua", "b") != LUA_OK)
		return lua_error(L);
	lua_getfield(L, LUA_REGISTRYINDEX, LAIO_MODULE);
	lua_getfield(L, LUA_REGISTRYINDEX, LAIO_INTERNALS);
	lua_call(L, 2, 1);
	return 1;
}

/* Dropped unanswered (an error in its task): the client sees the
 * connection close. Not after the control socket itself has gone. */
static int l_request_gc(lua_State *L)
{
	struct l_request *r = lua_touserdata(L, 1);
	if (r->req && control.ctl)
		aio_control_send(control.ctl, r->req, NULL, 0);
	r->req = NULL;
	free(r->buf);
	r->buf = NULL;
	return 0;
}

static void push_request(lua_State *L, struct aio_control_request *req)
{
	struct l_request *r = lua_newuserdatauv(L, sizeof *r, 0);
	memset(r, 0, sizeof *r);
	r->req = req;
	luaL_setmetatable(L, LAIO_CONTROL_REQUEST);
}

/* control.lua loads with the first request: a daemon nobody inspects does
 * not pay for it at start-up. */
static int load_handlers(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, LAIO_MODULE);
	if (luaL_loadbufferx(L, laio_control_lua, laio_control_lua_size, "=control.lua", "b") != LUA_OK)
		return lua_error(L);
	lua_insert(L, -2);
	lua_getfield(L, LUA_REGISTRYINDEX, LAIO_INTERNALS);
	laio_push_repl(L);
	lua_call(L, 3, 1);
	return 1;
}

/* [-(nargs+1), +0] Calls control.lua's handler name with the value below
 * the nargs on top and those; an error is reported, never raised. Returns
 * the handler's result's truth. */
static int call_handler(lua_State *L, const char *name, int nargs)
{
	if (control.handlers == LUA_NOREF) {
		lua_pushcfunction(L, load_handlers);
		if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
			laio_report(L, "aiod: control:", -1);
			lua_pop(L, nargs + 2);
			return 0;
		}
		control.handlers = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, control.handlers);
	lua_getfield(L, -1, name);
	lua_remove(L, -2);
	lua_insert(L, -nargs - 2);
	if (lua_pcall(L, nargs + 1, 1, 0) != LUA_OK) {
		laio_report(L, "aiod: control:", -1);
		lua_pop(L, 1);
		return 0;
	}
	int truth = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return truth;
}

static void on_request(struct aio_control *ctl, struct aio_control_request *req, void *udata)
{
	(void)ctl;
	(void)udata;
	lua_State *L = control.loop->L;
	push_request(L, req);
	call_handler(L, "serve", 0);
}

static void on_refused(struct aio_control *ctl, uid_t uid, pid_t pid, void *udata)
{
	(void)ctl;
	(void)udata;
	lua_State *L = control.loop->L;
	lua_pushinteger(L, uid);
	lua_pushinteger(L, pid);
	call_handler(L, "refused", 1);
}

/*
 * At the stuck task's next instruction, on the loop's thread: the hook it
 * had goes back, and every waiting request is answered from here, with
 * the task's own traceback, without waiting for the loop to turn. An
 * attach session's Ctrl-C for the entry that holds the loop interrupts it
 * here, as lua.c's hook does at Ctrl-C.
 */
static void stall_hook(lua_State *co, lua_Debug *ar)
{
	(void)ar;
	lua_sethook(co, control.old_hook, control.old_mask, control.old_count);
	control.hooked = NULL;
	if (!lua_checkstack(co, 8))
		return;
	aio_control_start(control.ctl);
	struct aio_control_request *req;
	int interrupt = 0;
	while ((req = aio_control_take(control.ctl))) {
		push_request(co, req);
		luaL_traceback(co, co, NULL, 0);
		interrupt |= call_handler(co, "answer_now", 1);
	}
	if (interrupt) {
		laio_push_error(co, "CancelledError", "interrupted");
		lua_error(co);
	}
}

/* In the signal handler: only lua_sethook, as lua.c does for Ctrl-C. A
 * loop between tasks is in C code that returns to the ready queue soon. */
static void on_stalled(struct aio_control *ctl, void *udata)
{
	(void)ctl;
	(void)udata;
	struct l_task *t = control.loop->current;
	if (!t || control.hooked)
		return;
	lua_State *co = t->co;
	control.old_hook = lua_gethook(co);
	control.old_mask = lua_gethookmask(co);
	control.old_count = lua_gethookcount(co);
	control.hooked = co;
	lua_sethook(co, stall_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

/* The default path's socket, as the thread starts: other threads may run
 * by now. Marked ours first, so that a stop signal that comes while it is
 * bound does not leave it behind. */
static int on_listen(struct aio_control *ctl, void *udata)
{
	(void)ctl;
	(void)udata;
	control.on_disk = 1;
	int fd = aio_control_listen(control.path, AIO_CONTROL_PRIVATE_DIR);
	if (fd < 0) {
		control.on_disk = 0;
		fprintf(stderr, "aiod: warning: no control socket %s: %s\n", control.path, strerror(-fd));
	}
	return fd;
}

static const struct aio_control_ops ops = {on_request, on_refused, on_stalled, NULL};
static const struct aio_control_ops late_ops = {on_request, on_refused, on_stalled, on_listen};

int laio_control_start(lua_State *L, struct l_loop *loop, const char *path, int default_path)
{
	size_t n = strlen(path);
	if (n >= sizeof control.path)
		return -ENAMETOOLONG;
	int fd = default_path ? -1 : aio_control_listen(path, 0);
	if (fd < 0 && !default_path)
		return fd;
	memcpy(control.path, path, n + 1);
	control.on_disk = !default_path;
	static const luaL_Reg methods[] = {
		{"line", l_request_line}, {"peer", l_request_peer},
		{"write", l_request_write}, {"clear", l_request_clear}, {"reply", l_request_reply},
		{"connection", l_request_connection},
		{NULL, NULL}
	};
	static const luaL_Reg metamethods[] = {{"__gc", l_request_gc}, {NULL, NULL}};
	luaL_newmetatable(L, LAIO_CONTROL_REQUEST);
	luaL_setfuncs(L, metamethods, 0);
	luaL_newlib(L, methods);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	int err = 0;
	control.loop = loop;
	control.ctl = aio_control_new(loop->rt, fd, default_path ? &late_ops : &ops, NULL,
				      STALL_AFTER, &err);
	if (!control.ctl) {
		if (control.on_disk)
			unlink(path);
		control.on_disk = 0;
		return err;
	}
	return 0;
}

void laio_control_stop(lua_State *L)
{
	if (!control.ctl)
		return;
	aio_control_abandon(control.ctl);
	control.ctl = NULL;
	if (control.on_disk)
		unlink(control.path);
	control.on_disk = 0;
	luaL_unref(L, LUA_REGISTRYINDEX, control.handlers);
	control.handlers = LUA_NOREF;
}

const char *laio_control_path(void)
{
	return control.ctl && control.on_disk ? control.path : NULL;
}
