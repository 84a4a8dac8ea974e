/* check_curl.c -- the HTTP pool (runtime/curl.c): transfers on the loop, keep-alive, limits, pause, release, failures */
#define _GNU_SOURCE /* accept4, memmem */
#include "check_runtime.h"
#include "check_util.h"
#include "curl.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RUN_UNTIL(cond) RUN_UNTIL_WITHIN(2000, cond, serve())

/*
 * A tiny HTTP/1.1 server the test drives between turns: it accepts, reads
 * each request head and answers with the canned response (keep-alive), or
 * nothing when mute. It counts connections and sees them close.
 */
#define MAX_CONNS 32
static int lfd = -1, port;
static struct {
	int fd;
	char req[4096];
	size_t len;
	int closed;
} conns[MAX_CONNS];
static int nconns;
static const char *response;	/* NULL: mute */
static size_t response_len;

static void serve(void)
{
	int fd;
	while (nconns < MAX_CONNS && (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		conns[nconns].fd = fd;
		conns[nconns].len = 0;
		conns[nconns].closed = 0;
		nconns++;
	}
	for (int i = 0; i < nconns; i++) {
		if (conns[i].closed)
			continue;
		ssize_t n = recv(conns[i].fd, conns[i].req + conns[i].len,
				 sizeof conns[i].req - conns[i].len, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			conns[i].closed = 1;
			continue;
		}
		if (n > 0)
			conns[i].len += (size_t)n;
		char *end = memmem(conns[i].req, conns[i].len, "\r\n\r\n", 4);
		if (end && !strncmp(conns[i].req, "GET /redirect ", 14)) {
			static const char moved[] = "HTTP/1.1 302 Found\r\nLocation: /x\r\n"
						    "Content-Length: 0\r\n\r\n";
			ck_assert_int_eq(send(conns[i].fd, moved, sizeof moved - 1, MSG_NOSIGNAL),
					 (ssize_t)sizeof moved - 1);
		} else if (end && response) {
			ck_assert_int_eq(send(conns[i].fd, response, response_len, MSG_NOSIGNAL),
					 (ssize_t)response_len);
		}
		if (end && (response || !strncmp(conns[i].req, "GET /redirect ", 14))) {
			size_t used = (size_t)(end + 4 - conns[i].req);
			memmove(conns[i].req, end + 4, conns[i].len - used);
			conns[i].len -= used;
		}
	}
}

static char url[64];
static char canned[256 * 1024 + 256];
static char big_body[256 * 1024];

static void answer_with(const char *body, size_t len)
{
	int head = snprintf(canned, sizeof canned, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len);
	memcpy(canned + head, body, len);
	response = canned;
	response_len = (size_t)head + len;
}

static struct aio_curl *pool;

static void setup(void)
{
	loop_setup();
	struct sockaddr_in addr;
	lfd = tcp_listen(&addr, 64);
	port = ntohs(addr.sin_port);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", port);
	nconns = 0;
	answer_with("hello", 5);
	int err = 0;
	pool = aio_curl_new(loop, &err);
	ck_assert_msg(pool != NULL, "aio_curl_new: %d", err);
}

static void teardown(void)
{
	if (pool)
		aio_curl_free(pool);
	pool = NULL;
	loop_teardown();
	for (int i = 0; i < nconns; i++)
		close(conns[i].fd);
	close(lfd);
}

struct probe {
	struct aio_curl_xfer *x;
	CURL *easy;
	unsigned all;
	int headers, bodies, dones;
	size_t consumed;
	int consume;		/* a streaming owner: take the body as it comes */
};

static void on_xfer(struct aio_curl_xfer *x, unsigned events)
{
	struct probe *p = aio_curl_udata(x);
	p->all |= events;
	if (events & AIO_CURL_HEADERS)
		p->headers++;
	if (events & AIO_CURL_BODY)
		p->bodies++;
	if (events & AIO_CURL_DONE)
		p->dones++;
	if (p->consume) {
		struct aio_buf *b = aio_curl_body(x);
		p->consumed += aio_buf_len(b);
		aio_buf_consume(b, aio_buf_len(b));
		aio_curl_consumed(x);
	}
}

static void start(struct probe *p, const char *u, const struct aio_curl_opts *o)
{
	static const struct aio_curl_opts none;
	memset(p, 0, sizeof *p);
	p->easy = curl_easy_init();
	curl_easy_setopt(p->easy, CURLOPT_URL, u);
	int err = 0;
	p->x = aio_curl_start(pool, p->easy, o ? o : &none, on_xfer, p, &err);
	ck_assert_msg(p->x != NULL, "aio_curl_start: %d", err);
}

static void finish(struct probe *p)
{
	aio_curl_release(p->x);
	curl_easy_cleanup(p->easy);
}

START_TEST(test_curl_get)
{
	struct probe p;
	start(&p, url, NULL);
	/* Nothing from inside the API: events come from the loop. */
	ck_assert_int_eq(p.all, 0);
	RUN_UNTIL(p.dones == 1);
	ck_assert_int_eq(aio_curl_result(p.x), CURLE_OK);
	ck_assert(aio_curl_done(p.x));
	ck_assert_int_eq(p.headers, 1);
	const struct aio_buf *h = aio_curl_headers(p.x);
	ck_assert(aio_buf_len(h) > 17 && !memcmp(aio_buf_peek(h), "HTTP/1.1 200 OK\r\n", 17));
	struct aio_buf *b = aio_curl_body(p.x);
	ck_assert_uint_eq(aio_buf_len(b), 5);
	ck_assert(!memcmp(aio_buf_peek(b), "hello", 5));
	finish(&p);
}
END_TEST

/* Sequential transfers of a pool share one kept-alive connection. */
START_TEST(test_curl_keep_alive)
{
	for (int i = 0; i < 3; i++) {
		struct probe p;
		start(&p, url, NULL);
		RUN_UNTIL(p.dones == 1);
		ck_assert_int_eq(aio_curl_result(p.x), CURLE_OK);
		finish(&p);
	}
	ck_assert_int_eq(nconns, 1);
}
END_TEST

/* max_per_host caps the connections: 8 at once over at most 2. */
START_TEST(test_curl_limits)
{
	aio_curl_set_limits(pool, 0, 2);
	struct probe p[8];
	for (int i = 0; i < 8; i++)
		start(&p[i], url, NULL);
	int done = 0;
	RUN_UNTIL((done = p[0].dones + p[1].dones + p[2].dones + p[3].dones + p[4].dones +
			  p[5].dones + p[6].dones + p[7].dones) == 8);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(aio_curl_result(p[i].x), CURLE_OK);
		finish(&p[i]);
	}
	ck_assert_int_le(nconns, 2);
}
END_TEST

START_TEST(test_curl_refused)
{
	close(lfd);
	struct sockaddr_in addr;
	lfd = tcp_listen(&addr, 1);	/* a port that is listened on ... */
	char refused[64];
	snprintf(refused, sizeof refused, "http://127.0.0.1:%d/", port);
	struct probe p;
	start(&p, refused, NULL);	/* ... and one that no longer is */
	RUN_UNTIL(p.dones == 1);
	ck_assert_int_eq(aio_curl_result(p.x), CURLE_COULDNT_CONNECT);
	ck_assert_str_ne(aio_curl_error(p.x), "");
	ck_assert_int_eq(p.headers, 0);
	finish(&p);
}
END_TEST

/* A server that never answers: curl's timeout comes through the timer. */
START_TEST(test_curl_timeout)
{
	response = NULL;
	struct probe p;
	start(&p, url, NULL);
	curl_easy_setopt(p.easy, CURLOPT_TIMEOUT_MS, 50L);
	RUN_UNTIL(p.dones == 1);
	ck_assert_int_eq(aio_curl_result(p.x), CURLE_OPERATION_TIMEDOUT);
	finish(&p);
}
END_TEST

START_TEST(test_curl_max_body)
{
	memset(big_body, 'b', sizeof big_body);
	answer_with(big_body, sizeof big_body);
	struct aio_curl_opts o = {.max_body = 1000};
	struct probe p;
	start(&p, url, &o);
	RUN_UNTIL(p.dones == 1);
	ck_assert_int_eq(aio_curl_result(p.x), CURLE_WRITE_ERROR);
	ck_assert(aio_curl_too_big(p.x));
	ck_assert_uint_le(aio_buf_len(aio_curl_body(p.x)), 1000);
	finish(&p);
}
END_TEST

/* A streaming transfer pauses above high while its owner does not
 * consume, and goes on once it does: the whole body arrives. */
START_TEST(test_curl_stream_pause)
{
	memset(big_body, 's', sizeof big_body);
	answer_with(big_body, sizeof big_body);
	struct aio_curl_opts o = {.stream = 1, .high = 16 * 1024};
	struct probe p;
	start(&p, url, &o);
	RUN_UNTIL(p.headers == 1 && aio_buf_len(aio_curl_body(p.x)) >= 16 * 1024);
	turns(20);
	ck_assert_int_eq(p.dones, 0);
	ck_assert_uint_lt(aio_buf_len(aio_curl_body(p.x)), 16 * 1024 + CURL_MAX_WRITE_SIZE + 1);
	p.consume = 1;
	p.consumed = aio_buf_len(aio_curl_body(p.x));
	aio_buf_consume(aio_curl_body(p.x), p.consumed);
	aio_curl_consumed(p.x);
	RUN_UNTIL(p.dones == 1);
	ck_assert_int_eq(aio_curl_result(p.x), CURLE_OK);
	ck_assert_uint_eq(p.consumed + aio_buf_len(aio_curl_body(p.x)), sizeof big_body);
	finish(&p);
}
END_TEST

/* Released mid-body: the connection is closed, not kept half-read. */
START_TEST(test_curl_release_closes)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial";
	response = head;
	response_len = sizeof head - 1;
	struct probe p;
	start(&p, url, NULL);
	RUN_UNTIL(p.bodies >= 1);
	finish(&p);
	RUN_UNTIL(nconns == 1 && conns[0].closed);
	/* The pool goes on: a new transfer gets a new connection. */
	answer_with("again", 5);
	start(&p, url, NULL);
	RUN_UNTIL(p.dones == 1);
	ck_assert_int_eq(aio_curl_result(p.x), CURLE_OK);
	finish(&p);
	ck_assert_int_eq(nconns, 2);
}
END_TEST

/* A redirect curl follows is not the final response: one HEADERS, for it. */
START_TEST(test_curl_redirect_headers)
{
	answer_with("ok", 2);
	char from[80];
	snprintf(from, sizeof from, "http://127.0.0.1:%d/redirect", port);
	struct aio_curl_opts o = {.follow = 1};
	struct probe p;
	start(&p, from, &o);
	curl_easy_setopt(p.easy, CURLOPT_FOLLOWLOCATION, 1L);
	RUN_UNTIL(p.dones == 1);
	ck_assert_int_eq(aio_curl_result(p.x), CURLE_OK);
	ck_assert_int_eq(p.headers, 1);
	ck_assert(!memcmp(aio_buf_peek(aio_curl_headers(p.x)), "HTTP/1.1 200 OK", 15));
	finish(&p);
}
END_TEST

/* Freed with transfers running, and a transfer released after its pool. */
START_TEST(test_curl_free_running)
{
	response = NULL;
	struct probe p;
	start(&p, url, NULL);
	RUN_UNTIL(nconns == 1);
	aio_curl_free(pool);
	pool = NULL;
	turns(3);
	ck_assert_int_eq(p.dones, 0);
	finish(&p);
}
END_TEST

/* The loop goes first: the pool waits, closed, for aio_curl_free. */
START_TEST(test_curl_loop_freed_first)
{
	response = NULL;
	struct probe p;
	start(&p, url, NULL);
	RUN_UNTIL(nconns == 1);
	loop_free_now();
	aio_curl_free(pool);
	pool = NULL;
	finish(&p);
}
END_TEST

Suite *curl_suite(void)
{
	Suite *s = suite_create("curl");
	TCase *tc = check_tcase(s, "transfers", setup, teardown, 10);
	tcase_add_test(tc, test_curl_get);
	tcase_add_test(tc, test_curl_keep_alive);
	tcase_add_test(tc, test_curl_limits);
	tcase_add_test(tc, test_curl_refused);
	tcase_add_test(tc, test_curl_timeout);
	tcase_add_test(tc, test_curl_max_body);
	tcase_add_test(tc, test_curl_stream_pause);
	tcase_add_test(tc, test_curl_release_closes);
	tcase_add_test(tc, test_curl_redirect_headers);
	tcase_add_test(tc, test_curl_free_running);
	tcase_add_test(tc, test_curl_loop_freed_first);
	return s;
}
