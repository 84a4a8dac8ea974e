/* resolve.h -- host name resolution off the loop: getaddrinfo on a worker pool */
#ifndef AIO_RESOLVE_H
#define AIO_RESOLVE_H

#include "workers.h"

#include <netdb.h>

struct aio_resolve;

typedef void (*aio_resolve_fn)(struct aio_resolve *r);

/*
 * Caller-owned. aio_resolve_start sets every field but udata, which is the
 * owner's. r must stay put from start until cb ran or cancel returned 0.
 */
struct aio_resolve {
	struct aio_job job;
	char *host;			/* owned copies */
	char *service;
	struct addrinfo hints;
	struct addrinfo *result;	/* on success; the owner frees it with freeaddrinfo */
	int error;			/* 0, or a getaddrinfo EAI_* code (EAI_SYSTEM: see sys_errno) */
	int sys_errno;
	aio_resolve_fn cb;		/* cleared just before it is called, or by cancel */
	void *udata;
};

/*
 * Starts resolving host (may be NULL for the wildcard with AI_PASSIVE in
 * flags) and service (a port number or a service name, as a string) for
 * the given family (AF_UNSPEC...), socktype (SOCK_STREAM, SOCK_DGRAM, 0 for
 * any) and ai_flags. w should be a pool of its own for lookups, so that they
 * never wait behind other blocking work. Numeric addresses
 * (tried first with AI_NUMERICHOST and AI_NUMERICSERV, synchronously) and
 * "localhost" (127.0.0.1 then ::1, as the family allows) take a fast path:
 * no thread is used, but cb is still called later from the loop's ready
 * queue, never from inside aio_resolve_start. Otherwise getaddrinfo runs on
 * the pool. Returns 0 or -errno (-ENOMEM, or a failure to start any thread);
 * cb(r) is then called exactly once unless aio_resolve_cancel returned 0.
 * After a failed start r holds nothing and cb is not called.
 *
 * The owner that takes r->result sets it to NULL (or leaves it for
 * aio_resolve_destroy to free).
 */
int aio_resolve_start(struct aio_workers *w, struct aio_resolve *r, const char *host,
		      const char *service, int family, int socktype, int flags,
		      aio_resolve_fn cb);

/*
 * Answers on the spot when no resolver is needed (numeric addresses,
 * "localhost"): returns 1 with r->result or r->error set (the owner
 * destroys r after), 0 when the name needs aio_resolve_start (r is left
 * empty), or -ENOMEM. Never blocks.
 */
int aio_resolve_now(struct aio_resolve *r, const char *host, const char *service,
		    int family, int socktype, int flags);

/*
 * Stops a resolution: 0 if cb will not be called (the result, if any, is
 * freed; harmless once cb ran, which leaves the result alone); -EBUSY if
 * getaddrinfo is running on a thread, or has run and cb is about to be
 * queued: then cb WILL still be called later, and the owner must keep r
 * alive until then (it can ignore the result, and then calls
 * aio_resolve_destroy, which frees it).
 */
int aio_resolve_cancel(struct aio_workers *w, struct aio_resolve *r);

/* Frees host/service copies and the result if any. Not while in flight. */
void aio_resolve_destroy(struct aio_resolve *r);

/* Human-readable text of r->error (gai_strerror, or strerror(sys_errno) for EAI_SYSTEM). */
const char *aio_resolve_strerror(const struct aio_resolve *r);

#endif
