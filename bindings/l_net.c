/* l_net.c -- the network primitives streams.lua builds on: resolve, connect, listen */
#include "laio.h"
#include "listener.h"
#include "resolve.h"
#include "sock.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))

/* Accepting pauses this long when descriptors run out. */
#define ACCEPT_RETRY 0.1

/* Socket addresses travel in Lua as strings of sockaddr bytes. */
static socklen_t check_address(lua_State *L, int idx, struct sockaddr_storage *ss)
{
	size_t len;
	const char *s = luaL_checklstring(L, idx, &len);
	luaL_argcheck(L, len >= sizeof(sa_family_t) && len <= sizeof *ss, idx,
		      "not a socket address");
	memset(ss, 0, sizeof *ss);
	memcpy(ss, s, len);
	return (socklen_t)len;
}

/* "host:port", "[v6]:port" or a path, for messages. */
static const char *push_address_text(lua_State *L, const struct sockaddr *sa, socklen_t len)
{
	char host[256];
	int port;
	if (aio_sock_format(sa, len, host, sizeof host, &port) < 0)
		return lua_pushliteral(L, "?");
	if (port < 0)
		return lua_pushstring(L, host);
	return lua_pushfstring(L, sa->sa_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, port);
}

/* Raises the OSError for err, saying what was done to which address. */
static int raise_address_error(lua_State *L, int err, const char *what,
			       const struct sockaddr *sa, socklen_t len)
{
	lua_pushstring(L, what);
	push_address_text(L, sa, len);
	lua_concat(L, 2);
	laio_push_oserror(L, err, lua_tostring(L, -1));
	return lua_error(L);
}

/* format_address(addr) -> host, port (or a path) */
static int l_format_address(lua_State *L)
{
	struct sockaddr_storage ss;
	socklen_t len = check_address(L, 1, &ss);
	char host[256];
	int port;
	if (aio_sock_format((struct sockaddr *)&ss, len, host, sizeof host, &port) < 0)
		return luaL_argerror(L, 1, "unknown address family");
	lua_pushstring(L, host);
	if (port < 0)
		return 1;
	lua_pushinteger(L, port);
	return 2;
}

/* resolve(host|nil, port, passive) -> list of addresses; suspends for a lookup */
struct l_resolve {
	struct aio_resolve r;
	struct l_link waiters;
	struct l_job tracked;
	struct aio_workers *workers;
	unsigned char done;
	unsigned char abandoned;	/* the task went away; done frees it */
};

static void resolve_release(struct l_job *job)
{
	struct l_resolve *lr = aio_container_of(job, struct l_resolve, tracked);
	aio_resolve_destroy(&lr->r);
	free(lr);
}

static void resolve_free(struct l_resolve *lr)
{
	laio_job_untrack(&lr->tracked);
	resolve_release(&lr->tracked);
}

static void resolved(struct aio_resolve *r)
{
	struct l_resolve *lr = aio_container_of(r, struct l_resolve, r);
	lr->done = 1;
	if (lr->abandoned)
		resolve_free(lr);
	else
		laio_unpark_all(&lr->waiters);
}

/* [-0, +1] The addresses of a finished lookup, or raises its error; the
 * host asked for is at index 1. */
static int push_addresses(lua_State *L, struct aio_resolve *r)
{
	if (r->error) {
		lua_pushfstring(L, "%s (%s)", aio_resolve_strerror(r),
				lua_isnil(L, 1) ? "*" : lua_tostring(L, 1));
		laio_push_error(L, "OSError", lua_tostring(L, -1));
		lua_pushinteger(L, r->error);
		lua_setfield(L, -2, "errno");
		lua_pushstring(L, aio_resolve_strerror(r));
		lua_setfield(L, -2, "strerror");
		return 0;
	}
	lua_newtable(L);
	lua_Integer n = 0;
	for (struct addrinfo *ai = r->result; ai; ai = ai->ai_next) {
		lua_pushlstring(L, (const char *)ai->ai_addr, ai->ai_addrlen);
		lua_rawseti(L, -2, ++n);
	}
	return 1;
}

static int resolve_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	struct l_resolve *lr = (struct l_resolve *)ctx;
	struct l_task *t = laio_state(L)->running->current;
	if (t->must_cancel) {
		if (!lr->done && aio_resolve_cancel(lr->workers, &lr->r) < 0)
			lr->abandoned = 1;
		else
			resolve_free(lr);
	}
	laio_resume_check(L);
	int ok = push_addresses(L, &lr->r);
	resolve_free(lr);
	return ok ? 1 : lua_error(L);
}

static int l_resolve(lua_State *L)
{
	const char *host = luaL_optstring(L, 1, NULL);
	lua_Integer port = luaL_checkinteger(L, 2);
	int passive = lua_toboolean(L, 3);
	struct l_task *t = laio_current_task(L, STATE(L));
	char service[32];
	snprintf(service, sizeof service, "%d", (int)port);
	lua_settop(L, 1);
	/* Numeric addresses and localhost need no thread, nor a suspension:
	 * a reload's start_server takes a busy loop's turn less for each. */
	struct aio_resolve now;
	int rc = aio_resolve_now(&now, host, service, AF_UNSPEC, passive ? AI_PASSIVE : 0);
	if (rc < 0)
		return luaL_error(L, "not enough memory");
	if (rc == 1) {
		int ok = push_addresses(L, &now);
		aio_resolve_destroy(&now);
		return ok ? 1 : lua_error(L);
	}
	struct aio_workers *workers = laio_loop_workers(L, t->fut.loop);
	struct l_resolve *lr = calloc(1, sizeof *lr);
	if (!lr)
		return luaL_error(L, "not enough memory");
	laio_list_init(&lr->waiters);
	lr->workers = workers;
	int err = aio_resolve_start(workers, &lr->r, host, service, AF_UNSPEC,
				    passive ? AI_PASSIVE : 0, resolved);
	if (err < 0) {
		free(lr);
		return luaL_error(L, "cannot resolve: %s", strerror(-err));
	}
	laio_job_track(t->fut.loop, &lr->tracked, resolve_release);
	return laio_park(L, t, &lr->waiters, resolve_k, (lua_KContext)lr);
}

/* connect(addr, local|nil, limit) -> reader, writer */
static int connect_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	struct l_conn *c = lua_touserdata(L, -1);
	struct l_task *t = laio_state(L)->running->current;
	if (t->must_cancel)
		laio_conn_release(c);
	laio_conn_resumed(L);
	if (c->error || !c->s) {
		struct sockaddr_storage ss;
		socklen_t len = check_address(L, 1, &ss);
		int err = c->error ? c->error : ECONNABORTED;
		laio_conn_release(c);
		return raise_address_error(L, err, "connect to ", (struct sockaddr *)&ss, len);
	}
	laio_push_writer(L, -1);
	return 2;
}

static int start_connect(lua_State *L, const struct sockaddr *addr, socklen_t len,
			 const struct sockaddr *local, socklen_t local_len, lua_Integer limit)
{
	struct l_task *t = laio_current_task(L, STATE(L));
	struct l_conn *c = laio_push_conn(L, (size_t)limit);
	int err = laio_conn_connect(c, t->fut.loop->rt, addr, len, local, local_len);
	if (err < 0)
		return raise_address_error(L, -err, "connect to ", addr, len);
	if (!aio_stream_connecting(c->s)) {
		laio_push_writer(L, -1);
		return 2;
	}
	return laio_conn_park(L, t, &c->readers, connect_k, 0);
}

static lua_Integer check_limit(lua_State *L, int idx)
{
	lua_Integer limit = luaL_checkinteger(L, idx);
	luaL_argcheck(L, limit > 0, idx, "limit must be positive");
	return limit;
}

static int l_connect(lua_State *L)
{
	struct sockaddr_storage ss, local;
	socklen_t len = check_address(L, 1, &ss), local_len = 0;
	if (!lua_isnil(L, 2))
		local_len = check_address(L, 2, &local);
	lua_Integer limit = check_limit(L, 3);
	lua_settop(L, 1);
	return start_connect(L, (struct sockaddr *)&ss, len,
			     local_len ? (struct sockaddr *)&local : NULL, local_len, limit);
}

static int l_unix_address(lua_State *L)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (aio_sock_unix_address(luaL_checkstring(L, 1), &ss, &len) < 0)
		return luaL_argerror(L, 1, "path too long for a Unix socket");
	lua_pushlstring(L, (const char *)&ss, len);
	return 1;
}

/* Listener: a listening socket that hands each connection to a Lua function. */
struct l_listener {
	struct aio_listener *l;	/* NULL once closed */
	struct l_loop *loop;
	int ref;		/* anchors the userdata while it listens */
	int pending_fd;		/* accepted, not yet owned by a stream */
	size_t limit;
};

static int accept_conn(lua_State *L)
{
	struct l_listener *ls = lua_touserdata(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, ls->ref);
	lua_getiuservalue(L, -1, 1);	/* on_conn */
	struct l_conn *c = laio_push_conn(L, ls->limit);
	int err = laio_conn_open(c, ls->loop->rt, ls->pending_fd, AIO_STREAM_SOCKET);
	if (err < 0) {
		laio_push_oserror(L, -err, "accept");
		return lua_error(L);
	}
	ls->pending_fd = -1;
	laio_push_writer(L, -1);
	lua_call(L, 2, 0);
	return 0;
}

static void on_accept(struct aio_listener *al, int fd)
{
	struct l_listener *ls = aio_listener_udata(al);
	lua_State *L = ls->loop->L;
	ls->pending_fd = fd;
	lua_pushcfunction(L, accept_conn);
	lua_pushlightuserdata(L, ls);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
		laio_report(L, "Error in a new connection:", -1);
		lua_pop(L, 1);
	}
	if (ls->pending_fd >= 0)
		close(ls->pending_fd);
	ls->pending_fd = -1;
}

static int push_listener(lua_State *L, int fd, int on_conn, lua_Integer limit)
{
	struct l_loop *loop = laio_push_running_loop(L);
	lua_pop(L, 1);
	struct l_listener *ls = lua_newuserdatauv(L, sizeof *ls, 1);
	ls->l = NULL;
	ls->loop = loop;
	ls->ref = LUA_NOREF;
	ls->pending_fd = -1;
	ls->limit = (size_t)limit;
	luaL_setmetatable(L, LAIO_LISTENER);
	lua_pushvalue(L, on_conn);
	lua_setiuservalue(L, -2, 1);
	int err;
	ls->l = aio_listener_new(loop->rt, fd, ACCEPT_RETRY, on_accept, ls, &err);
	if (!ls->l) {
		close(fd);
		laio_push_oserror(L, -err, "listen");
		return lua_error(L);
	}
	lua_pushvalue(L, -1);
	ls->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 1;
}

/* listen(addr, backlog, flags, on_conn, limit) -> Listener */
static int l_listen(lua_State *L)
{
	struct sockaddr_storage ss;
	socklen_t len = check_address(L, 1, &ss);
	int backlog = (int)luaL_checkinteger(L, 2);
	unsigned flags = (unsigned)luaL_checkinteger(L, 3);
	luaL_checktype(L, 4, LUA_TFUNCTION);
	lua_Integer limit = check_limit(L, 5);
	int fd = aio_sock_listen((struct sockaddr *)&ss, len, backlog, flags);
	if (fd < 0)
		return raise_address_error(L, -fd, "bind to ", (struct sockaddr *)&ss, len);
	return push_listener(L, fd, 4, limit);
}

/* listen_unix(path, backlog, on_conn, limit) -> Listener */
static int l_listen_unix(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	int backlog = (int)luaL_checkinteger(L, 2);
	luaL_checktype(L, 3, LUA_TFUNCTION);
	lua_Integer limit = check_limit(L, 4);
	int fd = aio_sock_listen_unix(path, backlog);
	if (fd < 0) {
		lua_pushfstring(L, "bind to %s", path);
		laio_push_oserror(L, -fd, lua_tostring(L, -1));
		return lua_error(L);
	}
	return push_listener(L, fd, 3, limit);
}

static struct l_listener *check_listener(lua_State *L)
{
	return luaL_checkudata(L, 1, LAIO_LISTENER);
}

static int l_listener_close(lua_State *L)
{
	struct l_listener *ls = check_listener(L);
	if (ls->l)
		aio_listener_close(ls->l);
	ls->l = NULL;
	luaL_unref(L, LUA_REGISTRYINDEX, ls->ref);
	ls->ref = LUA_NOREF;
	return 0;
}

/* listener:detach() -> fd: stops accepting, keeps the socket open */
static int l_listener_detach(lua_State *L)
{
	struct l_listener *ls = check_listener(L);
	if (!ls->l)
		return luaL_error(L, "the listener is closed");
	int fd = aio_listener_detach(ls->l);
	ls->l = NULL;
	luaL_unref(L, LUA_REGISTRYINDEX, ls->ref);
	ls->ref = LUA_NOREF;
	if (fd < 0)
		return 0;
	lua_pushinteger(L, fd);
	return 1;
}

/* adopt(fd, on_conn, limit) -> Listener: accepts on a detached socket */
static int l_adopt(lua_State *L)
{
	int fd = (int)luaL_checkinteger(L, 1);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_Integer limit = check_limit(L, 3);
	return push_listener(L, fd, 2, limit);
}

/* close_fd(fd): closes a detached socket that no listener took after all */
static int l_close_fd(lua_State *L)
{
	close((int)luaL_checkinteger(L, 1));
	return 0;
}

/* listener:address() -> host, port, or a path */
static int l_listener_address(lua_State *L)
{
	struct l_listener *ls = check_listener(L);
	int fd = ls->l ? aio_listener_fd(ls->l) : -1;
	char host[256];
	int port;
	if (fd < 0 || aio_sock_address(fd, 0, host, sizeof host, &port) < 0)
		return 0;
	lua_pushstring(L, host);
	if (port < 0)
		return 1;
	lua_pushinteger(L, port);
	return 2;
}

static int l_listener_is_open(lua_State *L)
{
	struct l_listener *ls = check_listener(L);
	lua_pushboolean(L, ls->l && aio_listener_fd(ls->l) >= 0);
	return 1;
}

static const luaL_Reg listener_methods[] = {
	{"close", l_listener_close},
	{"address", l_listener_address},
	{"detach", l_listener_detach},
	{"is_open", l_listener_is_open},
	{NULL, NULL}
};

static const luaL_Reg listener_meta[] = {
	{"__gc", l_listener_close},
	{NULL, NULL}
};

static const luaL_Reg net_functions[] = {
	{"resolve", l_resolve},
	{"connect", l_connect},
	{"unix_address", l_unix_address},
	{"format_address", l_format_address},
	{"listen", l_listen},
	{"listen_unix", l_listen_unix},
	{"adopt", l_adopt},
	{"close_fd", l_close_fd},
	{NULL, NULL}
};

/* internals.open_net(): the stream classes and this table of primitives,
 * made when streams.lua first loads. */
int laio_open_net(lua_State *L)
{
	int state = lua_upvalueindex(1);
	static const luaL_Reg *const listener[] = {listener_methods, NULL};
	laio_open_stream(L, state);
	laio_new_class(L, LAIO_LISTENER, state, listener, listener_meta);
	static const struct laio_constant constants[] = {
		{"REUSE_PORT", AIO_SOCK_REUSE_PORT},
		{"DUAL_STACK", AIO_SOCK_DUAL_STACK},
		{"EAFNOSUPPORT", EAFNOSUPPORT},
		{"UNIX_PATH_MAX", sizeof ((struct sockaddr_un *)0)->sun_path},
		{NULL, 0}
	};
	lua_newtable(L);
	lua_pushvalue(L, state);
	luaL_setfuncs(L, net_functions, 1);
	laio_set_constants(L, constants);
	return 1;
}
