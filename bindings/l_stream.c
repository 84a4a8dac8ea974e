/* l_stream.c -- asyncio.StreamReader and asyncio.StreamWriter over a runtime stream */
#include "l_address.h"
#include "l_stream.h"
#include "sock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const struct laio_tls_hooks *laio_tls;

void laio_set_tls_hooks(const struct laio_tls_hooks *hooks)
{
	laio_tls = hooks;
}

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))

/* drain() suspends above this much pending output, as Python's default. */
#define WRITE_HIGH (64 * 1024)
#define WRITE_LOW (WRITE_HIGH / 4)

static const struct aio_buf no_input;

static const struct aio_buf *input(struct l_conn *c)
{
	return c->s ? aio_stream_input(c->s) : c->aside ? &c->aside->rest : &no_input;
}

/* Drops the first n bytes of the input; its storage goes once it is empty. */
static void input_consume(struct l_conn *c, size_t n)
{
	if (c->s)
		aio_stream_consume(c->s, n);
	else if (c->aside)
		aio_buf_consume(&c->aside->rest, n);
}

/* c's aside, made if need be; NULL without memory. */
static struct l_conn_aside *aside(struct l_conn *c)
{
	if (!c->aside && (c->aside = calloc(1, sizeof *c->aside)) != NULL)
		c->aside->shared_fd = -1;
	return c->aside;
}

static void free_aside(struct l_conn *c)
{
	if (c->aside)
		aio_buf_destroy(&c->aside->rest);
	free(c->aside);
	c->aside = NULL;
}

unsigned long laio_conn_tls_err(const struct l_conn *c)
{
	return c->aside ? c->aside->tls_err : 0;
}

/* What was read stays readable after the close: the input moves out of
 * the closing stream, aside. Without memory for that it is lost, as in a
 * reset. */
static void keep_rest(struct l_conn *c, struct aio_stream *s)
{
	struct aio_buf *in = aio_stream_input(s);
	if (!aio_buf_len(in) || !aside(c)) {
		aio_buf_destroy(in);
		return;
	}
	c->aside->rest = *in;
	aio_buf_init(in);
}

/* After writer:close() no more input comes for the script (as Python's
 * reader is fed EOF when its transport closes), even while a TLS stream
 * still waits for the peer's close_notify. */
static int at_eof(const struct l_conn *c)
{
	return !c->s || c->closing || aio_stream_eof(c->s);
}

/* Reading pauses at twice the limit while nobody waits, as in Python.
 * While a reader waits, a long read is made when it resumes (deferred),
 * in turn with its answer, not all connections' first and then the
 * answers. */
static void set_read_high(struct l_conn *c, int reader_waits)
{
	if (c->s) {
		aio_stream_defer_reads(c->s, reader_waits);
		aio_stream_set_read_high(c->s, reader_waits ? SIZE_MAX : 2 * c->limit);
	}
}

/* A descriptor 0-2 shared with the parent (a terminal, a shell's pipe)
 * gets its blocking mode back once the stream is done with it, since
 * others read or write it after aiod. */
static void give_back_shared_fd(struct l_conn *c)
{
	if (!c->aside || c->aside->shared_fd < 0)
		return;
	fcntl(c->aside->shared_fd, F_SETFL, c->aside->shared_flags);
	c->aside->shared_fd = -1;
}

static void conn_events(struct aio_stream *s, unsigned events)
{
	struct l_conn *c = aio_stream_udata(s);
	if (!c->error) {
		c->error = aio_stream_error(s);
		/* Without memory for it the error is raised without OpenSSL's detail. */
		if (c->error == AIO_ETLS && aio_stream_tls_failure(s) && aside(c))
			c->aside->tls_err = aio_stream_tls_failure(s)->err;
	}
	if (events & AIO_STREAM_CLOSED) {
		give_back_shared_fd(c);
		keep_rest(c, s);
		c->s = NULL;
		laio_unpark_all(&c->readers);
		laio_unpark_all(&c->drainers);
		return;
	}
	if (events & (AIO_STREAM_READ | AIO_STREAM_CONNECT))
		laio_unpark_all(&c->readers);
	/* Nothing more can come through a pipe's read end: give back its
	 * descriptor now, not when the reader is collected. */
	if ((events & AIO_STREAM_READ) && c->read_only && aio_stream_eof(s)) {
		give_back_shared_fd(c);
		aio_stream_close(s);
	}
	if (events & AIO_STREAM_WRITE)
		laio_unpark_all(&c->drainers);
}

struct l_conn *laio_push_conn(lua_State *L, size_t limit)
{
	struct l_conn *c = lua_newuserdatauv(L, sizeof *c, 0);
	c->s = NULL;
	laio_list_init(&c->readers);
	laio_list_init(&c->drainers);
	c->aside = NULL;
	c->limit = limit;
	c->error = 0;
	c->closing = 0;
	c->read_only = 0;
	c->accepted = 0;
	luaL_setmetatable(L, LAIO_READER);
	return c;
}

int laio_conn_open(struct l_conn *c, struct aio_loop *rt, int fd, unsigned flags)
{
	int err;
	c->s = aio_stream_new(rt, fd, flags, conn_events, c, &err);
	if (!c->s)
		return err;
	c->read_only = (flags & AIO_STREAM_NO_WRITE) != 0;
	set_read_high(c, 0);
	aio_stream_set_write_low(c->s, WRITE_LOW);
	return 0;
}

int laio_conn_connect(struct l_conn *c, struct aio_loop *rt,
		      const struct sockaddr *addr, socklen_t len,
		      const struct sockaddr *local, socklen_t local_len)
{
	int err;
	c->s = aio_stream_connect(rt, addr, len, local, local_len, conn_events, c, &err);
	if (!c->s)
		return err;
	set_read_high(c, 0);
	aio_stream_set_write_low(c->s, WRITE_LOW);
	return 0;
}

void laio_conn_release(struct l_conn *c)
{
	/* Output still pending is sent by the released stream, which must
	 * not block the loop: a shared descriptor stays non-blocking then. */
	if (!c->s || aio_stream_write_pending(c->s) == 0)
		give_back_shared_fd(c);
	if (c->s)
		aio_stream_release(c->s);
	c->s = NULL;
}

/*
 * open_pipe(fd, reading, fname, limit): a StreamReader (reading) or
 * StreamWriter on fd, a pipe, FIFO, socket or character device, as
 * Python's connect_read_pipe/connect_write_pipe; nothing for another kind
 * of file. The stream owns fd and closes it,
 * except 0-2, which it works on through a copy.
 */
int laio_open_pipe(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	int reading = lua_toboolean(L, 2);
	const char *fname = luaL_checkstring(L, 3);
	struct l_loop *loop = STATE(L)->running;
	if (!loop)
		return luaL_error(L, "%s: no running event loop", fname);
	struct stat st;
	if (n < 0 || n > INT32_MAX || fstat((int)n, &st) < 0) {
		laio_push_oserror(L, n < 0 || n > INT32_MAX ? EBADF : errno, fname);
		return lua_error(L);
	}
	/* The caller raises the bad argument, where the user can see it. */
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISCHR(st.st_mode))
		return 0;
	int fd = (int)n;
	struct l_conn *c = laio_push_conn(L, (size_t)luaL_checkinteger(L, 4));
	if (fd <= 2) {
		int flags = fcntl(fd, F_GETFL);
		int copy = flags < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (copy < 0) {
			laio_push_oserror(L, errno, fname);
			return lua_error(L);
		}
		if (!aside(c)) {
			close(copy);
			return luaL_error(L, "not enough memory");
		}
		c->aside->shared_fd = fd;
		c->aside->shared_flags = flags;
		fd = copy;
	}
	unsigned kind = (reading ? AIO_STREAM_NO_WRITE : AIO_STREAM_NO_READ) |
			(S_ISSOCK(st.st_mode) ? AIO_STREAM_SOCKET : 0);
	int err = laio_conn_open(c, loop->rt, fd, kind);
	if (err < 0) {
		if (c->aside && c->aside->shared_fd >= 0) {
			close(fd);
			c->aside->shared_fd = -1;
		}
		laio_push_oserror(L, -err, fname);
		return lua_error(L);
	}
	if (!reading)
		laio_push_writer(L, -1);
	return 1;
}

void laio_push_writer(lua_State *L, int reader_idx)
{
	reader_idx = lua_absindex(L, reader_idx);
	struct l_writer *w = lua_newuserdatauv(L, sizeof *w, 1);
	w->conn = lua_touserdata(L, reader_idx);
	lua_pushvalue(L, reader_idx);
	lua_setiuservalue(L, -2, 1);
	luaL_setmetatable(L, LAIO_WRITER);
}

static int raise_conn_error(lua_State *L, struct l_conn *c)
{
	if (c->error == AIO_ETLS && laio_conn_tls_err(c) && laio_tls) {
		struct aio_tls_failure f = {laio_conn_tls_err(c), 0, 0};	/* verify 0: X509_V_OK */
		laio_tls->push_error(L, &f, NULL);
	} else {
		laio_push_oserror(L, c->error, NULL);
	}
	return lua_error(L);
}

/* A failed write or write_eof: r is -errno. Only an error that broke the
 * connection sticks; writing after write_eof just fails. */
static int raise_stream_error(lua_State *L, struct l_conn *c, int r)
{
	if (r == -ENOMEM)
		return luaL_error(L, "not enough memory");
	if (c->s && aio_stream_error(c->s))
		c->error = aio_stream_error(c->s);
	laio_push_oserror(L, -r, NULL);
	return lua_error(L);
}

/*
 * A task waiting on a connection holds the loop: the runtime's streams do
 * not, so that only a connection someone waits on keeps a program alive.
 * laio_conn_resumed is the first step of every such continuation.
 */
int laio_conn_park(lua_State *L, struct l_task *t, struct l_link *list,
		   const struct laio_park_kind *kind, lua_KFunction k, lua_KContext ctx)
{
	aio_loop_hold(t->fut.loop->rt);
	return laio_park(L, t, list, kind, k, ctx);
}

static int conn_detail(lua_State *L, const void *object)
{
	const struct l_conn *c = object;
	return laio_push_address_text(L, c->s ? aio_stream_fd(c->s) : -1, 1);
}

const struct laio_park_kind laio_wait_read = {"read", offsetof(struct l_conn, readers), conn_detail};
const struct laio_park_kind laio_wait_connect = {"connect", offsetof(struct l_conn, readers), conn_detail};
static const struct laio_park_kind wait_drain = {"drain", offsetof(struct l_conn, drainers), conn_detail};
static const struct laio_park_kind wait_closed = {"wait_closed", offsetof(struct l_conn, drainers), conn_detail};

struct l_task *laio_conn_resumed(lua_State *L)
{
	aio_loop_release(laio_state(L)->running->current->fut.loop->rt);
	return laio_resume_check(L);
}

/* Parks the running task until input, end of file or an error comes. */
static int wait_input(lua_State *L, struct l_conn *c, lua_KFunction k, lua_KContext ctx)
{
	struct l_task *t = laio_current_task(L, STATE(L));
	if (!laio_list_empty(&c->readers))
		return luaL_error(L, "read called while another task is already "
				  "waiting for incoming data");
	set_read_high(c, 1);
	return laio_conn_park(L, t, &c->readers, &laio_wait_read, k, ctx);
}

static void input_resumed(lua_State *L)
{
	set_read_high(lua_touserdata(L, 1), 0);
	laio_conn_resumed(L);
}

/*
 * A long string read is one object to the collector however many bytes it
 * holds, and mostly dropped soon (an echo, a proxy, a copy); yet its whole
 * length counts towards the next cycle, which then marks the whole heap
 * every few reads of 16 KiB. Three quarters of its length go back as
 * credit, so dead reads may pile up to about twice as far before a cycle.
 */
#define LONG_READ 4096

static void credit_long_read(lua_State *L, size_t n)
{
	if (n >= LONG_READ && lua_gc(L, LUA_GCISRUNNING))
		lua_gc(L, LUA_GCSTEP, -(int)(n / 1024 * 3 / 4));
}

static void consume(lua_State *L, struct l_conn *c, size_t n)
{
	const struct aio_buf *in = input(c);
	lua_pushlstring(L, aio_buf_peek(in), n);
	credit_long_read(L, n);
	input_consume(c, n);
}

/* reader:read([n]) -- up to n bytes; all until end of file when n < 0 */
static int read_step(lua_State *L);

static int read_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	input_resumed(L);
	return read_step(L);
}

static int read_step(lua_State *L)
{
	struct l_conn *c = lua_touserdata(L, 1);
	lua_Integer n = lua_tointeger(L, 2);
	if (c->error)
		return raise_conn_error(L, c);
	size_t len = aio_buf_len(input(c));
	if (n == 0 || (len == 0 && at_eof(c))) {
		lua_pushliteral(L, "");
		return 1;
	}
	if (n < 0 ? at_eof(c) : len > 0) {
		consume(L, c, n < 0 || (size_t)n > len ? len : (size_t)n);
		return 1;
	}
	return wait_input(L, c, read_k, 0);
}

static int l_reader_read(lua_State *L)
{
	laio_checkself(L, LAIO_READER);
	lua_Integer n = luaL_optinteger(L, 2, -1);
	lua_settop(L, 1);
	lua_pushinteger(L, n);
	return read_step(L);
}

/* reader:readexactly(n) */
static int readexactly_step(lua_State *L);

static int readexactly_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	input_resumed(L);
	return readexactly_step(L);
}

static int raise_incomplete(lua_State *L, struct l_conn *c, lua_Integer expected)
{
	size_t len = aio_buf_len(input(c));
	if (expected >= 0)
		lua_pushfstring(L, "%d bytes read on a total of %d expected bytes",
				(int)len, (int)expected);
	else
		lua_pushfstring(L, "%d bytes read on a total of undefined expected bytes",
				(int)len);
	laio_push_error(L, "IncompleteReadError", lua_tostring(L, -1));
	consume(L, c, len);
	lua_setfield(L, -2, "partial");
	if (expected >= 0) {
		lua_pushinteger(L, expected);
		lua_setfield(L, -2, "expected");
	}
	return lua_error(L);
}

static int readexactly_step(lua_State *L)
{
	struct l_conn *c = lua_touserdata(L, 1);
	lua_Integer n = lua_tointeger(L, 2);
	if (c->error)
		return raise_conn_error(L, c);
	if ((lua_Integer)aio_buf_len(input(c)) >= n) {
		consume(L, c, (size_t)n);
		return 1;
	}
	if (at_eof(c))
		return raise_incomplete(L, c, n);
	return wait_input(L, c, readexactly_k, 0);
}

static int l_reader_readexactly(lua_State *L)
{
	laio_checkself(L, LAIO_READER);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_argcheck(L, n >= 0, 2, "size must not be negative");
	lua_settop(L, 2);
	return readexactly_step(L);
}

/*
 * reader:readuntil([sep]), reader:readline(), and the lines() iterator:
 * one search, three ways of ending. The continuation's context is where
 * the next search starts, so a long wait does not rescan.
 */
enum { UNTIL, LINE, LINES };

static int until_step(lua_State *L, size_t from);

static int until_k(lua_State *L, int status, lua_KContext from)
{
	(void)status;
	input_resumed(L);
	return until_step(L, (size_t)from);
}

static int raise_overrun(lua_State *L, struct l_conn *c, const char *msg,
			 size_t consumed, size_t seplen, int mode)
{
	laio_push_error(L, "LimitOverrunError", msg);
	lua_pushinteger(L, (lua_Integer)consumed);
	lua_setfield(L, -2, "consumed");
	if (mode != UNTIL) {
		/* As Python's readline: drop the long line, so reading can go on. */
		const struct aio_buf *in = input(c);
		size_t drop = aio_buf_len(in);
		ssize_t at = aio_buf_find(in, "\n", seplen, consumed);
		if (at == (ssize_t)consumed)
			drop = consumed + seplen;
		input_consume(c, drop);
	}
	return lua_error(L);
}

static int until_step(lua_State *L, size_t from)
{
	struct l_conn *c = lua_touserdata(L, 1);
	size_t seplen;
	const char *sep = lua_tolstring(L, 2, &seplen);
	int mode = (int)lua_tointeger(L, 3);
	if (c->error)
		return raise_conn_error(L, c);
	const struct aio_buf *in = input(c);
	ssize_t at = aio_buf_find(in, sep, seplen, from);
	if (at >= 0) {
		if ((size_t)at > c->limit)
			return raise_overrun(L, c, "Separator is found, but chunk is longer than limit",
					     (size_t)at, seplen, mode);
		consume(L, c, (size_t)at + seplen);
		return 1;
	}
	size_t len = aio_buf_len(in);
	size_t next = len + 1 > seplen ? len + 1 - seplen : 0;
	if (next > c->limit)
		return raise_overrun(L, c, "Separator is not found, and chunk exceed the limit",
				     next, seplen, mode);
	if (at_eof(c)) {
		if (mode == UNTIL)
			return raise_incomplete(L, c, -1);
		if (len == 0 && mode == LINES)
			lua_pushnil(L);
		else
			consume(L, c, len);
		return 1;
	}
	return wait_input(L, c, until_k, (lua_KContext)next);
}

static int l_reader_readuntil(lua_State *L)
{
	laio_checkself(L, LAIO_READER);
	size_t seplen;
	luaL_optlstring(L, 2, "\n", &seplen);
	luaL_argcheck(L, seplen > 0, 2, "separator must not be empty");
	lua_settop(L, 2);
	if (lua_isnil(L, 2))
		lua_pushliteral(L, "\n"), lua_replace(L, 2);
	lua_pushinteger(L, UNTIL);
	return until_step(L, 0);
}

static int line_step(lua_State *L, int mode)
{
	laio_checkself(L, LAIO_READER);
	lua_settop(L, 1);
	lua_pushliteral(L, "\n");
	lua_pushinteger(L, mode);
	return until_step(L, 0);
}

static int l_reader_readline(lua_State *L)
{
	return line_step(L, LINE);
}

static int lines_iter(lua_State *L)
{
	return line_step(L, LINES);
}

static int l_reader_lines(lua_State *L)
{
	luaL_checkudata(L, 1, LAIO_READER);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushcclosure(L, lines_iter, 1);
	lua_pushvalue(L, 1);
	return 2;
}

static int l_reader_at_eof(lua_State *L)
{
	struct l_conn *c = luaL_checkudata(L, 1, LAIO_READER);
	lua_pushboolean(L, at_eof(c) && aio_buf_len(input(c)) == 0);
	return 1;
}

static int l_reader_gc(lua_State *L)
{
	struct l_conn *c = luaL_checkudata(L, 1, LAIO_READER);
	laio_conn_release(c);
	free_aside(c);
	return 0;
}

static int l_reader_tostring(lua_State *L)
{
	struct l_conn *c = luaL_checkudata(L, 1, LAIO_READER);
	lua_pushfstring(L, "StreamReader (%s): %p", c->s ? "open" : "closed", (void *)c);
	return 1;
}

/* StreamWriter */

static struct l_conn *check_writer(lua_State *L)
{
	return ((struct l_writer *)laio_checkself(L, LAIO_WRITER))->conn;
}

static int write_string(lua_State *L, struct l_conn *c, int idx)
{
	size_t len;
	const char *p = lua_tolstring(L, idx, &len);
	if (c->error)
		return raise_conn_error(L, c);
	if (!c->s || c->closing) {
		laio_push_oserror(L, EPIPE, "the StreamWriter is closed");
		return lua_error(L);
	}
	int r = aio_stream_write(c->s, p, len);
	if (r < 0)
		return raise_stream_error(L, c, r);
	return 0;
}

static int l_writer_write(lua_State *L)
{
	struct l_conn *c = check_writer(L);
	luaL_checktype(L, 2, LUA_TSTRING);
	write_string(L, c, 2);
	return 0;
}

static int l_writer_writelines(lua_State *L)
{
	struct l_conn *c = check_writer(L);
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_Integer n = luaL_len(L, 2);
	for (lua_Integer i = 1; i <= n; i++) {
		if (lua_geti(L, 2, i) != LUA_TSTRING)
			return luaL_argerror(L, 2, lua_pushfstring(L, "item %d is a %s, not a string",
						 (int)i, luaL_typename(L, -1)));
		lua_pop(L, 1);
	}
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, 2, i);
		write_string(L, c, -1);
		lua_pop(L, 1);
	}
	return 0;
}

static int drain_step(lua_State *L);

static int drain_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	laio_conn_resumed(L);
	return drain_step(L);
}

static int drain_step(lua_State *L)
{
	struct l_conn *c = ((struct l_writer *)lua_touserdata(L, 1))->conn;
	if (c->error)
		return raise_conn_error(L, c);
	if (!c->s)
		return laio_raise(L, "ConnectionResetError", "Connection lost");
	if (aio_stream_write_pending(c->s) <= WRITE_HIGH)
		return 0;
	struct l_task *t = laio_current_task(L, STATE(L));
	return laio_conn_park(L, t, &c->drainers, &wait_drain, drain_k, 0);
}

static int l_writer_drain(lua_State *L)
{
	check_writer(L);
	lua_settop(L, 1);
	return drain_step(L);
}

static int l_writer_write_eof(lua_State *L)
{
	struct l_conn *c = check_writer(L);
	if (c->error)
		return raise_conn_error(L, c);
	if (!c->s || c->closing) {
		laio_push_oserror(L, EPIPE, "the StreamWriter is closed");
		return lua_error(L);
	}
	if (aio_stream_ssl(c->s))
		return luaL_error(L, "write_eof: TLS does not support half-closes "
				  "(can_write_eof() is false)");
	int r = aio_stream_shutdown(c->s);
	if (r < 0)
		return raise_stream_error(L, c, r);
	return 0;
}

static int l_writer_can_write_eof(lua_State *L)
{
	struct l_conn *c = check_writer(L);
	lua_pushboolean(L, !c->s || !aio_stream_ssl(c->s));
	return 1;
}

void laio_conn_close(struct l_conn *c)
{
	c->closing = 1;
	if (c->s) {
		aio_stream_close(c->s);
		laio_unpark_all(&c->readers);
	}
}

static int l_writer_close(lua_State *L)
{
	laio_conn_close(check_writer(L));
	return 0;
}

/* writer:abort(): closes at once, dropping what is buffered (no close_notify). */
static int l_writer_abort(lua_State *L)
{
	struct l_conn *c = check_writer(L);
	c->closing = 1;
	if (c->s)
		aio_stream_abort(c->s);
	return 0;
}

static int l_writer_is_closing(lua_State *L)
{
	struct l_conn *c = check_writer(L);
	lua_pushboolean(L, c->closing || !c->s);
	return 1;
}

static int wait_closed_step(lua_State *L);

static int wait_closed_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	laio_conn_resumed(L);
	return wait_closed_step(L);
}

/* Waits among the drainers, a list less for every connection: a write's
 * wake-up only puts it back to sleep. */
static int wait_closed_step(lua_State *L)
{
	struct l_conn *c = ((struct l_writer *)lua_touserdata(L, 1))->conn;
	if (c->s) {
		struct l_task *t = laio_current_task(L, STATE(L));
		return laio_conn_park(L, t, &c->drainers, &wait_closed, wait_closed_k, 0);
	}
	if (c->error)
		return raise_conn_error(L, c);
	return 0;
}

static int l_writer_wait_closed(lua_State *L)
{
	check_writer(L);
	lua_settop(L, 1);
	return wait_closed_step(L);
}

/* writer:get_extra_info(name [, default]) */
static int l_writer_get_extra_info(lua_State *L)
{
	struct l_conn *c = check_writer(L);
	const char *name = luaL_checkstring(L, 2);
	int fd = c->s ? aio_stream_fd(c->s) : -1;
	lua_settop(L, 3);
	if (fd < 0)
		return 1;
	int n = laio_tls ? laio_tls->push_extra(L, c, 1, name) : -1;
	if (n >= 0)
		return n ? n : 1;
	if (!strcmp(name, "fd")) {
		lua_pushinteger(L, fd);
		return 1;
	}
	int peer = !strcmp(name, "peername");
	if (!peer && strcmp(name, "sockname"))
		return 1;
	n = laio_push_socket_address(L, fd, peer);
	return n ? n : 1;
}

static int l_writer_tostring(lua_State *L)
{
	struct l_conn *c = check_writer(L);
	lua_pushfstring(L, "StreamWriter (%s): %p",
			!c->s ? "closed" : c->closing ? "closing" : "open", (void *)c);
	return 1;
}

static const luaL_Reg reader_methods[] = {
	{"read", l_reader_read},
	{"readexactly", l_reader_readexactly},
	{"readuntil", l_reader_readuntil},
	{"readline", l_reader_readline},
	{"lines", l_reader_lines},
	{"at_eof", l_reader_at_eof},
	{NULL, NULL}
};

static const luaL_Reg reader_meta[] = {
	{"__gc", l_reader_gc},
	{"__tostring", l_reader_tostring},
	{NULL, NULL}
};

static const luaL_Reg writer_methods[] = {
	{"write", l_writer_write},
	{"writelines", l_writer_writelines},
	{"drain", l_writer_drain},
	{"write_eof", l_writer_write_eof},
	{"can_write_eof", l_writer_can_write_eof},
	{"close", l_writer_close},
	{"abort", l_writer_abort},
	{"is_closing", l_writer_is_closing},
	{"wait_closed", l_writer_wait_closed},
	{"get_extra_info", l_writer_get_extra_info},
	{NULL, NULL}
};

static const luaL_Reg writer_meta[] = {
	{"__close", l_writer_close},
	{"__tostring", l_writer_tostring},
	{NULL, NULL}
};

void laio_open_stream(lua_State *L, int state)
{
	static const luaL_Reg *const reader[] = {reader_methods, NULL};
	static const luaL_Reg *const writer[] = {writer_methods, NULL};
	laio_new_class(L, LAIO_READER, state, reader, reader_meta);
	laio_new_class(L, LAIO_WRITER, state, writer, writer_meta);
}
