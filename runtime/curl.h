/* curl.h -- HTTP transfers on libcurl's multi interface, driven by the loop (one timer, an I/O watcher a socket) */
#ifndef AIO_CURL_H
#define AIO_CURL_H

#include "buf.h"
#include "loop.h"

#include <curl/curl.h>

/*
 * A pool: one curl multi handle on a loop, its connections kept alive
 * between its transfers. It lives in asyncio_http.so with libcurl (loaded
 * on first use, as TLS is), never in the streams' core.
 *
 * libcurl's rules are kept here, so the owner never meets them: nothing
 * calls curl or an owner's function from inside a curl callback (what they
 * report is collected, and the owner's fn runs after socket_action
 * returns); the pool opens and closes the sockets itself, so a
 * CURL_POLL_REMOVE that comes after the close, or never, is harmless; the
 * timer is set in fractional seconds, -1 stops it, 0 runs on the next turn
 * (never inline); CURLOPT_NOSIGNAL is set; curl_multi_info_read is
 * drained after every action. libcurl's threaded resolver keeps lookups
 * off the loop.
 */
struct aio_curl;
struct aio_curl_xfer;

/* Events handed to a transfer's fn; several may come at once. */
enum {
	AIO_CURL_HEADERS = 1,	/* the final response's header block is in (status known) */
	AIO_CURL_BODY = 2,	/* the body buffer grew */
	AIO_CURL_DONE = 4,	/* the transfer ended: aio_curl_result tells how (no HEADERS may have come) */
};

typedef void (*aio_curl_fn)(struct aio_curl_xfer *x, unsigned events);

/* NULL with *err = -ENOMEM (or -EINVAL if libcurl cannot start). */
struct aio_curl *aio_curl_new(struct aio_loop *loop, int *err);

/* 0 for libcurl's default (no limit). */
void aio_curl_set_limits(struct aio_curl *m, long max_connections, long max_per_host);

/*
 * Aborts the transfers still running (their fn is not called again; the
 * owners still release them) and frees the pool with its connections. If
 * the loop is freed first, the pool is closed then and only waits for
 * this call.
 */
void aio_curl_free(struct aio_curl *m);

struct aio_curl_opts {
	size_t max_body;	/* more body than this fails with CURLE_WRITE_ERROR, aio_curl_too_big true; 0: no limit */
	int stream;		/* the body is the owner's to consume: reading pauses above high */
	size_t high;		/* stream: buffered body that pauses the transfer (default 256 KiB) */
	int follow;		/* the owner set CURLOPT_FOLLOWLOCATION: a 3xx with a Location is not final */
};

/*
 * Starts the transfer easy describes (the owner set its URL, method,
 * headers and other options, and keeps it until it releases the
 * transfer). The pool sets its own callbacks on it (write, header,
 * socket open/close, PRIVATE) and CURLOPT_NOSIGNAL. fn(x, events) is
 * called from the loop, never from inside this API or from a curl
 * callback. NULL with *err: -ENOMEM, or -EINVAL when libcurl refuses.
 */
struct aio_curl_xfer *aio_curl_start(struct aio_curl *m, CURL *easy, const struct aio_curl_opts *o,
				     aio_curl_fn fn, void *udata, int *err);

void *aio_curl_udata(const struct aio_curl_xfer *x);

/* The last response's header block, as received ("HTTP/1.1 200 OK\r\n..."). */
const struct aio_buf *aio_curl_headers(const struct aio_curl_xfer *x);

/* The body received so far; a streaming owner consumes from it, then
 * calls aio_curl_consumed (which lets a paused transfer go on). */
struct aio_buf *aio_curl_body(struct aio_curl_xfer *x);
void aio_curl_consumed(struct aio_curl_xfer *x);

int aio_curl_done(const struct aio_curl_xfer *x);
CURLcode aio_curl_result(const struct aio_curl_xfer *x);	/* CURLE_OK until done */
const char *aio_curl_error(const struct aio_curl_xfer *x);	/* curl's message for the result ("" if none) */
int aio_curl_too_big(const struct aio_curl_xfer *x);	/* failed past max_body */

/*
 * Ends the owner's part: a transfer still running is aborted at once and
 * its connection closed (never reused half-read); no more events. The
 * owner may then clean up its easy handle.
 */
void aio_curl_release(struct aio_curl_xfer *x);

#endif
