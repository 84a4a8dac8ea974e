/* l_dgram.c -- asyncio.DatagramEndpoint: UDP and Unix datagram endpoints over runtime/dgram.c */
#include "l_dgram.h"
#include "l_address.h"
#include "l_task.h"
#include "dgram.h"
#include "sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#define LAIO_ENDPOINT "asyncio.DatagramEndpoint"

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))
/* Registry field: datagrams.lua's resolver, for sendto to a host name. */
#define RESOLVER_KEY "asyncio.dgram_resolver"
#define MAX_SIZE_LIMIT (16 * 1024 * 1024)

/* User values of an endpoint. */
enum {
	UV_FROM_HOST = 1,	/* the last sender's host, as text */
	UV_TO_HOST,		/* the last destination's host string, as given */
	UV_COUNT = UV_TO_HOST
};

/* What a recv gives: recvfrom's data and sender, recv's data, or the
 * iterator's (recvfrom's, or nothing once closed). */
enum { MODE_RECVFROM, MODE_RECV, MODE_ITERATE };

/*
 * The userdata. It is made closed, then given a socket (attach) or, on a
 * reload, a duplicate of an older generation's (claim): until the commit
 * (adopt) it sends through it but reads nothing, so the old endpoint keeps
 * receiving.
 */
struct l_endpoint {
	struct aio_dgram *d;	/* NULL once closed */
	struct l_link readers;	/* tasks in recv, recvfrom, datagrams */
	struct l_link writers;	/* tasks in sendto, waiting for room */
	struct l_task *woken;	/* the reader woken for a datagram, until it runs */
	size_t max_size;
	int family;
	unsigned char claiming;
	/* The last sender's address, whose text is UV_FROM_HOST: an echo
	 * answers one peer after another without formatting its address. */
	unsigned char from_len;
	unsigned char from_addr[16];
	/* The last destination host: UV_TO_HOST made into to. */
	socklen_t to_len;
	struct sockaddr_storage to;
	char buf[];		/* max_size bytes: one datagram read */
};

static struct l_endpoint *check_endpoint(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, LAIO_ENDPOINT);
}

/* Watches for reading while a reader waits and none was woken yet, for
 * writing while a sender waits for room; extra counts one about to park. */
static void update_watch(struct l_endpoint *ep, int reader, int writer)
{
	if (!ep->d)
		return;
	int reading = !ep->claiming && !ep->woken && (reader || !laio_list_empty(&ep->readers));
	int writing = writer || !laio_list_empty(&ep->writers);
	aio_dgram_watch(ep->d, (reading ? AIO_DGRAM_READABLE : 0) | (writing ? AIO_DGRAM_WRITABLE : 0));
}

/* One reader wakes per readable turn: it reads for itself when it runs,
 * so a reader cancelled meanwhile has taken nothing, and the others wait
 * for the next readiness. */
static void endpoint_ready(struct aio_dgram *d, int events, void *udata)
{
	struct l_endpoint *ep = udata;
	(void)d;
	if ((events & AIO_DGRAM_READABLE) && !ep->woken && !laio_list_empty(&ep->readers)) {
		ep->woken = aio_container_of(ep->readers.next, struct l_task, park);
		laio_unpark_head(&ep->readers);
	}
	if (events & AIO_DGRAM_WRITABLE)
		laio_unpark_all(&ep->writers);
	update_watch(ep, 0, 0);
}

static void drop_socket(struct l_endpoint *ep)
{
	ep->d = NULL;
	ep->woken = NULL;
	ep->claiming = 0;
	laio_unpark_all(&ep->readers);
	laio_unpark_all(&ep->writers);
}

static int raise_closed(lua_State *L)
{
	laio_push_oserror(L, EBADF, "the endpoint is closed");
	return lua_error(L);
}

static int raise_errno(lua_State *L, int err)
{
	laio_push_oserror(L, err, NULL);
	return lua_error(L);
}

/* [-0, +1] The sender's host, from the cache when it is the last one's. */
static void push_host(lua_State *L, struct l_endpoint *ep, const struct sockaddr_storage *from)
{
	const void *addr;
	size_t len;
	if (from->ss_family == AF_INET) {
		addr = &((const struct sockaddr_in *)from)->sin_addr;
		len = 4;
	} else {
		addr = &((const struct sockaddr_in6 *)from)->sin6_addr;
		len = 16;
	}
	if (ep->from_len == len && memcmp(ep->from_addr, addr, len) == 0) {
		lua_getiuservalue(L, 1, UV_FROM_HOST);
		return;
	}
	char text[INET6_ADDRSTRLEN];
	inet_ntop(from->ss_family, addr, text, sizeof text);
	lua_pushstring(L, text);
	lua_pushvalue(L, -1);
	lua_setiuservalue(L, 1, UV_FROM_HOST);
	memcpy(ep->from_addr, addr, len);
	ep->from_len = (unsigned char)len;
}

/* Pushes what a datagram of n bytes gives in mode; returns the count. */
static int push_datagram(lua_State *L, struct l_endpoint *ep, size_t n, int truncated,
			 const struct sockaddr_storage *from, socklen_t from_len, int mode)
{
	lua_pushlstring(L, ep->buf, n);
	int count = 1;
	if (mode != MODE_RECV) {
		if (from->ss_family == AF_INET || from->ss_family == AF_INET6) {
			push_host(L, ep, from);
			lua_pushinteger(L, ntohs(((const struct sockaddr_in *)from)->sin_port));
			count = 3;
		} else {
			/* A Unix sender that is not bound has no path: nil. */
			const struct sockaddr_un *un = (const struct sockaddr_un *)from;
			size_t off = offsetof(struct sockaddr_un, sun_path);
			size_t plen = from_len > off ? strnlen(un->sun_path, from_len - off) : 0;
			if (plen)
				lua_pushlstring(L, un->sun_path, plen);
			else
				lua_pushnil(L);
			count = 2;
		}
	}
	if (truncated) {
		lua_pushboolean(L, 1);
		count++;
	}
	return count;
}

static int recv_k(lua_State *L, int status, lua_KContext ctx);

/* What aiod ps says of a task in recv or sendto: the endpoint's own address. */
static int endpoint_detail(lua_State *L, const void *object)
{
	const struct l_endpoint *ep = object;
	return laio_push_address_text(L, ep->d ? aio_dgram_fd(ep->d) : -1, 0);
}

static const struct laio_park_kind wait_recv = {"recv", offsetof(struct l_endpoint, readers), endpoint_detail};
static const struct laio_park_kind wait_send = {"sendto", offsetof(struct l_endpoint, writers), endpoint_detail};

/* The endpoint is at 1; one datagram, or the task parks until one comes. */
static int recv_step(lua_State *L, struct l_endpoint *ep, int mode)
{
	if (!ep->d) {
		if (mode == MODE_ITERATE)
			return 0;
		return raise_closed(L);
	}
	if (!ep->claiming) {
		struct sockaddr_storage from;
		socklen_t from_len = 0;
		int truncated = 0;
		ssize_t n = aio_dgram_recv(ep->d, ep->buf, ep->max_size, &from, &from_len, &truncated);
		if (n >= 0)
			return push_datagram(L, ep, (size_t)n, truncated, &from, from_len, mode);
		if (n != -EAGAIN)
			return raise_errno(L, (int)-n);
	}
	struct l_task *t = laio_current_task(L, STATE(L));
	update_watch(ep, 1, 0);
	return laio_park(L, t, &ep->readers, &wait_recv, recv_k, mode);
}

static int recv_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	struct l_endpoint *ep = lua_touserdata(L, 1);
	struct l_task *t = laio_state(L)->running->current;
	if (ep->woken == t)
		ep->woken = NULL;
	/* A reader cancelled, or woken and cancelled before it ran, leaves
	 * the watch to the others: the datagram waits for them. */
	update_watch(ep, 0, 0);
	laio_resume_check(L);
	return recv_step(L, ep, (int)ctx);
}

/* ep:recvfrom() -> data, host, port [, true] (Unix: data, path [, true]) */
static int l_endpoint_recvfrom(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	lua_settop(L, 1);
	return recv_step(L, ep, MODE_RECVFROM);
}

/* ep:recv() -> data [, true] */
static int l_endpoint_recv(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	lua_settop(L, 1);
	return recv_step(L, ep, MODE_RECV);
}

/* Upvalue 2 is the endpoint: no check of the generic for's arguments. */
static int iterate(lua_State *L)
{
	lua_settop(L, 0);
	lua_pushvalue(L, lua_upvalueindex(2));
	return recv_step(L, lua_touserdata(L, 1), MODE_ITERATE);
}

/* for data, host, port in ep:datagrams() do ... end: ends once closed */
static int l_endpoint_datagrams(lua_State *L)
{
	check_endpoint(L, 1);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	lua_pushcclosure(L, iterate, 2);
	return 1;
}

static int send_k(lua_State *L, int status, lua_KContext ctx);

/* Data at 2, the destination's sockaddr bytes at 5 (or none); sends, or
 * parks behind the senders already waiting for room. */
static int send_step(lua_State *L, struct l_endpoint *ep, const struct sockaddr *to, socklen_t to_len)
{
	if (!ep->d)
		return raise_closed(L);
	if (laio_list_empty(&ep->writers)) {
		size_t len;
		const char *data = lua_tolstring(L, 2, &len);
		int rc = aio_dgram_send(ep->d, data, len, to, to_len);
		if (rc == 0)
			return 0;
		if (rc != -EAGAIN)
			return raise_errno(L, -rc);
	}
	struct l_task *t = laio_current_task(L, STATE(L));
	lua_settop(L, 4);
	if (to)
		lua_pushlstring(L, (const char *)to, to_len);
	update_watch(ep, 0, 1);
	return laio_park(L, t, &ep->writers, &wait_send, send_k, 0);
}

static int send_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	struct l_endpoint *ep = lua_touserdata(L, 1);
	update_watch(ep, 0, 0);
	laio_resume_check(L);
	struct sockaddr_storage to;
	size_t len = 0;
	const char *bytes = lua_gettop(L) >= 5 ? lua_tolstring(L, 5, &len) : NULL;
	if (bytes)
		memcpy(&to, bytes, len);
	lua_settop(L, 4);
	return send_step(L, ep, bytes ? (struct sockaddr *)&to : NULL, (socklen_t)len);
}

/* A numeric address of family (AF_INET, AF_INET6) and port into ss: its
 * length, 0 when host is no such address. */
static socklen_t numeric_sockaddr(int family, const char *host, int port,
				  struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host, &in6->sin6_addr) == 1 ? sizeof *in6 : 0;
	}
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &in->sin_addr) == 1 ? sizeof *in : 0;
}

/* A numeric host of the endpoint's family (or "localhost") into ep->to,
 * port aside; 0 when it needs a lookup. */
static int numeric_address(struct l_endpoint *ep, const char *host)
{
	if (!strcmp(host, "localhost"))
		host = ep->family == AF_INET6 ? "::1" : "127.0.0.1";
	ep->to_len = numeric_sockaddr(ep->family, host, 0, &ep->to);
	return ep->to_len != 0;
}

static int sendto_resolved_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	struct l_endpoint *ep = lua_touserdata(L, 1);
	size_t len;
	const char *bytes = lua_tolstring(L, -1, &len);
	struct sockaddr_storage to;
	memcpy(&to, bytes, len < sizeof to ? len : sizeof to);
	lua_settop(L, 4);
	return send_step(L, ep, (struct sockaddr *)&to, (socklen_t)len);
}

/* The destination of sendto(data, host, port): the address of the last
 * host string is kept (an echo answers with the string recvfrom gave,
 * the same object for the same sender), the port set each time; a name
 * goes to the Lua part's resolver, which may suspend. */
static int sendto_inet(lua_State *L, struct l_endpoint *ep)
{
	luaL_checktype(L, 3, LUA_TSTRING);
	lua_Integer port = luaL_checkinteger(L, 4);
	luaL_argcheck(L, port > 0 && port <= 65535, 4, "port must be an integer from 1 to 65535");
	lua_settop(L, 4);
	lua_getiuservalue(L, 1, UV_TO_HOST);
	int same = lua_rawequal(L, 3, -1);
	lua_pop(L, 1);
	if (!same) {
		size_t hlen;
		const char *host = lua_tolstring(L, 3, &hlen);
		luaL_argcheck(L, strlen(host) == hlen, 3, "embedded zero in the host name");
		if (!numeric_address(ep, host)) {
			lua_pushnil(L);
			lua_setiuservalue(L, 1, UV_TO_HOST);
			lua_getfield(L, LUA_REGISTRYINDEX, RESOLVER_KEY);
			lua_pushvalue(L, 3);
			lua_pushvalue(L, 4);
			lua_pushinteger(L, ep->family);
			lua_callk(L, 3, 1, 0, sendto_resolved_k);
			return sendto_resolved_k(L, LUA_OK, 0);
		}
		lua_pushvalue(L, 3);
		lua_setiuservalue(L, 1, UV_TO_HOST);
	}
	/* sin_port and sin6_port lie at the same offset */
	((struct sockaddr_in *)&ep->to)->sin_port = htons((uint16_t)port);
	struct sockaddr_storage to;
	memcpy(&to, &ep->to, ep->to_len);
	return send_step(L, ep, (struct sockaddr *)&to, ep->to_len);
}

static int sendto_unix(lua_State *L, struct l_endpoint *ep)
{
	struct sockaddr_storage to;
	socklen_t len;
	size_t plen;
	luaL_checktype(L, 3, LUA_TSTRING);
	const char *path = lua_tolstring(L, 3, &plen);
	luaL_argcheck(L, strlen(path) == plen, 3, "embedded zero in the path");
	if (aio_sock_unix_address(path, &to, &len) < 0)
		return luaL_argerror(L, 3, "path too long for a Unix socket");
	lua_settop(L, 4);
	return send_step(L, ep, (struct sockaddr *)&to, len);
}

/* ep:sendto(data [, host, port]) (Unix: [, path]); without an address, to
 * the connected peer. */
static int l_endpoint_sendto(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	luaL_checktype(L, 2, LUA_TSTRING);
	if (lua_isnoneornil(L, 3)) {
		lua_settop(L, 4);
		return send_step(L, ep, NULL, 0);
	}
	if (ep->family == AF_UNIX)
		return sendto_unix(L, ep);
	return sendto_inet(L, ep);
}

/* ep:send(data): to the connected peer */
static int l_endpoint_send(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	luaL_checktype(L, 2, LUA_TSTRING);
	lua_settop(L, 4);
	return send_step(L, ep, NULL, 0);
}

/* ep:get_extra_info(name [, default]): sockname, peername, fd */
static int l_endpoint_get_extra_info(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	const char *name = luaL_checkstring(L, 2);
	lua_settop(L, 3);
	int fd = ep->d ? aio_dgram_fd(ep->d) : -1;
	if (fd < 0)
		return 1;
	if (!strcmp(name, "fd")) {
		lua_pushinteger(L, fd);
		return 1;
	}
	int peer = !strcmp(name, "peername");
	if (!peer && strcmp(name, "sockname"))
		return 1;
	int n = laio_push_socket_address(L, fd, peer);
	return n ? n : 1;
}

static int l_endpoint_is_closing(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	lua_pushboolean(L, ep->d == NULL);
	return 1;
}

static int l_endpoint_gc(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	aio_dgram_close(ep->d);
	ep->d = NULL;
	return 0;
}

static int l_endpoint_tostring(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	lua_pushfstring(L, "DatagramEndpoint (%s): %p", ep->d ? "open" : "closed", (void *)ep);
	return 1;
}

/* The Lua part's primitives. */

/* new(family, max_size) -> a closed endpoint */
static int l_new(lua_State *L)
{
	int family = (int)luaL_checkinteger(L, 1);
	lua_Integer max_size = luaL_checkinteger(L, 2);
	luaL_argcheck(L, max_size > 0 && max_size <= MAX_SIZE_LIMIT, 2, "bad max_size");
	struct l_endpoint *ep = lua_newuserdatauv(L, sizeof *ep + (size_t)max_size, UV_COUNT);
	memset(ep, 0, sizeof *ep);
	laio_list_init(&ep->readers);
	laio_list_init(&ep->writers);
	ep->max_size = (size_t)max_size;
	ep->family = family;
	luaL_setmetatable(L, LAIO_ENDPOINT);
	return 1;
}

static struct l_endpoint *check_closed(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	if (ep->d)
		luaL_error(L, "the endpoint has a socket already");
	return ep;
}

/* Gives ep the socket fd; on failure fd is closed and the error raised. */
static int attach(lua_State *L, struct l_endpoint *ep, int fd, int claiming)
{
	int err;
	struct l_loop *loop = laio_push_running_loop(L);
	lua_pop(L, 1);
	ep->d = aio_dgram_new(loop->rt, fd, endpoint_ready, ep, &err);
	if (!ep->d) {
		close(fd);
		return raise_errno(L, -err);
	}
	ep->claiming = (unsigned char)claiming;
	return 0;
}

/* attach(ep, fd) */
static int l_attach(lua_State *L)
{
	struct l_endpoint *ep = check_closed(L);
	return attach(L, ep, (int)luaL_checkinteger(L, 2), 0);
}

/* claim(ep, older): ep sends through a duplicate of older's socket and
 * reads nothing until adopt. */
static int l_claim(lua_State *L)
{
	struct l_endpoint *ep = check_closed(L);
	struct l_endpoint *older = check_endpoint(L, 2);
	if (!older->d)
		return luaL_error(L, "the endpoint claimed is closed");
	int fd = dup(aio_dgram_fd(older->d));
	if (fd < 0)
		return raise_errno(L, errno);
	return attach(L, ep, fd, 1);
}

/* adopt(ep, fd): a claiming ep takes the socket over for good. */
static int l_adopt(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	int fd = (int)luaL_checkinteger(L, 2);
	aio_dgram_close(ep->d);
	ep->d = NULL;
	attach(L, ep, fd, 0);
	update_watch(ep, 0, 0);
	return 0;
}

/* detach(ep) -> fd: ep closes, its socket stays open (its waiters end) */
static int l_detach(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	if (!ep->d)
		return luaL_error(L, "the endpoint is closed");
	int fd = aio_dgram_detach(ep->d);
	drop_socket(ep);
	lua_pushinteger(L, fd);
	return 1;
}

/* close(ep): idempotent; its waiters wake to the closed endpoint */
static int l_close(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	if (!ep->d)
		return 0;
	aio_dgram_close(ep->d);
	drop_socket(ep);
	return 0;
}

/* close_fd(fd): a socket detached for a claim that was dropped */
static int l_close_fd(lua_State *L)
{
	close((int)luaL_checkinteger(L, 1));
	return 0;
}

static int l_is_open(lua_State *L)
{
	struct l_endpoint *ep = check_endpoint(L, 1);
	lua_pushboolean(L, ep->d && aio_dgram_fd(ep->d) >= 0);
	return 1;
}

/* An address of getaddrinfo's {family, address, port} parts, or a path. */
static socklen_t to_sockaddr(lua_State *L, int family, int idx, struct sockaddr_storage *ss)
{
	socklen_t len = 0;
	const char *host = luaL_checkstring(L, idx);
	if (family == AF_UNIX) {
		if (aio_sock_unix_address(host, ss, &len) < 0)
			luaL_argerror(L, idx, "path too long for a Unix socket");
		return len;
	}
	len = numeric_sockaddr(family, host, (int)luaL_checkinteger(L, idx + 1), ss);
	if (!len)
		luaL_argerror(L, idx, "not a numeric address");
	return len;
}

/* address(family, host, port) -> sockaddr bytes, for the resolver */
static int l_address(lua_State *L)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(L, (int)luaL_checkinteger(L, 1), 2, &ss);
	lua_pushlstring(L, (const char *)&ss, len);
	return 1;
}

/* "host:port", "[v6]:port" or a path, for messages. */
static void push_where(lua_State *L, int family, int idx)
{
	if (family == AF_UNIX)
		lua_pushvalue(L, idx);
	else
		lua_pushfstring(L, family == AF_INET6 ? "[%s]:%s" : "%s:%s",
				lua_tostring(L, idx), lua_tostring(L, idx + 1));
}

/* socket(family, lhost|nil, lport, rhost|nil, rport, flags) -> fd; raises
 * OSError saying what failed for which address. */
static int l_socket(lua_State *L)
{
	int family = (int)luaL_checkinteger(L, 1);
	unsigned flags = (unsigned)luaL_checkinteger(L, 6);
	struct sockaddr_storage local, remote;
	socklen_t llen = lua_isnil(L, 2) ? 0 : to_sockaddr(L, family, 2, &local);
	socklen_t rlen = lua_isnil(L, 4) ? 0 : to_sockaddr(L, family, 4, &remote);
	int fd = aio_dgram_socket(family, llen ? (struct sockaddr *)&local : NULL, llen,
				  rlen ? (struct sockaddr *)&remote : NULL, rlen, flags);
	if (fd >= 0) {
		lua_pushinteger(L, fd);
		return 1;
	}
	/* Which step failed: bind unless only a connect was asked for, or
	 * the local address was fine (connect's errors differ from bind's). */
	int bind_failed = llen && (fd == -EADDRINUSE || fd == -EADDRNOTAVAIL || fd == -EACCES ||
				   !rlen);
	if (bind_failed || rlen) {
		lua_pushstring(L, bind_failed ? "bind to " : "connect to ");
		push_where(L, family, bind_failed ? 2 : 4);
		lua_concat(L, 2);
	} else {
		lua_pushliteral(L, "socket");
	}
	laio_push_oserror(L, -fd, lua_tostring(L, -1));
	return lua_error(L);
}

/* set_resolver(fn): fn(host, port, family) -> sockaddr bytes, for sendto */
static int l_set_resolver(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_settop(L, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, RESOLVER_KEY);
	return 0;
}

static const luaL_Reg endpoint_methods[] = {
	{"sendto", l_endpoint_sendto},
	{"send", l_endpoint_send},
	{"recvfrom", l_endpoint_recvfrom},
	{"recv", l_endpoint_recv},
	{"datagrams", l_endpoint_datagrams},
	{"get_extra_info", l_endpoint_get_extra_info},
	{"is_closing", l_endpoint_is_closing},
	{NULL, NULL}
};

static const luaL_Reg endpoint_meta[] = {
	{"__gc", l_endpoint_gc},
	{"__tostring", l_endpoint_tostring},
	{NULL, NULL}
};

static const luaL_Reg dgram_functions[] = {
	{"new", l_new},
	{"attach", l_attach},
	{"claim", l_claim},
	{"adopt", l_adopt},
	{"detach", l_detach},
	{"close", l_close},
	{"is_open", l_is_open},
	{"close_fd", l_close_fd},
	{"address", l_address},
	{"socket", l_socket},
	{"set_resolver", l_set_resolver},
	{NULL, NULL}
};

/* internals.open_dgram(): the class and the primitives datagrams.lua
 * builds on; its methods table is "methods", for close written in Lua. */
int laio_open_dgram(lua_State *L)
{
	int state = lua_upvalueindex(1);
	static const luaL_Reg *const endpoint[] = {endpoint_methods, NULL};
	laio_new_class(L, LAIO_ENDPOINT, state, endpoint, endpoint_meta);
	static const struct laio_constant constants[] = {
		{"INET", AF_INET},
		{"INET6", AF_INET6},
		{"UNIX", AF_UNIX},
		{"REUSE_PORT", AIO_DGRAM_REUSE_PORT},
		{"BROADCAST", AIO_DGRAM_BROADCAST},
		{"UNIX_PATH_MAX", sizeof ((struct sockaddr_un *)0)->sun_path},
		{"MAX_SIZE_LIMIT", MAX_SIZE_LIMIT},
		{NULL, 0}
	};
	lua_newtable(L);
	lua_pushvalue(L, state);
	luaL_setfuncs(L, dgram_functions, 1);
	laio_set_constants(L, constants);
	luaL_getmetatable(L, LAIO_ENDPOINT);
	lua_getfield(L, -1, "__index");
	lua_setfield(L, -3, "methods");
	lua_setfield(L, -2, "meta");
	return 1;
}
