/* check_resolve.c -- Check tests for runtime/resolve.c: fast paths, lookups on the pool, cancel */
#include "check_runtime.h"
#include "check_util.h"
#include "resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* What the callbacks saw; reset before every test. */
static int calls;
static struct aio_resolve *last;

static void counts_reset(void)
{
	calls = 0;
	last = NULL;
}

/* The fixture: nothing seen yet, and the gate (see cancel) closed. */
static void resolve_reset(void)
{
	counts_reset();
	gate_reset();
}

static void on_resolved(struct aio_resolve *r)
{
	calls++;
	last = r;
	ck_assert_ptr_null(r->cb);
}

/* "127.0.0.1:80 ::1:80", the addresses of list in order, into text. */
static void format_result(const struct addrinfo *list, char *text, size_t size)
{
	size_t len = 0;
	text[0] = '\0';
	for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
		char addr[INET6_ADDRSTRLEN];
		const void *where;
		unsigned port;
		ck_assert_int_eq(ai->ai_socktype, SOCK_STREAM);
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)ai->ai_addr;
			where = &sin->sin_addr;
			port = ntohs(sin->sin_port);
		} else {
			ck_assert_int_eq(ai->ai_family, AF_INET6);
			const struct sockaddr_in6 *sin6 = (const void *)ai->ai_addr;
			where = &sin6->sin6_addr;
			port = ntohs(sin6->sin6_port);
		}
		ck_assert_ptr_nonnull(inet_ntop(ai->ai_family, where, addr, sizeof addr));
		int n = snprintf(text + len, size - len, "%s%s:%u", len ? " " : "", addr, port);
		ck_assert(n > 0 && (size_t)n < size - len);
		len += (size_t)n;
	}
}

/*
 * Resolves without a thread: nothing is pending on the pool, cb waits for
 * the loop, and the answer is expect (or an error when expect is NULL).
 */
static void check_fast(const char *host, const char *service, int family,
		       int flags, const char *expect)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct aio_resolve r = {0};
	counts_reset();
	ck_assert_int_eq(aio_resolve_start(w, &r, host, service, family, SOCK_STREAM, flags,
					   on_resolved), 0);
	ck_assert_uint_eq(aio_workers_pending(w), 0);
	ck_assert_int_eq(calls, 0);
	run_until_idle(loop, 1000);
	ck_assert_int_eq(calls, 1);
	ck_assert_ptr_eq(last, &r);
	if (expect) {
		char text[256];
		ck_assert_msg(r.error == 0, "%s: %s", host ? host : "NULL",
			      aio_resolve_strerror(&r));
		format_result(r.result, text, sizeof text);
		ck_assert_str_eq(text, expect);
	} else {
		ck_assert_int_ne(r.error, 0);
		ck_assert_ptr_null(r.result);
		ck_assert_str_ne(aio_resolve_strerror(&r), "");
	}
	aio_resolve_destroy(&r);
	ck_assert_ptr_null(r.result);
	ck_assert_ptr_null(r.host);
	aio_workers_free(w);
	aio_loop_free(loop);
}

/* fast */

START_TEST(test_resolve_numeric_ipv4)
{
	check_fast("127.0.0.1", "8080", AF_UNSPEC, 0, "127.0.0.1:8080");
	check_fast("10.1.2.3", "1", AF_INET, 0, "10.1.2.3:1");
}
END_TEST

START_TEST(test_resolve_numeric_ipv6)
{
	check_fast("::1", "443", AF_UNSPEC, 0, "::1:443");
	check_fast("fe80::1:2", "22", AF_INET6, 0, "fe80::1:2:22");
}
END_TEST

START_TEST(test_resolve_localhost)
{
	check_fast("localhost", "80", AF_UNSPEC, 0, "127.0.0.1:80 ::1:80");
	check_fast("LocalHost", "80", AF_INET, 0, "127.0.0.1:80");
	check_fast("localhost", "80", AF_INET6, 0, "::1:80");
}
END_TEST

/* A literal of the other family is an answer too: an error, no lookup. */
START_TEST(test_resolve_numeric_wrong_family)
{
	check_fast("::1", "80", AF_INET, 0, NULL);
	check_fast("127.0.0.1", "80", AF_INET6, 0, NULL);
}
END_TEST

START_TEST(test_resolve_wildcard)
{
	check_fast(NULL, "8080", AF_INET, AI_PASSIVE, "0.0.0.0:8080");
	check_fast(NULL, "8080", AF_INET6, AI_PASSIVE, ":::8080");
}
END_TEST

/* lookup: getaddrinfo on the pool */

/* The sandbox may have no DNS: any error will do, once, with a text. */
START_TEST(test_resolve_unknown_name_fails)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct aio_resolve r = {0};
	ck_assert_int_eq(aio_resolve_start(w, &r, "nonexistent.invalid", "80",
					   AF_UNSPEC, SOCK_STREAM, 0, on_resolved), 0);
	ck_assert_uint_eq(aio_workers_pending(w), 1);
	ck_assert_int_eq(calls, 0);
	run_until_idle(loop, 1000);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_ne(r.error, 0);
	ck_assert_ptr_null(r.result);
	ck_assert_str_ne(aio_resolve_strerror(&r), "");
	ck_assert_uint_eq(aio_workers_pending(w), 0);
	aio_resolve_destroy(&r);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_resolve_strerror)
{
	struct aio_resolve r = {0};
	ck_assert_str_eq(aio_resolve_strerror(&r), "Success");
	r.error = EAI_SYSTEM;
	r.sys_errno = ENOMEM;
	ck_assert_str_eq(aio_resolve_strerror(&r), strerror(ENOMEM));
	r.error = EAI_NONAME;
	ck_assert_str_eq(aio_resolve_strerror(&r), gai_strerror(EAI_NONAME));
}
END_TEST

/* cancel */

/* Holds the pool's one thread at the gate until it opens. */
static void gate_work(struct aio_job *job)
{
	(void)job;
	gate_pass();
}

static void gate_done(struct aio_job *job)
{
	(void)job;
}

START_TEST(test_resolve_cancel_queued)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct aio_job blocker = {0};
	ck_assert_int_eq(aio_workers_submit(w, &blocker, gate_work, gate_done), 0);
	gate_wait_arrived(1);

	struct aio_resolve r = {0};
	ck_assert_int_eq(aio_resolve_start(w, &r, "nonexistent.invalid", "80",
					   AF_UNSPEC, SOCK_STREAM, 0, on_resolved), 0);
	ck_assert_uint_eq(aio_workers_pending(w), 2);
	ck_assert_int_eq(aio_resolve_cancel(w, &r), 0);
	ck_assert_uint_eq(aio_workers_pending(w), 1);
	ck_assert_int_eq(aio_resolve_cancel(w, &r), 0);

	gate_open();
	run_until_idle(loop, 1000);
	ck_assert_int_eq(calls, 0);
	aio_resolve_destroy(&r);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_resolve_cancel_fast)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct aio_resolve r = {0};
	ck_assert_int_eq(aio_resolve_start(w, &r, "127.0.0.1", "80", AF_UNSPEC, SOCK_STREAM, 0,
					   on_resolved), 0);
	ck_assert_int_eq(aio_resolve_cancel(w, &r), 0);
	ck_assert_ptr_null(r.result);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	run_until_idle(loop, 1000);
	ck_assert_int_eq(calls, 0);
	aio_resolve_destroy(&r);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

/* Once cb ran, cancel has nothing to stop and leaves the result alone. */
START_TEST(test_resolve_cancel_after_cb)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct aio_resolve r = {0};
	ck_assert_int_eq(aio_resolve_start(w, &r, "localhost", "80", AF_INET, SOCK_STREAM, 0,
					   on_resolved), 0);
	run_until_idle(loop, 1000);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(aio_resolve_cancel(w, &r), 0);
	ck_assert_ptr_nonnull(r.result);
	/* The owner may take the result and free it itself. */
	struct addrinfo *taken = r.result;
	r.result = NULL;
	freeaddrinfo(taken);
	aio_resolve_destroy(&r);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

/* A resolution can be started again on the same storage after its cb. */
START_TEST(test_resolve_reuse)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct aio_resolve r = {0};
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(aio_resolve_start(w, &r, "::1", "9", AF_INET6, SOCK_STREAM, 0,
						   on_resolved), 0);
		run_until_idle(loop, 1000);
		ck_assert_int_eq(calls, round + 1);
		aio_resolve_destroy(&r);
	}
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

/* aio_resolve_now answers numeric hosts and localhost on the spot, with
 * no pool and no loop turn, and leaves names to aio_resolve_start. */
START_TEST(test_resolve_now)
{
	struct aio_resolve r;
	ck_assert_int_eq(aio_resolve_now(&r, "127.0.0.1", "80", AF_UNSPEC, SOCK_STREAM, 0), 1);
	ck_assert_int_eq(r.error, 0);
	ck_assert_ptr_nonnull(r.result);
	ck_assert_int_eq(r.result->ai_family, AF_INET);
	aio_resolve_destroy(&r);
	ck_assert_int_eq(aio_resolve_now(&r, "localhost", "80", AF_UNSPEC, SOCK_STREAM, 0), 1);
	ck_assert_ptr_nonnull(r.result);
	aio_resolve_destroy(&r);
	ck_assert_int_eq(aio_resolve_now(&r, "::1", "80", AF_INET, SOCK_STREAM, 0), 1);
	ck_assert_int_ne(r.error, 0);
	ck_assert_ptr_null(r.result);
	aio_resolve_destroy(&r);
	ck_assert_int_eq(aio_resolve_now(&r, NULL, "80", AF_UNSPEC, SOCK_STREAM, AI_PASSIVE), 1);
	ck_assert_ptr_nonnull(r.result);
	aio_resolve_destroy(&r);
	ck_assert_int_eq(aio_resolve_now(&r, "example.invalid", "80", AF_UNSPEC, SOCK_STREAM, 0), 0);
	ck_assert_ptr_null(r.host);
	ck_assert_ptr_null(r.result);
}
END_TEST

Suite *resolve_suite(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = check_tcase(s, "fast", resolve_reset, NULL, 5);
	tcase_add_test(tc, test_resolve_numeric_ipv4);
	tcase_add_test(tc, test_resolve_numeric_ipv6);
	tcase_add_test(tc, test_resolve_localhost);
	tcase_add_test(tc, test_resolve_numeric_wrong_family);
	tcase_add_test(tc, test_resolve_wildcard);
	tcase_add_test(tc, test_resolve_strerror);
	tcase_add_test(tc, test_resolve_now);

	/* A resolver that drops queries makes getaddrinfo wait out its
	 * retries (about 10 s with glibc's defaults). */
	tc = check_tcase(s, "lookup", resolve_reset, NULL, 30);
	tcase_add_test(tc, test_resolve_unknown_name_fails);

	tc = check_tcase(s, "cancel", resolve_reset, NULL, 5);
	tcase_add_test(tc, test_resolve_cancel_queued);
	tcase_add_test(tc, test_resolve_cancel_fast);
	tcase_add_test(tc, test_resolve_cancel_after_cb);
	tcase_add_test(tc, test_resolve_reuse);
	return s;
}
