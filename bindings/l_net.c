/* l_net.c -- the network primitives streams.lua builds on: resolve, connect, listen */
#include "l_net.h"
#include "l_address.h"
#include "l_stream.h"
#include "listener.h"
#include "resolve.h"
#include "sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#define LAIO_LISTENER "asyncio.Listener"

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

/* A lookup in flight: resolve's or getaddrinfo's. */
struct l_resolve {
	struct aio_resolve r;
	struct l_link waiters;
	struct l_job tracked;
	struct aio_workers *workers;
	unsigned char as_tables;	/* getaddrinfo's {family, address, port} */
	unsigned char done;
	unsigned char abandoned;	/* the task went away; done frees it */
};

static const struct laio_park_kind wait_resolve = {"getaddrinfo", 0, NULL};

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

/* [-0, +1] One address as getaddrinfo gives it: {family =, address =, port =}. */
static void push_address_table(lua_State *L, const struct addrinfo *ai)
{
	char host[256];
	int port;
	lua_createtable(L, 0, 3);
	if (ai->ai_family == AF_INET)
		lua_pushliteral(L, "inet");
	else if (ai->ai_family == AF_INET6)
		lua_pushliteral(L, "inet6");
	else
		lua_pushinteger(L, ai->ai_family);
	lua_setfield(L, -2, "family");
	if (aio_sock_format(ai->ai_addr, ai->ai_addrlen, host, sizeof host, &port) == 0) {
		lua_pushstring(L, host);
		lua_setfield(L, -2, "address");
		lua_pushinteger(L, port);
		lua_setfield(L, -2, "port");
	}
}

/*
 * [-0, +1] The addresses of a finished lookup (socket address strings, or
 * getaddrinfo's tables), or pushes its error and returns 0; the host asked
 * for is at index hostidx. The error is an OSError whose errno is the
 * getaddrinfo code, as Python's socket.gaierror, which the message names.
 */
static int push_addresses(lua_State *L, struct aio_resolve *r, int as_tables, int hostidx)
{
	if (r->error) {
		lua_pushfstring(L, "[Errno %d] %s (gaierror for %s)", r->error, aio_resolve_strerror(r),
				lua_isnil(L, hostidx) ? "*" : lua_tostring(L, hostidx));
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
		if (as_tables)
			push_address_table(L, ai);
		else
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
	int ok = push_addresses(L, &lr->r, lr->as_tables, 1);
	resolve_free(lr);
	return ok ? 1 : lua_error(L);
}

/*
 * Looks host (at index 1, a string or nil) up for the task t: numeric addresses and localhost on the spot, with no
 * thread nor suspension (a reload's start_server takes a busy loop's turn
 * less for each), other names on the loop's resolver pool.
 */
static int lookup(lua_State *L, struct l_task *t, const char *service, int family,
		  int socktype, int flags, int as_tables)
{
	const char *host = lua_tostring(L, 1);
	struct aio_resolve now;
	int rc = aio_resolve_now(&now, host, service, family, socktype, flags);
	if (rc < 0)
		return luaL_error(L, "not enough memory");
	if (rc == 1) {
		int ok = push_addresses(L, &now, as_tables, 1);
		aio_resolve_destroy(&now);
		return ok ? 1 : lua_error(L);
	}
	struct aio_workers *workers = laio_loop_resolvers(L, t->fut.loop);
	struct l_resolve *lr = calloc(1, sizeof *lr);
	if (!lr)
		return luaL_error(L, "not enough memory");
	laio_list_init(&lr->waiters);
	lr->workers = workers;
	lr->as_tables = (unsigned char)as_tables;
	int err = aio_resolve_start(workers, &lr->r, host, service, family, socktype, flags,
				    resolved);
	if (err < 0) {
		free(lr);
		return luaL_error(L, "cannot resolve: %s", strerror(-err));
	}
	laio_job_track(t->fut.loop, &lr->tracked, resolve_release);
	return laio_park(L, t, &lr->waiters, &wait_resolve, resolve_k, (lua_KContext)lr);
}

/* resolve(host|nil, port, passive) -> list of addresses; suspends for a lookup */
static int l_resolve(lua_State *L)
{
	luaL_optstring(L, 1, NULL);
	lua_Integer port = luaL_checkinteger(L, 2);
	int passive = lua_toboolean(L, 3);
	struct l_task *t = laio_current_task(L, STATE(L));
	char service[32];
	snprintf(service, sizeof service, "%d", (int)port);
	lua_settop(L, 1);
	return lookup(L, t, service, AF_UNSPEC, SOCK_STREAM, passive ? AI_PASSIVE : 0, 0);
}

/* A string argument that must not hold a zero byte (the C library would
 * stop there); NULL for nil. */
static const char *check_c_string(lua_State *L, int idx, const char *what)
{
	size_t len;
	const char *s = lua_isnoneornil(L, idx) ? NULL : luaL_checklstring(L, idx, &len);
	if (s && strlen(s) != len)
		luaL_argerror(L, idx, lua_pushfstring(L, "embedded zero in %s", what));
	return s;
}

/* Option field of the table at idx: nil gives values[0], the name
 * names[i] (NULL-ended) gives values[i + 1]; expected says what fits. */
static int check_choice(lua_State *L, int idx, const char *field, const char *const names[],
			const int values[], const char *expected)
{
	int v = values[0];
	if (lua_getfield(L, idx, field) != LUA_TNIL) {
		const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
		int i = 0;
		while (names[i] && strcmp(names[i], name) != 0)
			i++;
		if (!names[i])
			luaL_argerror(L, idx, lua_pushfstring(L, "field '%s': %s expected", field,
							     expected));
		v = values[i + 1];
	}
	lua_pop(L, 1);
	return v;
}

/*
 * loop:getaddrinfo(host, port [, {family =, type =, passive =}]) -> list
 * of {family =, address =, port =}. host nil: the loopback, or with
 * passive the wildcard for a server (AI_PASSIVE), as Python; port a
 * number, a service name ("http") or nil. family "inet" or "inet6"
 * (default: both), type "stream" (default) or "dgram".
 */
static int l_loop_getaddrinfo(lua_State *L)
{
	static const char *const families[] = {"inet", "inet6", NULL};
	static const int family_values[] = {AF_UNSPEC, AF_INET, AF_INET6};
	static const char *const types[] = {"stream", "dgram", NULL};
	static const int type_values[] = {SOCK_STREAM, SOCK_STREAM, SOCK_DGRAM};
	laio_check_open_loop(L, 1);
	check_c_string(L, 2, "the host name");
	char number[32];
	const char *service = NULL;
	if (lua_isinteger(L, 3)) {
		lua_Integer port = lua_tointeger(L, 3);
		luaL_argcheck(L, port >= 0 && port <= 65535, 3, "port must be from 0 to 65535");
		snprintf(number, sizeof number, "%d", (int)port);
		service = number;
	} else if (lua_type(L, 3) == LUA_TSTRING) {
		service = check_c_string(L, 3, "the service name");
	} else if (!lua_isnoneornil(L, 3)) {
		luaL_typeerror(L, 3, "integer, string or nil");
	}
	int family = AF_UNSPEC, socktype = SOCK_STREAM, flags = 0;
	if (!lua_isnoneornil(L, 4)) {
		luaL_checktype(L, 4, LUA_TTABLE);
		family = check_choice(L, 4, "family", families, family_values,
				      "\"inet\", \"inet6\" or nil");
		socktype = check_choice(L, 4, "type", types, type_values,
					"\"stream\", \"dgram\" or nil");
		lua_getfield(L, 4, "passive");
		flags = lua_toboolean(L, -1) ? AI_PASSIVE : 0;
		lua_pop(L, 1);
	}
	struct l_task *t = laio_current_task(L, STATE(L));
	/* The host goes to index 1, for the messages; the strings stay on
	 * the stack until the lookup copied them. */
	lua_pushvalue(L, 2);
	lua_insert(L, 1);
	return lookup(L, t, service, family, socktype, flags, 1);
}

void laio_open_getaddrinfo(lua_State *L, int state)
{
	laio_loop_add_method(L, state, "getaddrinfo", l_loop_getaddrinfo);
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
	return laio_conn_park(L, t, &c->readers, &laio_wait_connect, connect_k, 0);
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
	int err = laio_conn_open(c, ls->loop->rt, ls->pending_fd, AIO_STREAM_SOCKET | AIO_STREAM_NONBLOCK);
	if (err < 0) {
		laio_push_oserror(L, -err, "accept");
		return lua_error(L);
	}
	ls->pending_fd = -1;
	c->accepted = 1;
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

/*
 * The task of one server connection, in C so that a parked handler has
 * only this frame under its own, the task's body itself (it catches the
 * handler's errors, see laio_task_own_body): every frame stays allocated
 * (64 B) as long as the connection idles, and so does each one a deeper
 * call ever needed. Upvalues: streams.lua's client_name (for a
 * peer without a port), accept_tls, the message handler, and finish
 * (release the client, report a failure).
 *
 * serve(server, reader, writer): the peer's name is read first (once the
 * peer has reset, it is gone), then a TLS server's handshake, then
 * server._cb(reader, writer) under the message handler, then finish.
 */
enum { SERVE_SERVER = 1, SERVE_READER, SERVE_WRITER, SERVE_WHO, SERVE_MSGH, SERVE_FAILURE };

/* An IPv4 peer as an integer: address << 16 | port, and this bit when it
 * came to a dual-stack socket as an IPv4-mapped IPv6 address. */
#define PEER_MAPPED ((lua_Integer)1 << 48)

/* [-0, +1] streams.lua's client_name(server, host, port): the peer's text;
 * no port (NULL host): a Unix socket's peer. */
static void push_client_name(lua_State *L, const char *host, int port)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, SERVE_SERVER);
	if (!host) {
		lua_call(L, 1, 1);
		return;
	}
	lua_pushstring(L, host);
	lua_pushinteger(L, port);
	lua_call(L, 3, 1);
}

/* [-0, +1] The peer of fd for the messages about it. An IPv4 peer stays an
 * integer until a message needs its text: a string would cost each idle
 * connection 48 B. */
static void push_peer(lua_State *L, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[256];
	int port = -1;
	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    aio_sock_format((struct sockaddr *)&ss, len, host, sizeof host, &port) < 0)
		port = -1;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
	if (port < 0) {
		push_client_name(L, NULL, 0);
	} else if (ss.ss_family == AF_INET) {
		lua_Integer addr = ntohl(((const struct sockaddr_in *)&ss)->sin_addr.s_addr);
		lua_pushinteger(L, addr << 16 | port);
	} else if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		uint32_t v4;
		memcpy(&v4, &in6->sin6_addr.s6_addr[12], sizeof v4);
		lua_pushinteger(L, PEER_MAPPED | (lua_Integer)ntohl(v4) << 16 | port);
	} else {
		push_client_name(L, host, port);
	}
}

/* The peer at SERVE_WHO as text: "10.0.0.5:54321", "[::ffff:10.0.0.5]:54321". */
static void name_peer(lua_State *L)
{
	if (!lua_isinteger(L, SERVE_WHO))
		return;
	lua_Integer v = lua_tointeger(L, SERVE_WHO);
	struct in_addr addr = {htonl((uint32_t)(v >> 16))};
	static const char mapped[] = "::ffff:";
	char host[sizeof mapped - 1 + INET_ADDRSTRLEN];
	size_t at = v & PEER_MAPPED ? sizeof mapped - 1 : 0;
	memcpy(host, mapped, at);
	inet_ntop(AF_INET, &addr, host + at, sizeof host - at);
	push_client_name(L, host, (int)(v & 0xffff));
	lua_replace(L, SERVE_WHO);
}

static int serve_ended(lua_State *L, int status, lua_KContext ctx)
{
	(void)ctx;
	int ok = status == LUA_OK || status == LUA_YIELD;
	lua_settop(L, ok ? SERVE_MSGH : SERVE_FAILURE);
	lua_pushvalue(L, lua_upvalueindex(4));
	lua_pushvalue(L, SERVE_SERVER);
	lua_pushvalue(L, SERVE_WRITER);
	lua_pushboolean(L, ok);
	if (!ok) {
		name_peer(L);
		lua_pushvalue(L, SERVE_FAILURE);
		lua_pushvalue(L, SERVE_WHO);
	}
	/* finish does not suspend: closing and logging are immediate. */
	lua_call(L, ok ? 3 : 5, 0);
	return 0;
}

static int run_handler(lua_State *L)
{
	lua_settop(L, SERVE_WHO);
	lua_pushvalue(L, lua_upvalueindex(3));
	lua_getfield(L, SERVE_SERVER, "_cb");
	lua_pushvalue(L, SERVE_READER);
	lua_pushvalue(L, SERVE_WRITER);
	return serve_ended(L, lua_pcallk(L, 2, 0, SERVE_MSGH, 0, serve_ended), 0);
}

/* accept_tls returned whether the handshake succeeded. */
static int tls_accepted(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	return lua_toboolean(L, -1) ? run_handler(L) : 0;
}

static int l_serve(lua_State *L)
{
	lua_settop(L, SERVE_WRITER);
	struct l_writer *w = luaL_checkudata(L, SERVE_WRITER, LAIO_WRITER);
	push_peer(L, w->conn->s ? aio_stream_fd(w->conn->s) : -1);
	if (lua_getfield(L, SERVE_SERVER, "_ssl") == LUA_TNIL)
		return run_handler(L);
	lua_pop(L, 1);
	name_peer(L);
	lua_pushvalue(L, lua_upvalueindex(2));
	lua_pushvalue(L, SERVE_SERVER);
	lua_pushvalue(L, SERVE_WRITER);
	lua_pushvalue(L, SERVE_WHO);
	lua_callk(L, 3, 1, 0, tls_accepted);
	return tls_accepted(L, LUA_OK, 0);
}

/* make_serve(client_name, accept_tls, msgh, finish) -> serve */
static int l_make_serve(lua_State *L)
{
	for (int i = 1; i <= 4; i++)
		luaL_checktype(L, i, LUA_TFUNCTION);
	lua_settop(L, 4);
	lua_pushcclosure(L, l_serve, 4);
	laio_task_own_body(L, -1);
	return 1;
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
	return laio_push_socket_address(L, ls->l ? aio_listener_fd(ls->l) : -1, 0);
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
	{"open_pipe", laio_open_pipe},
	{"make_serve", l_make_serve},
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
	/* streams.lua adds the writer's methods written in Lua (start_tls). */
	luaL_getmetatable(L, LAIO_WRITER);
	lua_getfield(L, -1, "__index");
	lua_setfield(L, -3, "writer_methods");
	lua_setfield(L, -2, "writer_meta");
	return 1;
}
