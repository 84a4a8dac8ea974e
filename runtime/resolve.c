/* resolve.c -- host name resolution off the loop: getaddrinfo on a worker pool */
#include "resolve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static void deliver(struct aio_resolve *r)
{
	aio_resolve_fn cb = r->cb;
	/* Cleared first: a cancel from now on has nothing left to stop. */
	r->cb = NULL;
	cb(r);
}

static void resolve_work(struct aio_job *job)
{
	struct aio_resolve *r = aio_container_of(job, struct aio_resolve, job);
	r->error = getaddrinfo(r->host, r->service, &r->hints, &r->result);
	if (r->error) {
		r->sys_errno = r->error == EAI_SYSTEM ? errno : 0;
		r->result = NULL;
	}
}

static void resolve_done(struct aio_job *job)
{
	deliver(aio_container_of(job, struct aio_resolve, job));
}

static void fast_done(struct aio_call *call)
{
	deliver(aio_container_of(call, struct aio_resolve, job.call));
}

/* getaddrinfo that must not block: numeric host and service only. */
static int lookup_numeric(struct aio_resolve *r, const char *host,
			  struct addrinfo **result)
{
	struct addrinfo hints = r->hints;
	hints.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
	*result = NULL;
	int rc = getaddrinfo(host, r->service, &hints, result);
	if (rc) {
		*result = NULL;
		if (rc == EAI_SYSTEM)
			r->sys_errno = errno;
	}
	return rc;
}

/*
 * "localhost" is the loopback (RFC 6761), answered without asking the
 * resolver: 127.0.0.1 then ::1, as hints' family allows. Returns EAI_NONAME
 * when this is not such a case. The two lists are chained into one, which
 * one freeaddrinfo frees on glibc (it frees node by node); elsewhere it
 * might not, so AF_UNSPEC goes through the resolver there.
 */
static int lookup_localhost(struct aio_resolve *r, struct addrinfo **result)
{
	int family = r->hints.ai_family;
	*result = NULL;
	if (!r->host || strcasecmp(r->host, "localhost") != 0)
		return EAI_NONAME;
	if (family == AF_INET)
		return lookup_numeric(r, "127.0.0.1", result);
	if (family == AF_INET6)
		return lookup_numeric(r, "::1", result);
#ifdef __GLIBC__
	if (family == AF_UNSPEC) {
		struct addrinfo *v4, *v6;
		int rc4 = lookup_numeric(r, "127.0.0.1", &v4);
		int rc6 = lookup_numeric(r, "::1", &v6);
		if (rc4) {
			*result = v6;
			return rc6;
		}
		struct addrinfo *tail = v4;
		while (tail->ai_next)
			tail = tail->ai_next;
		tail->ai_next = rc6 ? NULL : v6;
		*result = v4;
		return 0;
	}
#endif
	return EAI_NONAME;
}

/*
 * Answers r on the spot when no resolver is needed. Returns 1 with r's
 * result or error set, or 0 when getaddrinfo must run on the pool.
 * EAI_NONAME from a numeric lookup means "not numeric", so only it sends
 * the name on; any other error (a family mismatch) is the answer.
 */
static int answer_fast(struct aio_resolve *r)
{
	struct addrinfo *result;
	int rc = lookup_numeric(r, r->host, &result);
	if (rc == EAI_NONAME)
		rc = lookup_localhost(r, &result);
	if (rc == EAI_NONAME)
		return 0;
	r->error = rc;
	r->result = rc ? NULL : result;
	if (rc != EAI_SYSTEM)
		r->sys_errno = 0;
	return 1;
}

static char *copy_or_null(const char *text, int *failed)
{
	if (!text)
		return NULL;
	char *copy = strdup(text);
	*failed |= copy == NULL;
	return copy;
}

/* Fills r for a lookup: copies, hints, no result yet. 0 or -ENOMEM. */
static int prepare(struct aio_resolve *r, const char *host, const char *service,
		   int family, int socktype, int flags)
{
	int failed = 0;
	memset(&r->job, 0, sizeof r->job);
	r->host = copy_or_null(host, &failed);
	r->service = copy_or_null(service, &failed);
	memset(&r->hints, 0, sizeof r->hints);
	r->hints.ai_family = family;
	r->hints.ai_socktype = socktype;
	r->hints.ai_flags = flags;
	r->result = NULL;
	r->error = r->sys_errno = 0;
	r->cb = NULL;
	if (failed) {
		aio_resolve_destroy(r);
		return -ENOMEM;
	}
	return 0;
}

int aio_resolve_now(struct aio_resolve *r, const char *host, const char *service,
		    int family, int socktype, int flags)
{
	int rc = prepare(r, host, service, family, socktype, flags);
	if (rc < 0)
		return rc;
	if (answer_fast(r))
		return 1;
	aio_resolve_destroy(r);
	return 0;
}

int aio_resolve_start(struct aio_workers *w, struct aio_resolve *r, const char *host,
		      const char *service, int family, int socktype, int flags,
		      aio_resolve_fn cb)
{
	int rc = prepare(r, host, service, family, socktype, flags);
	if (rc < 0)
		return rc;
	if (answer_fast(r)) {
		r->cb = cb;
		aio_call_soon(aio_workers_loop(w), &r->job.call, fast_done);
		return 0;
	}
	rc = aio_workers_submit(w, &r->job, resolve_work, resolve_done);
	if (rc) {
		aio_resolve_destroy(r);
		return rc;
	}
	r->cb = cb;
	return 0;
}

int aio_resolve_cancel(struct aio_workers *w, struct aio_resolve *r)
{
	if (!r->cb)
		return 0;
	int rc = aio_workers_cancel(w, &r->job);
	if (rc)
		return rc;
	/* An answer found without the pool waits in the loop, not the pool. */
	aio_call_cancel(&r->job.call);
	r->cb = NULL;
	if (r->result) {
		freeaddrinfo(r->result);
		r->result = NULL;
	}
	return 0;
}

void aio_resolve_destroy(struct aio_resolve *r)
{
	free(r->host);
	free(r->service);
	r->host = r->service = NULL;
	if (r->result) {
		freeaddrinfo(r->result);
		r->result = NULL;
	}
}

const char *aio_resolve_strerror(const struct aio_resolve *r)
{
	if (r->error == 0)
		return "Success";
	if (r->error == EAI_SYSTEM)
		return strerror(r->sys_errno);
	return gai_strerror(r->error);
}
