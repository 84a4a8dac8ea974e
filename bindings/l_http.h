/* l_http.h -- what the files of asyncio_http.so share: a Session's pool and a transfer as Lua userdata */
#ifndef L_HTTP_H
#define L_HTTP_H

#include "curl.h"
#include "l_stream.h"

#define LAIO_HTTP_POOL "asyncio.http.Pool"
#define LAIO_HTTP_XFER "asyncio.http.Transfer"

/* Easy handles a pool keeps for its next requests: made and freed per
 * request, they were a tenth of a request's malloc traffic. */
#define LAIO_HTTP_SPARE 64

/* A Session's pool, on the loop it was made on (user value 1: the loop). */
struct l_http_pool {
	struct aio_curl *m;	/* NULL once closed */
	struct l_loop *loop;
	struct l_link xfers;	/* its transfers not released */
	int nspare;
	CURL *spare[LAIO_HTTP_SPARE];	/* reset, ready for a request */
};

/* A request: the easy handle and what it points at, kept until collected. */
struct l_http_xfer {
	struct aio_curl_xfer *x;	/* NULL once released */
	CURL *easy;
	struct l_http_pool *pool;	/* its user value; the easy handle goes back there */
	struct curl_slist *headers;
	struct l_link link;	/* in the pool's xfers while x is set */
	struct l_link waiters;	/* the task in wait or read */
	unsigned char got_headers;
	unsigned char done;
	unsigned char stream;
	unsigned char head;
	unsigned char pool_closed;	/* released by the Session's close */
	size_t max_body;	/* for the error past it */
	char errbuf[CURL_ERROR_SIZE];
};

/* Inline so that l_http_response.c, which l_http.c calls, need not call back. */
static inline struct l_http_xfer *laio_check_xfer(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, LAIO_HTTP_XFER);
}

/* l_http_response.c */
/* info(transfer) -> status, headers, raw header block, url, http_version */
int laio_http_info(lua_State *L);
/* error(transfer) -> the error object of a failed transfer; nothing when
 * it is a certificate's and asyncio.ssl is not loaded yet (load it, ask
 * again: its error objects are made there). */
int laio_http_error(lua_State *L);
/* parse_headers(raw) -> the headers table of a header block */
int laio_http_parse_headers(lua_State *L);

/* The entry of asyncio_http.so. */
int laio_http_open(lua_State *L);

#endif
