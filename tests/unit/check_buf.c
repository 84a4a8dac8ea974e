/* check_buf.c -- Check tests for runtime/buf.c: append, consume, storage reuse, find, write_fd */
#define _GNU_SOURCE /* pipe2 */
#include "check_runtime.h"
#include "check_util.h"
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A byte pattern with no short period, so a lost or repeated chunk shows. */
static char pattern(size_t i)
{
	return (char)(i % 251);
}

static void fill_pattern(char *p, size_t n, size_t start)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pattern(start + i);
}

/* Index of the first byte of p[0, n) off the pattern from start, or -1. */
static long pattern_mismatch(const char *p, size_t n, size_t start)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(start + i))
			return (long)i;
	return -1;
}

static void append_str(struct aio_buf *b, const char *text)
{
	ck_assert_int_eq(aio_buf_append(b, text, strlen(text)), 0);
}

static void check_contents(const struct aio_buf *b, const char *text)
{
	size_t n = strlen(text);
	ck_assert_uint_eq(aio_buf_len(b), n);
	ck_assert_msg(memcmp(aio_buf_peek(b), text, n) == 0,
		      "buffer holds \"%.*s\", expected \"%s\"", (int)n, aio_buf_peek(b), text);
}

static void check_empty(const struct aio_buf *b)
{
	ck_assert_uint_eq(aio_buf_len(b), 0);
	ck_assert_ptr_null(b->data);
	ck_assert_uint_eq(b->cap, 0);
}

/* Reads fd until it would block; checks the pattern from *at on. */
static size_t drain_pattern(int fd, size_t *at)
{
	static char chunk[64 * 1024];
	size_t total = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return total;
		if (n <= 0)
			ck_abort_msg("read gave %zd", n);
		long bad = pattern_mismatch(chunk, (size_t)n, *at);
		if (bad >= 0)
			ck_abort_msg("byte %zu off the pattern", *at + (size_t)bad);
		*at += (size_t)n;
		total += (size_t)n;
	}
}

/* core */

START_TEST(test_buf_init_is_empty)
{
	struct aio_buf b;
	aio_buf_init(&b);
	check_empty(&b);
	ck_assert_int_eq(aio_buf_find(&b, "x", 1, 0), -1);
	aio_buf_destroy(&b);
	check_empty(&b);
}
END_TEST

START_TEST(test_buf_append_peek_len)
{
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "hello");
	check_contents(&b, "hello");
	append_str(&b, ", world");
	check_contents(&b, "hello, world");
	ck_assert_uint_ge(b.cap, aio_buf_len(&b));
	aio_buf_destroy(&b);
	check_empty(&b);
}
END_TEST

/* Nothing to append allocates nothing: an idle buffer costs nothing. */
START_TEST(test_buf_append_zero)
{
	struct aio_buf b;
	aio_buf_init(&b);
	ck_assert_int_eq(aio_buf_append(&b, "x", 0), 0);
	check_empty(&b);
	append_str(&b, "ab");
	ck_assert_int_eq(aio_buf_append(&b, "x", 0), 0);
	check_contents(&b, "ab");
	aio_buf_destroy(&b);
}
END_TEST

START_TEST(test_buf_consume_partial)
{
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "hello world");
	aio_buf_consume(&b, 6);
	check_contents(&b, "world");
	aio_buf_consume(&b, 0);
	check_contents(&b, "world");
	aio_buf_consume(&b, 1);
	check_contents(&b, "orld");
	aio_buf_destroy(&b);
}
END_TEST

START_TEST(test_buf_consume_all_frees)
{
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "hello");
	aio_buf_consume(&b, 2);
	aio_buf_consume(&b, 3);
	check_empty(&b);
	/* Usable again after. */
	append_str(&b, "again");
	check_contents(&b, "again");
	aio_buf_consume(&b, 5);
	check_empty(&b);
}
END_TEST

START_TEST(test_buf_consume_more_than_len)
{
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "abc");
	aio_buf_consume(&b, 1000);
	check_empty(&b);
	aio_buf_consume(&b, 1);
	check_empty(&b);
}
END_TEST

START_TEST(test_buf_growth_many_appends)
{
	enum { CHUNK = 7, COUNT = 20000 };
	struct aio_buf b;
	aio_buf_init(&b);
	char chunk[CHUNK];
	/* Check asserts that pass cost a message each: count failures. */
	int failed = 0;
	for (size_t i = 0; i < COUNT; i++) {
		fill_pattern(chunk, CHUNK, i * CHUNK);
		failed += aio_buf_append(&b, chunk, CHUNK) != 0;
	}
	ck_assert_int_eq(failed, 0);
	ck_assert_uint_eq(aio_buf_len(&b), (size_t)CHUNK * COUNT);
	ck_assert_uint_ge(b.cap, aio_buf_len(&b));
	ck_assert_int_eq(pattern_mismatch(aio_buf_peek(&b), aio_buf_len(&b), 0), -1);
	aio_buf_destroy(&b);
}
END_TEST

/* One append far larger than the storage grows it at once. */
START_TEST(test_buf_growth_one_large_append)
{
	enum { BIG = 1 << 20 };
	char *big = malloc(BIG);
	ck_assert_ptr_nonnull(big);
	fill_pattern(big, BIG, 3);
	struct aio_buf b;
	aio_buf_init(&b);
	ck_assert_int_eq(aio_buf_append(&b, "\x00\x01\x02", 3), 0);
	ck_assert_int_eq(aio_buf_append(&b, big, BIG), 0);
	ck_assert_uint_eq(aio_buf_len(&b), BIG + 3);
	ck_assert_int_eq(pattern_mismatch(aio_buf_peek(&b), BIG + 3, 0), -1);
	free(big);
	aio_buf_destroy(&b);
}
END_TEST

/* Mostly consumed storage is reused by sliding the rest down, not grown. */
START_TEST(test_buf_slide_down_reuses_storage)
{
	char bytes[100];
	fill_pattern(bytes, sizeof bytes, 0);
	struct aio_buf b;
	aio_buf_init(&b);
	ck_assert_int_eq(aio_buf_append(&b, bytes, 100), 0);
	char *storage = b.data;
	size_t cap = b.cap;
	aio_buf_consume(&b, 90);
	ck_assert_uint_eq(aio_buf_len(&b), 10);
	/* Does not fit behind the head, but fits once slid down. */
	size_t more = cap - 100 + 1;
	ck_assert_uint_le(10 + more, cap / 2);
	char tail[64];
	fill_pattern(tail, more, 100);
	ck_assert_int_eq(aio_buf_append(&b, tail, more), 0);
	ck_assert_ptr_eq(b.data, storage);
	ck_assert_uint_eq(b.cap, cap);
	ck_assert_uint_eq(aio_buf_len(&b), 10 + more);
	ck_assert_int_eq(pattern_mismatch(aio_buf_peek(&b), 10 + more, 90), -1);
	aio_buf_destroy(&b);
}
END_TEST

/* Growing after a partial consume keeps only the live bytes, in order. */
START_TEST(test_buf_grow_after_partial_consume)
{
	char bytes[1000];
	fill_pattern(bytes, sizeof bytes, 0);
	struct aio_buf b;
	aio_buf_init(&b);
	ck_assert_int_eq(aio_buf_append(&b, bytes, 100), 0);
	aio_buf_consume(&b, 10);
	ck_assert_int_eq(aio_buf_append(&b, bytes + 100, 900), 0);
	ck_assert_uint_eq(aio_buf_len(&b), 990);
	ck_assert_int_eq(pattern_mismatch(aio_buf_peek(&b), 990, 10), -1);
	aio_buf_destroy(&b);
}
END_TEST

/* A read straight into the buffer: reserved room, partly filled, committed
 * behind what was there; the bytes before it are kept. */
START_TEST(test_buf_reserve_commit)
{
	char bytes[3000];
	fill_pattern(bytes, sizeof bytes, 0);
	struct aio_buf b;
	aio_buf_init(&b);
	ck_assert_int_eq(aio_buf_append(&b, bytes, 100), 0);
	aio_buf_consume(&b, 40);
	char *tail = aio_buf_reserve(&b, 2900);
	ck_assert_ptr_nonnull(tail);
	ck_assert_uint_ge(b.cap - b.head - b.len, 2900);
	memcpy(tail, bytes + 100, 1000);
	aio_buf_commit(&b, 1000);
	ck_assert_uint_eq(aio_buf_len(&b), 1060);
	ck_assert_int_eq(pattern_mismatch(aio_buf_peek(&b), 1060, 40), -1);
	aio_buf_destroy(&b);
}
END_TEST

/* Room reserved in an empty buffer and left unused is storage that the
 * owner gives back: the buffer stays empty and usable. */
START_TEST(test_buf_reserve_unused)
{
	struct aio_buf b;
	aio_buf_init(&b);
	ck_assert_ptr_nonnull(aio_buf_reserve(&b, 16384));
	ck_assert_uint_eq(aio_buf_len(&b), 0);
	ck_assert_ptr_nonnull(b.data);
	aio_buf_destroy(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_int_eq(aio_buf_append(&b, "x", 1), 0);
	ck_assert_uint_eq(aio_buf_len(&b), 1);
	aio_buf_destroy(&b);
}
END_TEST

/* A queue that is appended and consumed in turn stays small. */
START_TEST(test_buf_steady_queue_bounded)
{
	char chunk[300];
	struct aio_buf b;
	aio_buf_init(&b);
	size_t in = 0, out = 0, cap = 0;
	int failed = 0;
	for (int round = 0; round < 2000; round++) {
		fill_pattern(chunk, sizeof chunk, in);
		failed += aio_buf_append(&b, chunk, sizeof chunk) != 0;
		in += sizeof chunk;
		size_t take = round % 2 ? 350 : 250;
		if (take > aio_buf_len(&b))
			take = aio_buf_len(&b);
		failed += pattern_mismatch(aio_buf_peek(&b), take, out) >= 0;
		if (b.cap > cap)
			cap = b.cap;
		aio_buf_consume(&b, take);
		out += take;
	}
	ck_assert_int_eq(failed, 0);
	ck_assert_uint_eq(aio_buf_len(&b), in - out);
	ck_assert_uint_le(cap, 4096);
	aio_buf_destroy(&b);
}
END_TEST

/* find */

START_TEST(test_buf_find_positions)
{
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "GET / HTTP/1.1\r\nHost: x\r\n\r\nbody");
	ck_assert_int_eq(aio_buf_find(&b, "GET", 3, 0), 0);
	ck_assert_int_eq(aio_buf_find(&b, "\r\n", 2, 0), 14);
	ck_assert_int_eq(aio_buf_find(&b, "\r\n\r\n", 4, 0), 23);
	ck_assert_int_eq(aio_buf_find(&b, "body", 4, 0), 27);
	ck_assert_int_eq(aio_buf_find(&b, "y", 1, 0), 30);
	ck_assert_int_eq(aio_buf_find(&b, "\n\n", 2, 0), -1);
	ck_assert_int_eq(aio_buf_find(&b, "bodyx", 5, 0), -1);
	aio_buf_destroy(&b);
}
END_TEST

START_TEST(test_buf_find_from_offset)
{
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "a\nbb\nccc\n");
	ck_assert_int_eq(aio_buf_find(&b, "\n", 1, 0), 1);
	ck_assert_int_eq(aio_buf_find(&b, "\n", 1, 1), 1);
	ck_assert_int_eq(aio_buf_find(&b, "\n", 1, 2), 4);
	ck_assert_int_eq(aio_buf_find(&b, "\n", 1, 5), 8);
	ck_assert_int_eq(aio_buf_find(&b, "\n", 1, 8), 8);
	ck_assert_int_eq(aio_buf_find(&b, "\n", 1, 9), -1);
	ck_assert_int_eq(aio_buf_find(&b, "\n", 1, 1000), -1);
	/* A separator that would run past the end from there. */
	ck_assert_int_eq(aio_buf_find(&b, "c\n", 2, 7), 7);
	ck_assert_int_eq(aio_buf_find(&b, "c\n", 2, 8), -1);
	aio_buf_destroy(&b);
}
END_TEST

/* Short separators are found by their first byte: near misses, overlaps
 * and a match at the very end; long ones (memmem) the same. */
START_TEST(test_buf_find_short_and_long_separators)
{
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "\r\r\n\r\r\n\r\nxx<boundary-0123456789>");
	ck_assert_int_eq(aio_buf_find(&b, "\r\n\r\n", 4, 0), 4);
	ck_assert_int_eq(aio_buf_find(&b, "\r\n\r\n", 4, 5), -1);
	ck_assert_int_eq(aio_buf_find(&b, "\r\n", 2, 2), 4);
	ck_assert_int_eq(aio_buf_find(&b, "9>", 2, 0), 29);
	ck_assert_int_eq(aio_buf_find(&b, ">", 1, 0), 30);
	ck_assert_int_eq(aio_buf_find(&b, "9>!", 3, 0), -1);
	ck_assert_int_eq(aio_buf_find(&b, "<boundary-0123456789>", 21, 0), 10);
	ck_assert_int_eq(aio_buf_find(&b, "<boundary-0123456789>", 21, 11), -1);
	ck_assert_int_eq(aio_buf_find(&b, "<boundary-0123456780>", 21, 0), -1);
	aio_buf_destroy(&b);
}
END_TEST

START_TEST(test_buf_find_across_chunks)
{
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "line one\r");
	ck_assert_int_eq(aio_buf_find(&b, "\r\n", 2, 0), -1);
	append_str(&b, "\nline two\r\n\r");
	append_str(&b, "\n");
	ck_assert_int_eq(aio_buf_find(&b, "\r\n", 2, 0), 8);
	ck_assert_int_eq(aio_buf_find(&b, "\r\n", 2, 9), 18);
	ck_assert_int_eq(aio_buf_find(&b, "\r\n\r\n", 4, 0), 18);
	aio_buf_destroy(&b);
}
END_TEST

/* Offsets count from the first unconsumed byte. */
START_TEST(test_buf_find_after_consume)
{
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "xx;yy;zz");
	aio_buf_consume(&b, 3);
	ck_assert_int_eq(aio_buf_find(&b, ";", 1, 0), 2);
	ck_assert_int_eq(aio_buf_find(&b, "xx", 2, 0), -1);
	aio_buf_destroy(&b);
}
END_TEST

START_TEST(test_buf_find_edges)
{
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "abc");
	ck_assert_int_eq(aio_buf_find(&b, "a", 0, 0), -1);
	ck_assert_int_eq(aio_buf_find(&b, "", 0, 0), -1);
	ck_assert_int_eq(aio_buf_find(&b, "abc", 3, 0), 0);
	ck_assert_int_eq(aio_buf_find(&b, "abcd", 4, 0), -1);
	/* Separators with NUL bytes are bytes like any other. */
	ck_assert_int_eq(aio_buf_append(&b, "\0\0z", 3), 0);
	ck_assert_int_eq(aio_buf_find(&b, "\0z", 2, 0), 4);
	aio_buf_consume(&b, 6);
	ck_assert_int_eq(aio_buf_find(&b, "a", 1, 0), -1);
}
END_TEST

/* write_fd */

START_TEST(test_buf_write_fd_pipe)
{
	int p[2];
	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "through a pipe");
	ck_assert_int_eq(aio_buf_write_fd(&b, p[1], 0), 14);
	check_empty(&b);
	char got[32];
	ck_assert_int_eq(read(p[0], got, sizeof got), 14);
	ck_assert_int_eq(memcmp(got, "through a pipe", 14), 0);
	/* Nothing to send sends nothing. */
	ck_assert_int_eq(aio_buf_write_fd(&b, p[1], 0), 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_buf_write_fd_socket)
{
	int sv[2];
	socketpair_make(sv);
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "xxthrough a socket");
	aio_buf_consume(&b, 2);
	ck_assert_int_eq(aio_buf_write_fd(&b, sv[0], 1), 16);
	check_empty(&b);
	char got[32];
	ck_assert_int_eq(read(sv[1], got, sizeof got), 16);
	ck_assert_int_eq(memcmp(got, "through a socket", 16), 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A full socket takes part; the rest stays, and goes once there is room. */
START_TEST(test_buf_write_fd_partial_when_full)
{
	enum { TOTAL = 2 << 20 };	/* ten times what a socketpair takes */
	int sv[2];
	socketpair_make(sv);
	char *data = malloc(TOTAL);
	ck_assert_ptr_nonnull(data);
	fill_pattern(data, TOTAL, 0);
	struct aio_buf b;
	aio_buf_init(&b);
	ck_assert_int_eq(aio_buf_append(&b, data, TOTAL), 0);
	free(data);
	ssize_t sent = aio_buf_write_fd(&b, sv[0], 1);
	ck_assert_int_gt(sent, 0);
	ck_assert_int_lt(sent, TOTAL);
	ck_assert_uint_eq(aio_buf_len(&b), TOTAL - (size_t)sent);
	ck_assert_int_eq(pattern_mismatch(aio_buf_peek(&b), 16, (size_t)sent), -1);
	/* Still full: nothing more goes. */
	ck_assert_int_eq(aio_buf_write_fd(&b, sv[0], 1), 0);
	ck_assert_uint_eq(aio_buf_len(&b), TOTAL - (size_t)sent);
	size_t at = 0;
	ck_assert_uint_eq(drain_pattern(sv[1], &at), (size_t)sent);
	/* Then the rest, in order, as the peer reads. */
	size_t total_sent = (size_t)sent;
	for (int round = 0; aio_buf_len(&b) > 0; round++) {
		sent = aio_buf_write_fd(&b, sv[0], 1);
		if (sent < 0 || round == 10000)
			ck_abort_msg("write_fd gave %zd in round %d", sent, round);
		total_sent += (size_t)sent;
		drain_pattern(sv[1], &at);
	}
	check_empty(&b);
	ck_assert_uint_eq(total_sent, TOTAL);
	ck_assert_uint_eq(at, TOTAL);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A closed peer is -EPIPE, not SIGPIPE (left at its default, which would
 * kill the test), and nothing is consumed. */
START_TEST(test_buf_write_fd_closed_peer)
{
	ck_assert(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	int sv[2];
	socketpair_make(sv);
	close(sv[1]);
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "nobody listens");
	ck_assert_int_eq(aio_buf_write_fd(&b, sv[0], 1), -EPIPE);
	check_contents(&b, "nobody listens");
	aio_buf_destroy(&b);
	close(sv[0]);
}
END_TEST

/* On a pipe SIGPIPE is the process's business (aiod ignores it); with it
 * ignored, the error comes back. */
START_TEST(test_buf_write_fd_closed_pipe)
{
	ck_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	int p[2];
	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	close(p[0]);
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "gone");
	ck_assert_int_eq(aio_buf_write_fd(&b, p[1], 0), -EPIPE);
	check_contents(&b, "gone");
	aio_buf_destroy(&b);
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}
END_TEST

START_TEST(test_buf_write_fd_bad_descriptor)
{
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	close(p[0]);
	close(p[1]);
	struct aio_buf b;
	aio_buf_init(&b);
	append_str(&b, "x");
	ck_assert_int_eq(aio_buf_write_fd(&b, p[1], 0), -EBADF);
	ck_assert_int_eq(aio_buf_write_fd(&b, p[1], 1), -EBADF);
	check_contents(&b, "x");
	aio_buf_destroy(&b);
}
END_TEST

Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = check_tcase(s, "core", NULL, NULL, 5);
	tcase_add_test(tc, test_buf_init_is_empty);
	tcase_add_test(tc, test_buf_append_peek_len);
	tcase_add_test(tc, test_buf_append_zero);
	tcase_add_test(tc, test_buf_consume_partial);
	tcase_add_test(tc, test_buf_consume_all_frees);
	tcase_add_test(tc, test_buf_consume_more_than_len);

	tc = check_tcase(s, "storage", NULL, NULL, 5);
	tcase_add_test(tc, test_buf_growth_many_appends);
	tcase_add_test(tc, test_buf_growth_one_large_append);
	tcase_add_test(tc, test_buf_slide_down_reuses_storage);
	tcase_add_test(tc, test_buf_grow_after_partial_consume);
	tcase_add_test(tc, test_buf_reserve_commit);
	tcase_add_test(tc, test_buf_reserve_unused);
	tcase_add_test(tc, test_buf_steady_queue_bounded);

	tc = check_tcase(s, "find", NULL, NULL, 5);
	tcase_add_test(tc, test_buf_find_positions);
	tcase_add_test(tc, test_buf_find_from_offset);
	tcase_add_test(tc, test_buf_find_short_and_long_separators);
	tcase_add_test(tc, test_buf_find_across_chunks);
	tcase_add_test(tc, test_buf_find_after_consume);
	tcase_add_test(tc, test_buf_find_edges);

	tc = check_tcase(s, "write", NULL, NULL, 5);
	tcase_add_test(tc, test_buf_write_fd_pipe);
	tcase_add_test(tc, test_buf_write_fd_socket);
	tcase_add_test(tc, test_buf_write_fd_partial_when_full);
	tcase_add_test(tc, test_buf_write_fd_closed_peer);
	tcase_add_test(tc, test_buf_write_fd_closed_pipe);
	tcase_add_test(tc, test_buf_write_fd_bad_descriptor);
	return s;
}
