/* l_http.c -- asyncio.http's C side: a Session's pool (runtime/curl.h) and its transfers, which suspend the task */
#include "l_http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))

/* User values of a transfer: its pool (kept alive while it is), its body. */
enum { XFER_UV_POOL = 1, XFER_UV_BODY, XFER_UV_COUNT = XFER_UV_BODY };

static struct l_http_pool *check_pool(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, LAIO_HTTP_POOL);
}

static void unlink_xfer(struct l_http_xfer *lx)
{
	if (!lx->link.next)
		return;
	lx->link.prev->next = lx->link.next;
	lx->link.next->prev = lx->link.prev;
	lx->link.next = lx->link.prev = NULL;
}

/* Ends the transfer's part in the pool; idempotent. Waiters are woken to
 * find it over. */
static void release_xfer(struct l_http_xfer *lx)
{
	if (lx->x) {
		aio_curl_release(lx->x);
		lx->x = NULL;
	}
	unlink_xfer(lx);
	laio_unpark_all(&lx->waiters);
}

static int xfer_gc(lua_State *L)
{
	struct l_http_xfer *lx = lua_touserdata(L, 1);
	release_xfer(lx);
	if (lx->easy) {
		struct l_http_pool *p = lx->pool;
		if (p->m && p->nspare < LAIO_HTTP_SPARE) {
			curl_easy_reset(lx->easy);
			p->spare[p->nspare++] = lx->easy;
		} else {
			curl_easy_cleanup(lx->easy);
		}
		lx->easy = NULL;
	}
	if (lx->headers) {
		curl_slist_free_all(lx->headers);
		lx->headers = NULL;
	}
	return 0;
}

/* The pool's word on a transfer: wake whoever waits on it. Called from the
 * loop, never inside curl, so waking tasks here is safe. */
static void xfer_event(struct aio_curl_xfer *x, unsigned events)
{
	struct l_http_xfer *lx = aio_curl_udata(x);
	if (events & AIO_CURL_HEADERS)
		lx->got_headers = 1;
	if (events & AIO_CURL_DONE)
		lx->done = 1;
	laio_unpark_all(&lx->waiters);
}

/* Pool(max_connections, max_connections_per_host) on the running loop. */
static int l_pool_new(lua_State *L)
{
	lua_Integer maxc = luaL_checkinteger(L, 1);
	lua_Integer maxh = luaL_checkinteger(L, 2);
	struct l_loop *loop = laio_push_running_loop(L);	/* 3 */
	if (!loop->rt)
		return luaL_error(L, "Event loop is closed");
	struct l_http_pool *p = lua_newuserdatauv(L, sizeof *p, 1);
	p->m = NULL;
	p->loop = loop;
	p->nspare = 0;
	laio_list_init(&p->xfers);
	luaL_setmetatable(L, LAIO_HTTP_POOL);
	lua_pushvalue(L, 3);
	lua_setiuservalue(L, -2, 1);
	int err = 0;
	p->m = aio_curl_new(loop->rt, &err);
	if (!p->m)
		return err == -ENOMEM ? luaL_error(L, "not enough memory")
			: luaL_error(L, "libcurl cannot start a multi handle");
	aio_curl_set_limits(p->m, (long)maxc, (long)maxh);
	return 1;
}

/* Closes the pool: transfers still running are aborted, and their waiters
 * woken to raise that the Session is closed. Idempotent. */
static int l_pool_close(lua_State *L)
{
	struct l_http_pool *p = check_pool(L, 1);
	if (!p->m)
		return 0;
	while (p->xfers.next != &p->xfers) {
		struct l_http_xfer *lx = aio_container_of(p->xfers.next, struct l_http_xfer, link);
		lx->pool_closed = 1;
		release_xfer(lx);
	}
	aio_curl_free(p->m);
	p->m = NULL;
	while (p->nspare > 0)
		curl_easy_cleanup(p->spare[--p->nspare]);
	return 0;
}

static int l_pool_is_open(lua_State *L)
{
	lua_pushboolean(L, check_pool(L, 1)->m != NULL);
	return 1;
}

/* The loop the pool belongs to (its userdata). */
static int l_pool_loop(lua_State *L)
{
	check_pool(L, 1);
	lua_getiuservalue(L, 1, 1);
	return 1;
}

static int set_fail(lua_State *L, CURLcode rc, const char *what)
{
	return luaL_error(L, "libcurl refused %s: %s", what, curl_easy_strerror(rc));
}

#define SETOPT(easy, opt, v)						\
	do {								\
		CURLcode rc_ = curl_easy_setopt(easy, opt, v);		\
		if (rc_ != CURLE_OK)					\
			return set_fail(L, rc_, #opt);			\
	} while (0)

static const char *opt_string(lua_State *L, int spec, const char *field)
{
	lua_getfield(L, spec, field);
	const char *s = lua_tostring(L, -1);	/* the spec table keeps it alive */
	lua_pop(L, 1);
	return s;
}

static lua_Integer opt_integer(lua_State *L, int spec, const char *field)
{
	lua_getfield(L, spec, field);
	lua_Integer v = lua_tointeger(L, -1);
	lua_pop(L, 1);
	return v;
}

static int opt_boolean(lua_State *L, int spec, const char *field)
{
	lua_getfield(L, spec, field);
	int v = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

/* The request's headers: spec.headers is a sequence of "Name: value". */
static int set_headers(lua_State *L, struct l_http_xfer *lx, int spec, int has_body)
{
	lua_getfield(L, spec, "headers");
	lua_Integer n = lua_istable(L, -1) ? (lua_Integer)lua_rawlen(L, -1) : 0;
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		struct curl_slist *l = curl_slist_append(lx->headers, lua_tostring(L, -1));
		lua_pop(L, 1);
		if (!l)
			return luaL_error(L, "not enough memory");
		lx->headers = l;
	}
	lua_pop(L, 1);
	/* No "Expect: 100-continue" round trip before a body. */
	if (has_body) {
		struct curl_slist *l = curl_slist_append(lx->headers, "Expect:");
		if (!l)
			return luaL_error(L, "not enough memory");
		lx->headers = l;
	}
	if (lx->headers)
		SETOPT(lx->easy, CURLOPT_HTTPHEADER, lx->headers);
	return 0;
}

static int set_method(lua_State *L, struct l_http_xfer *lx, int spec, const char *method)
{
	CURL *e = lx->easy;
	lua_getfield(L, spec, "body");
	size_t len;
	const char *body = lua_tolstring(L, -1, &len);
	lua_setiuservalue(L, -2, XFER_UV_BODY);	/* libcurl reads it from there */
	if (!strcmp(method, "HEAD")) {
		SETOPT(e, CURLOPT_NOBODY, 1L);
	} else if (body || !strcmp(method, "POST")) {
		SETOPT(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
		SETOPT(e, CURLOPT_POSTFIELDS, body ? body : "");
		if (strcmp(method, "POST"))
			SETOPT(e, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET")) {
		SETOPT(e, CURLOPT_CUSTOMREQUEST, method);
	}
	return body != NULL;
}

/* verify, and the options that are strings: files, proxy, credentials. */
static int set_verify_and_strings(lua_State *L, CURL *e, int spec)
{
	long verify = opt_boolean(L, spec, "verify");
	SETOPT(e, CURLOPT_SSL_VERIFYPEER, verify);
	SETOPT(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	static const struct { const char *field; CURLoption opt; } files[] = {
		{"cafile", CURLOPT_CAINFO}, {"capath", CURLOPT_CAPATH},
		{"cert", CURLOPT_SSLCERT}, {"key", CURLOPT_SSLKEY}, {"proxy", CURLOPT_PROXY},
		{"userpwd", CURLOPT_USERPWD},
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		const char *v = opt_string(L, spec, files[i].field);
		if (v)
			SETOPT(e, files[i].opt, v);
	}
	return 0;
}

/* Everything of spec but the method, body and headers. */
static int set_options(lua_State *L, struct l_http_xfer *lx, int spec, struct aio_curl_opts *o)
{
	CURL *e = lx->easy;
	SETOPT(e, CURLOPT_URL, opt_string(L, spec, "url"));
	SETOPT(e, CURLOPT_ERRORBUFFER, lx->errbuf);
	/* An HTTP client: no file://, ftp:// or the like, asked or redirected to. */
	SETOPT(e, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(e, CURLOPT_TIMEOUT_MS, (long)opt_integer(L, spec, "timeout_ms"));
	SETOPT(e, CURLOPT_CONNECTTIMEOUT_MS, (long)opt_integer(L, spec, "connect_timeout_ms"));
	o->follow = opt_boolean(L, spec, "follow");
	if (o->follow) {
		SETOPT(e, CURLOPT_FOLLOWLOCATION, 1L);
		SETOPT(e, CURLOPT_MAXREDIRS, (long)opt_integer(L, spec, "max_redirects"));
	}
	lua_Integer version = opt_integer(L, spec, "http_version");
	SETOPT(e, CURLOPT_HTTP_VERSION, version == 11 ? (long)CURL_HTTP_VERSION_1_1
	       : version == 2 ? (long)CURL_HTTP_VERSION_2_0 : (long)CURL_HTTP_VERSION_2TLS);
	set_verify_and_strings(L, e, spec);
	o->max_body = (size_t)opt_integer(L, spec, "max_body");
	o->stream = opt_boolean(L, spec, "stream");
	return 0;
}

/*
 * start(pool, spec) -> transfer: spec holds what http.lua checked and
 * worked out (method, url, headers as "Name: value" lines, body, userpwd,
 * timeout_ms, connect_timeout_ms, follow, max_redirects, verify, cafile,
 * capath, cert, key, proxy, http_version 0/11/2, max_body, stream).
 */
static int l_start(lua_State *L)
{
	struct l_http_pool *p = check_pool(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	const char *method = opt_string(L, 2, "method");
	luaL_argcheck(L, method && opt_string(L, 2, "url"), 2, "method and url expected");
	struct l_state *S = STATE(L);
	if (!p->m)
		return laio_raise(L, "HTTPError", "the Session is closed");
	if (S->running != p->loop)
		return luaL_error(L, "this Session belongs to another event loop");
	lua_settop(L, 2);
	struct l_http_xfer *lx = lua_newuserdatauv(L, sizeof *lx, XFER_UV_COUNT);	/* 3 */
	memset(lx, 0, sizeof *lx);
	laio_list_init(&lx->waiters);
	luaL_setmetatable(L, LAIO_HTTP_XFER);
	lua_pushvalue(L, 1);
	lua_setiuservalue(L, 3, XFER_UV_POOL);
	lx->pool = p;
	lx->easy = p->nspare > 0 ? p->spare[--p->nspare] : curl_easy_init();
	if (!lx->easy)
		return luaL_error(L, "not enough memory");
	struct aio_curl_opts o = {0};
	lua_pushvalue(L, 3);
	int has_body = set_method(L, lx, 2, method);
	lua_pop(L, 1);
	set_headers(L, lx, 2, has_body);
	set_options(L, lx, 2, &o);
	lx->stream = (unsigned char)o.stream;
	lx->head = !strcmp(method, "HEAD");
	lx->max_body = o.max_body;
	int err = 0;
	lx->x = aio_curl_start(p->m, lx->easy, &o, xfer_event, lx, &err);
	if (!lx->x)
		return err == -ENOMEM ? luaL_error(L, "not enough memory")
			: laio_raise(L, "HTTPError", lx->errbuf[0] ? lx->errbuf : "libcurl refused the request");
	lx->link.next = &p->xfers;
	lx->link.prev = p->xfers.prev;
	p->xfers.prev->next = &lx->link;
	p->xfers.prev = &lx->link;
	return 1;
}

/* What wait and read wait for has come: the end, or the headers (stream),
 * or some body (reading). */
static int ready(struct l_http_xfer *lx, int reading)
{
	if (!lx->x || lx->done)
		return 1;
	if (reading)
		return aio_buf_len(aio_curl_body(lx->x)) > 0;
	return lx->stream && lx->got_headers;
}

static int wait_k(lua_State *L, int status, lua_KContext ctx);

/* Parks the task on the transfer at 1 until ready; a cancelled task's
 * transfer is released (its connection closed) before CancelledError. */
static const struct laio_park_kind wait_http = {"HTTP transfer", 0, NULL};

static int park_until_ready(lua_State *L, int reading, lua_KFunction k)
{
	struct l_http_xfer *lx = lua_touserdata(L, 1);
	struct l_task *t = laio_current_task(L, laio_state(L));
	if (!laio_list_empty(&lx->waiters))
		return luaL_error(L, "another task already waits on this response");
	return laio_conn_park(L, t, &lx->waiters, &wait_http, k, reading);
}

static void resumed(lua_State *L)
{
	struct l_http_xfer *lx = lua_touserdata(L, 1);
	if (laio_state(L)->running->current->must_cancel)
		release_xfer(lx);
	laio_conn_resumed(L);
}

/* wait(transfer) -> true once the response (or its headers, streaming) is
 * in; false when the transfer failed (error tells how). */
static int l_wait(lua_State *L)
{
	struct l_http_xfer *lx = laio_check_xfer(L, 1);
	lua_settop(L, 1);
	if (!ready(lx, 0))
		return park_until_ready(L, 0, wait_k);
	/* A stream whose headers came is a response even if its body then
	 * failed: reading it raises that failure, as section 12 says. */
	lua_pushboolean(L, lx->x && (!lx->done || aio_curl_result(lx->x) == CURLE_OK ||
				     (lx->stream && lx->got_headers)));
	return 1;
}

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	resumed(L);
	return l_wait(L);
}

static int read_k(lua_State *L, int status, lua_KContext ctx);

/* read(transfer [, max]) -> the body buffered (at most max bytes), nil at
 * its end, false when the transfer failed. */
static int l_read(lua_State *L)
{
	struct l_http_xfer *lx = laio_check_xfer(L, 1);
	lua_Integer max = luaL_optinteger(L, 2, 0);
	lua_settop(L, 2);
	if (!ready(lx, 1))
		return park_until_ready(L, 1, read_k);
	if (!lx->x) {
		lua_pushboolean(L, 0);
		return 1;
	}
	struct aio_buf *b = aio_curl_body(lx->x);
	size_t n = aio_buf_len(b);
	if (n == 0) {
		if (aio_curl_result(lx->x) == CURLE_OK)
			lua_pushnil(L);
		else
			lua_pushboolean(L, 0);
		return 1;
	}
	if (max > 0 && (size_t)max < n)
		n = (size_t)max;
	lua_pushlstring(L, aio_buf_peek(b), n);
	aio_buf_consume(b, n);
	aio_curl_consumed(lx->x);
	return 1;
}

static int read_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	resumed(L);
	return l_read(L);
}

/* body(transfer) -> the whole body of a finished transfer. */
static int l_body(lua_State *L)
{
	struct l_http_xfer *lx = laio_check_xfer(L, 1);
	if (!lx->x || lx->head) {
		lua_pushliteral(L, "");
		return 1;
	}
	struct aio_buf *b = aio_curl_body(lx->x);
	lua_pushlstring(L, aio_buf_peek(b), aio_buf_len(b));
	aio_buf_consume(b, aio_buf_len(b));
	return 1;
}

/* close(transfer): lets the transfer and its easy handle go at once. */
static int l_close(lua_State *L)
{
	laio_check_xfer(L, 1);
	return xfer_gc(L);
}

static const luaL_Reg functions[] = {
	{"Pool", l_pool_new},
	{"pool_close", l_pool_close},
	{"pool_is_open", l_pool_is_open},
	{"pool_loop", l_pool_loop},
	{"start", l_start},
	{"wait", l_wait},
	{"read", l_read},
	{"body", l_body},
	{"info", laio_http_info},
	{"error", laio_http_error},
	{"close", l_close},
	{"parse_headers", laio_http_parse_headers},
	{NULL, NULL}
};

static int pool_gc(lua_State *L)
{
	return l_pool_close(L);
}

/* asyncio_http.so's entry (upvalue 1: the module state): http.lua's C side. */
int laio_http_open(lua_State *L)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return luaL_error(L, "libcurl cannot start");
	luaL_newmetatable(L, LAIO_HTTP_POOL);
	lua_pushcfunction(L, pool_gc);
	lua_setfield(L, -2, "__gc");
	luaL_newmetatable(L, LAIO_HTTP_XFER);
	lua_pushcfunction(L, xfer_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 2);
	luaL_newlibtable(L, functions);
	lua_pushvalue(L, lua_upvalueindex(1));
	luaL_setfuncs(L, functions, 1);
	return 1;
}
