/* check_stream.c -- Check tests for runtime/stream.c: read-ahead, buffered writes, close, errors, connect */
#define _GNU_SOURCE /* pipe2, accept4 */
#include "check_runtime.h"
#include "sock.h"
#include "stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a stream's handler saw. The handler checks it is called for
 * p->s only; p->s = NULL after CLOSED makes that "no events after". */
struct probe {
	struct aio_stream *s;
	int calls, reads, writes, connects, closes;
	unsigned all;			/* every event seen */
	unsigned last;			/* the events of the last call */
	int fd_at_close;
	size_t pending_at_write;	/* the most pending output at a WRITE */
	int release_on_read;		/* lets go of the stream from its handler */
	int close_on_read;
};

static void on_events(struct aio_stream *s, unsigned events)
{
	struct probe *p = aio_stream_udata(s);
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(s == p->s, "an event (%u) for a closed or released stream", events);
	p->calls++;
	p->all |= events;
	p->last = events;
	p->reads += !!(events & AIO_STREAM_READ);
	p->connects += !!(events & AIO_STREAM_CONNECT);
	if ((events & AIO_STREAM_WRITE) && !(events & AIO_STREAM_CLOSED)) {
		p->writes++;
		if (aio_stream_write_pending(s) > p->pending_at_write)
			p->pending_at_write = aio_stream_write_pending(s);
	}
	if (events & AIO_STREAM_CLOSED) {
		p->closes++;
		p->fd_at_close = aio_stream_fd(s);
		p->s = NULL;
	} else if ((events & AIO_STREAM_READ) && p->release_on_read) {
		aio_stream_release(s);
		p->s = NULL;
	} else if ((events & AIO_STREAM_READ) && p->close_on_read) {
		aio_stream_close(s);
		ck_assert_msg(p->closes == 0, "CLOSED came from inside aio_stream_close");
	}
}

/*
 * Each test has a loop, and a socketpair whose end sv[0] it may make a
 * stream of (seen records that stream's events) while it acts on sv[1]
 * itself. The teardown releases what is left; a test that frees or
 * closes one of them itself clears it.
 */
static struct aio_loop *loop;
static int sv[2];
static int sv0_taken;		/* by a stream, which closes it */
static struct probe seen;

static void pair_setup(void)
{
	int err = 0;
	loop = aio_loop_new(&err);
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	sv0_taken = 0;
	seen = (struct probe){.fd_at_close = -2};
}

static void pair_teardown(void)
{
	if (seen.s)
		aio_stream_release(seen.s);
	if (loop)
		aio_loop_free(loop);
	if (!sv0_taken)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
}

static struct aio_stream *stream_make(int fd, unsigned flags, struct probe *p)
{
	int err = 0;
	struct aio_stream *s = aio_stream_new(loop, fd, flags, on_events, p, &err);
	ck_assert_msg(s != NULL, "aio_stream_new: %s", strerror(-err));
	p->s = s;
	p->fd_at_close = -2;
	sv0_taken |= fd == sv[0];
	return s;
}

/* The stream on sv[0]. */
static struct aio_stream *paired(void)
{
	return stream_make(sv[0], AIO_STREAM_SOCKET, &seen);
}

static void release(struct probe *p)
{
	aio_stream_release(p->s);
	p->s = NULL;
}

static void loop_free_now(void)
{
	aio_loop_free(loop);
	loop = NULL;
}

static void peer_close(void)
{
	close(sv[1]);
	sv[1] = -1;
}

/*
 * A byte pattern with no short period, so a lost or repeated chunk shows.
 * ref holds it from every phase, for memcmp; bulk is more of it than any
 * socket or pipe buffer here holds (a socketpair takes about 200 KiB).
 * Both are filled once, before Check forks the tests: touching fresh
 * memory is what costs the most here.
 */
#define PERIOD 251
#define SLICE (64 * 1024)
#define BULK ((size_t)2 << 20)
static char ref[PERIOD + SLICE];
static char bulk[BULK];

static void pattern_fill(void)
{
	for (size_t i = 0; i < sizeof ref; i++)
		ref[i] = (char)(i % PERIOD);
	for (size_t i = 0; i < BULK; i += SLICE)
		memcpy(bulk + i, ref + i % PERIOD, SLICE);
}

static void check_pattern(const char *p, size_t n, size_t at)
{
	for (size_t i = 0; i < n; i += SLICE)
		if (memcmp(p + i, ref + (at + i) % PERIOD, n - i < SLICE ? n - i : SLICE) != 0)
			ck_abort_msg("bytes from %zu are off the pattern", at + i);
}

/*
 * One turn that blocks at most 2 ms: the test's own end of a connection
 * acts between turns, where the loop cannot see it. Check asserts that
 * pass cost a message each, so the hot paths test and abort instead.
 */
static struct aio_timer tick;

static void tick_fired(struct aio_call *call)
{
	(void)call;
}

static void turn(void)
{
	aio_timer_init(&tick);
	if (aio_timer_start(loop, &tick, aio_loop_time(loop) + 0.002, tick_fired) < 0)
		ck_abort_msg("aio_timer_start failed");
	aio_loop_run_once(loop);
	aio_timer_stop(loop, &tick);
}

static void turns(int n)
{
	for (int i = 0; i < n; i++)
		turn();
}

#define MAX_TURNS 1000

/* Turns the loop until cond holds, doing step before each test of it. */
#define RUN_UNTIL_STEP(cond, step)                                              \
	do {                                                                    \
		for (int turns_ = 0;; turns_++) {                               \
			step;                                                   \
			if (cond)                                               \
				break;                                          \
			if (turns_ == MAX_TURNS)                                \
				ck_abort_msg("never came: %s", #cond);          \
			turn();                                                 \
		}                                                               \
	} while (0)

#define RUN_UNTIL(cond) RUN_UNTIL_STEP(cond, (void)0)

/* A loopback listener and its address. */
static int tcp_listen(struct sockaddr_in *addr)
{
	*addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = aio_sock_listen((struct sockaddr *)addr, sizeof *addr, 16, 0);
	ck_assert_int_ge(fd, 0);
	socklen_t len = sizeof *addr;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)addr, &len), 0);
	return fd;
}

static void wait_readable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
}

static int accept_one(int fd)
{
	wait_readable(fd);
	int conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ck_assert_int_ge(conn, 0);
	return conn;
}

/* Both ends of a loopback TCP connection, non-blocking. */
static void tcp_pair(int fds[2])
{
	struct sockaddr_in addr;
	int l = tcp_listen(&addr);
	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fds[0], 0);
	ck_assert_int_eq(connect(fds[0], (struct sockaddr *)&addr, sizeof addr), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	fds[1] = accept_one(l);
	close(l);
}

/* Closes fd so that the other end gets a reset, not an end of file. */
static void close_with_reset(int fd)
{
	struct linger hard = {.l_onoff = 1, .l_linger = 0};
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard), 0);
	close(fd);
}

/* The test's end of a connection: reads what came, checking the pattern. */
struct sink {
	int fd;
	size_t got;
	int eof;
	int err;
};

static void sink_drain(struct sink *k)
{
	static char chunk[SLICE];
	while (!k->eof && !k->err) {
		ssize_t n = read(k->fd, chunk, sizeof chunk);
		if (n > 0) {
			check_pattern(chunk, (size_t)n, k->got);
			k->got += (size_t)n;
		} else if (n == 0) {
			k->eof = 1;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return;
		} else {
			k->err = errno;
		}
	}
}

/* Takes all of a stream's input, checking the pattern from *at on. */
static void take_input(struct aio_stream *s, size_t *at)
{
	struct aio_buf *in = aio_stream_input(s);
	check_pattern(aio_buf_peek(in), aio_buf_len(in), *at);
	*at += aio_buf_len(in);
	aio_buf_consume(in, aio_buf_len(in));
	aio_stream_consumed(s);
}

static size_t input_len(struct aio_stream *s)
{
	return aio_buf_len(aio_stream_input(s));
}

static void check_input(struct aio_stream *s, const char *text)
{
	size_t n = strlen(text);
	ck_assert_uint_eq(input_len(s), n);
	ck_assert_int_eq(memcmp(aio_buf_peek(aio_stream_input(s)), text, n), 0);
}

static void peer_write(int fd, const char *text)
{
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

static void peer_expect(int fd, const char *text)
{
	char got[256];
	size_t n = strlen(text);
	wait_readable(fd);
	ck_assert_int_eq(read(fd, got, sizeof got), (ssize_t)n);
	ck_assert_int_eq(memcmp(got, text, n), 0);
}

static void peer_expect_eof(int fd)
{
	char byte;
	wait_readable(fd);
	ck_assert_int_eq(read(fd, &byte, 1), 0);
}

/* read */

START_TEST(test_stream_read_delivers_input)
{
	struct aio_stream *s = paired();
	ck_assert_ptr_eq(aio_stream_udata(s), &seen);
	ck_assert_int_eq(aio_stream_fd(s), sv[0]);
	ck_assert(!aio_stream_connecting(s));
	peer_write(sv[1], "hello");
	ck_assert_int_eq(seen.calls, 0);
	RUN_UNTIL(seen.reads > 0);
	check_input(s, "hello");
	ck_assert_uint_eq(seen.all, AIO_STREAM_READ);
	ck_assert(!aio_stream_eof(s));
	ck_assert_int_eq(aio_stream_error(s), 0);
	/* Unconsumed input stays; new input is appended to it. */
	peer_write(sv[1], " world");
	RUN_UNTIL(input_len(s) == 11);
	check_input(s, "hello world");
	aio_buf_consume(aio_stream_input(s), 6);
	aio_stream_consumed(s);
	check_input(s, "world");
}
END_TEST

START_TEST(test_stream_read_eof)
{
	struct aio_stream *s = paired();
	peer_write(sv[1], "bye");
	peer_close();
	RUN_UNTIL(aio_stream_eof(s));
	ck_assert_uint_eq(seen.all, AIO_STREAM_READ);
	check_input(s, "bye");
	ck_assert_int_eq(aio_stream_error(s), 0);
	/* Nothing more can come in, and nothing goes out. */
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

/* Reading pauses while at least read_high bytes wait, until consumed. */
START_TEST(test_stream_read_high_pauses)
{
	struct aio_stream *s = paired();
	aio_stream_set_read_high(s, 100);
	ck_assert_int_eq(write(sv[1], bulk, 1000), 1000);
	RUN_UNTIL(input_len(s) >= 100);
	size_t first = input_len(s);
	int reads = seen.reads;
	ck_assert_int_eq(write(sv[1], bulk + 1000, 1000), 1000);
	turns(5);
	ck_assert_uint_eq(input_len(s), first);
	ck_assert_int_eq(seen.reads, reads);
	/* Still at the mark: still paused. */
	aio_buf_consume(aio_stream_input(s), first - 100);
	aio_stream_consumed(s);
	turns(5);
	ck_assert_uint_eq(input_len(s), 100);
	ck_assert_int_eq(seen.reads, reads);
	/* Below it: reading resumes, and nothing was lost. */
	aio_buf_consume(aio_stream_input(s), 1);
	aio_stream_consumed(s);
	RUN_UNTIL(input_len(s) == 99 + 2000 - first);
	check_pattern(aio_buf_peek(aio_stream_input(s)), input_len(s), first - 99);
}
END_TEST

START_TEST(test_stream_new_sets_nonblocking)
{
	ck_assert_int_eq(fcntl(sv[0], F_SETFL, 0), 0);
	paired();
	ck_assert(fcntl(sv[0], F_GETFL) & O_NONBLOCK);
	/* A read that would block must not hang the turn. */
	turn();
	ck_assert_int_eq(seen.calls, 0);
}
END_TEST

START_TEST(test_stream_new_bad_fd)
{
	int fd = dup(sv[0]);
	close(fd);
	int err = 0;
	ck_assert_ptr_null(aio_stream_new(loop, fd, AIO_STREAM_SOCKET, on_events, NULL, &err));
	ck_assert_int_eq(err, -EBADF);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

/* write */

/* What fits goes at once, and no WRITE comes: nothing was pending. */
START_TEST(test_stream_write_immediate)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_stream_write(s, "ping", 4), 0);
	ck_assert_uint_eq(aio_stream_write_pending(s), 0);
	peer_expect(sv[1], "ping");
	ck_assert_int_eq(aio_stream_write(s, "", 0), 0);
	turns(3);
	ck_assert_int_eq(seen.calls, 0);
}
END_TEST

/* More than the socket takes waits, in order, behind what was sent; WRITE
 * comes only once pending output is down to the low-water mark. */
START_TEST(test_stream_write_buffered)
{
	struct aio_stream *s = paired();
	aio_stream_set_write_low(s, 64 * 1024);
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK / 2), 0);
	size_t pending = aio_stream_write_pending(s);
	ck_assert_uint_gt(pending, 0);
	ck_assert_uint_lt(pending, BULK / 2);
	/* Behind pending output, nothing is sent ahead of it. */
	ck_assert_int_eq(aio_stream_write(s, bulk + BULK / 2, BULK / 2), 0);
	ck_assert_uint_eq(aio_stream_write_pending(s), pending + BULK / 2);
	ck_assert_int_eq(seen.calls, 0);
	struct sink k = {.fd = sv[1]};
	RUN_UNTIL_STEP(k.got == BULK && seen.writes > 0, sink_drain(&k));
	ck_assert_uint_eq(aio_stream_write_pending(s), 0);
	ck_assert_uint_le(seen.pending_at_write, 64 * 1024);
	ck_assert_uint_eq(seen.all, AIO_STREAM_WRITE);
	ck_assert_int_eq(k.err, 0);
	ck_assert(!k.eof);
}
END_TEST

/* Shutdown waits for pending output; the peer gets all of it, then EOF,
 * and can still talk back. */
START_TEST(test_stream_shutdown_after_pending)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK), 0);
	ck_assert_uint_gt(aio_stream_write_pending(s), 0);
	ck_assert_int_eq(aio_stream_shutdown(s), 0);
	ck_assert_int_eq(aio_stream_shutdown(s), 0);
	ck_assert_int_eq(aio_stream_write(s, "late", 4), -EPIPE);
	struct sink k = {.fd = sv[1]};
	RUN_UNTIL_STEP(k.eof, sink_drain(&k));
	ck_assert_uint_eq(k.got, BULK);
	ck_assert_int_eq(k.err, 0);
	peer_write(sv[1], "reply");
	RUN_UNTIL(input_len(s) == 5);
	check_input(s, "reply");
}
END_TEST

START_TEST(test_stream_shutdown_immediate)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_stream_write(s, "last", 4), 0);
	ck_assert_int_eq(aio_stream_shutdown(s), 0);
	peer_expect(sv[1], "last");
	peer_expect_eof(sv[1]);
	ck_assert_int_eq(aio_stream_write(s, "x", 1), -EPIPE);
	ck_assert_int_eq(seen.calls, 0);
}
END_TEST

/* close */

START_TEST(test_stream_close_idle)
{
	struct aio_stream *s = paired();
	aio_stream_close(s);
	ck_assert(aio_stream_closing(s));
	ck_assert_int_eq(aio_stream_write(s, "x", 1), -EPIPE);
	aio_stream_close(s);
	ck_assert_int_eq(seen.calls, 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(seen.closes, 1);
	ck_assert_uint_eq(seen.last, AIO_STREAM_CLOSED);
	ck_assert_int_eq(seen.fd_at_close, -1);
	peer_expect_eof(sv[1]);
}
END_TEST

/* Close sends what is pending first, then reports CLOSED once; the stream
 * is freed after that handler (ASan sees a use after). */
START_TEST(test_stream_close_flushes)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK), 0);
	aio_stream_close(s);
	aio_stream_close(s);
	ck_assert(aio_stream_closing(s));
	ck_assert_int_eq(aio_stream_write(s, "x", 1), -EPIPE);
	ck_assert_int_eq(seen.calls, 0);
	struct sink k = {.fd = sv[1]};
	RUN_UNTIL_STEP(k.eof && seen.closes, sink_drain(&k));
	ck_assert_uint_eq(k.got, BULK);
	ck_assert_int_eq(seen.fd_at_close, -1);
	ck_assert_int_eq(seen.all & AIO_STREAM_READ, 0);
	turns(3);
	ck_assert_int_eq(seen.closes, 1);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

/* Abort drops pending output at once; CLOSED comes from the ready queue. */
START_TEST(test_stream_abort_drops_output)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK), 0);
	aio_stream_abort(s);
	ck_assert_int_eq(seen.calls, 0);
	ck_assert(aio_stream_closing(s));
	ck_assert_int_eq(aio_stream_fd(s), -1);
	ck_assert_uint_eq(aio_stream_write_pending(s), 0);
	struct sink k = {.fd = sv[1]};
	sink_drain(&k);
	ck_assert(k.eof);
	ck_assert_uint_lt(k.got, BULK);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(seen.closes, 1);
	ck_assert_uint_eq(seen.last, AIO_STREAM_CLOSED);
}
END_TEST

/* Abort cuts a closing stream's flush short; still one CLOSED. */
START_TEST(test_stream_abort_while_closing)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK), 0);
	aio_stream_close(s);
	turn();
	aio_stream_abort(s);
	aio_stream_abort(s);
	ck_assert_int_eq(seen.calls, 0);
	struct sink k = {.fd = sv[1]};
	RUN_UNTIL_STEP(k.eof && seen.closes, sink_drain(&k));
	ck_assert_uint_lt(k.got, BULK);
	turns(3);
	ck_assert_int_eq(seen.closes, 1);
}
END_TEST

/* Closed from its own READ handler: CLOSED comes after, not inside. */
START_TEST(test_stream_close_in_handler)
{
	seen.close_on_read = 1;
	paired();
	peer_write(sv[1], "quit");
	RUN_UNTIL(seen.closes == 1);
	ck_assert_int_eq(seen.reads, 1);
	peer_expect_eof(sv[1]);
}
END_TEST

/* Released from its own handler: no more events, and freed (ASan). */
START_TEST(test_stream_release_in_handler)
{
	seen.release_on_read = 1;
	paired();
	peer_write(sv[1], "go");
	RUN_UNTIL(seen.reads == 1);
	peer_expect_eof(sv[1]);
	RUN_UNTIL(aio_loop_state(loop) == AIO_LOOP_IDLE);
	ck_assert_int_eq(seen.calls, 1);
}
END_TEST

/* An open stream let go of: no events, closed, freed. */
START_TEST(test_stream_release_open)
{
	paired();
	peer_write(sv[1], "read");
	RUN_UNTIL(seen.reads == 1);
	release(&seen);
	peer_expect_eof(sv[1]);
	RUN_UNTIL(aio_loop_state(loop) == AIO_LOOP_IDLE);
	ck_assert_int_eq(seen.calls, 1);
}
END_TEST

/* Let go of with output pending: it is still sent, then the stream closes. */
START_TEST(test_stream_release_flushes)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK), 0);
	release(&seen);
	struct sink k = {.fd = sv[1]};
	RUN_UNTIL_STEP(k.eof, sink_drain(&k));
	ck_assert_uint_eq(k.got, BULK);
	RUN_UNTIL(aio_loop_state(loop) == AIO_LOOP_IDLE);
	ck_assert_int_eq(seen.calls, 0);
}
END_TEST

/* error */

/* A reset while reading: the error, with READ and WRITE together. */
START_TEST(test_stream_error_reset_mid_read)
{
	int fds[2];
	tcp_pair(fds);
	struct aio_stream *s = stream_make(fds[0], AIO_STREAM_SOCKET, &seen);
	turn();
	close_with_reset(fds[1]);
	RUN_UNTIL(seen.calls > 0);
	ck_assert_int_eq(aio_stream_error(s), ECONNRESET);
	ck_assert_uint_eq(seen.last, AIO_STREAM_READ | AIO_STREAM_WRITE);
	ck_assert(!aio_stream_eof(s));
	ck_assert_int_eq(aio_stream_write(s, "x", 1), -ECONNRESET);
	ck_assert_int_eq(aio_stream_shutdown(s), -ECONNRESET);
	ck_assert_int_eq(aio_stream_error(s), ECONNRESET);
	/* Nothing more can happen on it. */
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_stream_close(s);
	RUN_UNTIL(seen.closes == 1);
}
END_TEST

/* Writing to a reset connection fails with the error, not SIGPIPE (left at
 * its default, so a missing MSG_NOSIGNAL kills the test); the events come
 * from the loop, not from inside the write. */
START_TEST(test_stream_error_write_after_reset)
{
	ck_assert(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	int fds[2];
	tcp_pair(fds);
	struct aio_stream *s = stream_make(fds[0], AIO_STREAM_SOCKET, &seen);
	close_with_reset(fds[1]);
	wait_readable(fds[0]);
	int r = aio_stream_write(s, "into the void", 13);
	ck_assert_msg(r == -ECONNRESET || r == -EPIPE, "write gave %d", r);
	ck_assert_int_eq(aio_stream_error(s), -r);
	ck_assert_int_eq(aio_stream_write(s, "again", 5), r);
	ck_assert_int_eq(seen.calls, 0);
	RUN_UNTIL(seen.calls > 0);
	ck_assert_uint_eq(seen.all, AIO_STREAM_READ | AIO_STREAM_WRITE);
}
END_TEST

START_TEST(test_stream_error_write_closed_peer)
{
	ck_assert(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	struct aio_stream *s = paired();
	peer_close();
	ck_assert_int_eq(aio_stream_write(s, "hello?", 6), -EPIPE);
	ck_assert_int_eq(aio_stream_error(s), EPIPE);
	ck_assert_int_eq(seen.calls, 0);
	aio_loop_run_once(loop);
	ck_assert_uint_eq(seen.last, AIO_STREAM_READ | AIO_STREAM_WRITE);
	aio_stream_close(s);
	RUN_UNTIL(seen.closes == 1);
}
END_TEST

/* The peer goes away while output is pending: the flush fails. */
START_TEST(test_stream_error_flush_fails)
{
	ck_assert(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK), 0);
	peer_close();
	RUN_UNTIL(aio_stream_error(s) != 0);
	int err = aio_stream_error(s);
	ck_assert_msg(err == EPIPE || err == ECONNRESET, "error %d", err);
	ck_assert_uint_eq(seen.last, AIO_STREAM_READ | AIO_STREAM_WRITE);
	ck_assert_uint_eq(aio_stream_write_pending(s), 0);
	ck_assert_int_eq(aio_stream_write(s, "x", 1), -err);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

/* A closing stream whose flush fails still closes and reports it. */
START_TEST(test_stream_error_close_flush_fails)
{
	ck_assert(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK), 0);
	aio_stream_close(s);
	peer_close();
	RUN_UNTIL(seen.closes == 1);
	ck_assert_int_eq(seen.fd_at_close, -1);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

/* connect */

static struct aio_stream *connect_to(const void *addr, socklen_t len, int *err)
{
	*err = 0;
	struct aio_stream *s = aio_stream_connect(loop, addr, len, NULL, 0, on_events, &seen, err);
	seen.s = s;
	return s;
}

/* Connects, then data goes both ways; the socket is close-on-exec and
 * TCP_NODELAY. */
START_TEST(test_stream_connect_tcp)
{
	struct sockaddr_in addr;
	int l = tcp_listen(&addr);
	int err;
	struct aio_stream *s = connect_to(&addr, sizeof addr, &err);
	ck_assert_msg(s != NULL, "connect: %s", strerror(-err));
	int fd = aio_stream_fd(s);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	int nodelay = 0;
	socklen_t optlen = sizeof nodelay;
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &optlen), 0);
	ck_assert_int_ne(nodelay, 0);
	if (aio_stream_connecting(s)) {
		ck_assert_int_eq(seen.calls, 0);
		RUN_UNTIL(seen.connects == 1);
		ck_assert_uint_eq(seen.last, AIO_STREAM_CONNECT);
		ck_assert(!aio_stream_connecting(s));
	}
	ck_assert_int_eq(aio_stream_error(s), 0);
	int peer = accept_one(l);
	ck_assert_int_eq(aio_stream_write(s, "ping", 4), 0);
	peer_expect(peer, "ping");
	peer_write(peer, "pong");
	RUN_UNTIL(input_len(s) == 4);
	check_input(s, "pong");
	close(peer);
	close(l);
}
END_TEST

/* A closed port: refused at once, or by CONNECT with the error. */
START_TEST(test_stream_connect_refused)
{
	struct sockaddr_in addr;
	close(tcp_listen(&addr));
	int err;
	struct aio_stream *s = connect_to(&addr, sizeof addr, &err);
	if (!s) {
		ck_assert_int_eq(err, -ECONNREFUSED);
		ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
		return;
	}
	RUN_UNTIL(seen.connects == 1);
	ck_assert(!aio_stream_connecting(s));
	ck_assert_int_eq(aio_stream_error(s), ECONNREFUSED);
	ck_assert_int_eq(aio_stream_write(s, "x", 1), -ECONNREFUSED);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_stream_close(s);
	RUN_UNTIL(seen.closes == 1);
}
END_TEST

/* Written while connecting: buffered, then sent once connected, and a
 * shutdown asked for meanwhile follows it. */
START_TEST(test_stream_connect_write_while_connecting)
{
	struct sockaddr_in addr;
	int l = tcp_listen(&addr);
	int err;
	struct aio_stream *s = connect_to(&addr, sizeof addr, &err);
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(aio_stream_connecting(s), "a TCP connect on Linux is in progress at first");
	ck_assert_int_eq(aio_stream_write(s, "early", 5), 0);
	ck_assert_uint_eq(aio_stream_write_pending(s), 5);
	ck_assert_int_eq(aio_stream_shutdown(s), 0);
	RUN_UNTIL(seen.connects == 1 && aio_stream_write_pending(s) == 0);
	int peer = accept_one(l);
	peer_expect(peer, "early");
	peer_expect_eof(peer);
	close(peer);
	close(l);
}
END_TEST

START_TEST(test_stream_connect_local_address)
{
	struct sockaddr_in addr;
	int l = tcp_listen(&addr);
	struct sockaddr_in local = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int err = 0;
	struct aio_stream *s = aio_stream_connect(loop, (struct sockaddr *)&addr, sizeof addr,
						  (struct sockaddr *)&local, sizeof local,
						  on_events, &seen, &err);
	ck_assert_ptr_nonnull(s);
	seen.s = s;
	char host[64];
	int port = 0;
	ck_assert_int_eq(aio_sock_address(aio_stream_fd(s), 0, host, sizeof host, &port), 0);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_int_gt(port, 0);
	/* An address not ours cannot be bound: known at once. */
	ck_assert_int_eq(inet_pton(AF_INET, "192.0.2.1", &local.sin_addr), 1);
	ck_assert_ptr_null(aio_stream_connect(loop, (struct sockaddr *)&addr, sizeof addr,
					      (struct sockaddr *)&local, sizeof local,
					      on_events, &seen, &err));
	ck_assert_int_eq(err, -EADDRNOTAVAIL);
	close(l);
}
END_TEST

START_TEST(test_stream_connect_unix)
{
	char dir[] = "/tmp/check_stream.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/s", dir);
	struct sockaddr_storage ss;
	socklen_t len;
	ck_assert_int_eq(aio_sock_unix_address(path, &ss, &len), 0);
	int err;
	/* Nothing there, or a dead server's socket file: known at once. */
	ck_assert_ptr_null(connect_to(&ss, len, &err));
	ck_assert_int_eq(err, -ENOENT);
	close(aio_sock_listen_unix(path, 4));
	ck_assert_ptr_null(connect_to(&ss, len, &err));
	ck_assert_int_eq(err, -ECONNREFUSED);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	/* A live one. */
	int l = aio_sock_listen_unix(path, 4);
	ck_assert_int_ge(l, 0);
	struct aio_stream *s = connect_to(&ss, len, &err);
	ck_assert_ptr_nonnull(s);
	RUN_UNTIL(!aio_stream_connecting(s));
	ck_assert_int_eq(aio_stream_error(s), 0);
	int peer = accept_one(l);
	peer_write(peer, "over unix");
	RUN_UNTIL(input_len(s) == 9);
	check_input(s, "over unix");
	ck_assert_int_eq(aio_stream_write(s, "back", 4), 0);
	peer_expect(peer, "back");
	close(peer);
	close(l);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* loop */

/* A stream never holds the loop, reading or with output pending: its
 * owner holds it while a task waits on the stream. Only the queued CLOSED
 * event makes the loop alive. */
START_TEST(test_stream_loop_never_held)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK), 0);
	ck_assert_uint_gt(aio_stream_write_pending(s), 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	struct sink k = {.fd = sv[1]};
	RUN_UNTIL_STEP(aio_stream_write_pending(s) == 0, sink_drain(&k));
	turn();
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_stream_close(s);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(seen.closes, 1);
}
END_TEST

/* A loop freed under an open stream closes it quietly; release frees it. */
START_TEST(test_stream_loop_free_first)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK), 0);
	loop_free_now();
	ck_assert_int_eq(aio_stream_fd(s), -1);
	ck_assert(aio_stream_closing(s));
	ck_assert_int_eq(aio_stream_write(s, "x", 1), -EPIPE);
	aio_stream_close(s);
	aio_stream_abort(s);
	struct sink k = {.fd = sv[1]};
	sink_drain(&k);
	ck_assert(k.eof);
	ck_assert_int_eq(seen.calls, 0);
	release(&seen);
}
END_TEST

/* A released stream still flushing, or one whose CLOSED was still queued,
 * is freed with the loop (LeakSanitizer would see it otherwise). */
START_TEST(test_stream_loop_free_frees_released)
{
	int tv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tv), 0);
	struct probe other = {0};
	struct aio_stream *s = paired();
	struct aio_stream *t = stream_make(tv[0], AIO_STREAM_SOCKET, &other);
	ck_assert_int_eq(aio_stream_write(s, bulk, BULK), 0);
	release(&seen);
	aio_stream_abort(t);
	loop_free_now();
	ck_assert_int_eq(other.calls, 0);
	release(&other);
	close(tv[1]);
}
END_TEST

/* pipe */

/* A pipe's ends as streams: the write end's shutdown closes it, so the
 * reader sees EOF. */
START_TEST(test_stream_pipe_ends)
{
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	struct probe wp = {0};
	struct aio_stream *w = stream_make(fds[1], AIO_STREAM_NO_READ, &wp);
	/* A write end alone never reads: nothing can happen. */
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	struct aio_stream *r = stream_make(fds[0], AIO_STREAM_NO_WRITE, &seen);
	ck_assert_int_eq(aio_stream_write(r, "x", 1), -EPIPE);
	ck_assert_int_eq(aio_stream_write(w, "data", 4), 0);
	RUN_UNTIL(input_len(r) == 4);
	ck_assert_int_eq(aio_stream_shutdown(w), 0);
	ck_assert_int_eq(aio_stream_fd(w), -1);
	RUN_UNTIL(aio_stream_eof(r));
	check_input(r, "data");
	ck_assert_int_eq(aio_stream_error(r), 0);
	ck_assert_int_eq(wp.calls, 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_stream_close(w);
	RUN_UNTIL(wp.closes == 1);
}
END_TEST

/* More than a pipe holds, with the shutdown asked for while pending. */
START_TEST(test_stream_pipe_buffered)
{
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	struct probe wp = {0};
	struct aio_stream *w = stream_make(fds[1], AIO_STREAM_NO_READ, &wp);
	struct aio_stream *r = stream_make(fds[0], AIO_STREAM_NO_WRITE, &seen);
	ck_assert_int_eq(aio_stream_write(w, bulk, BULK), 0);
	ck_assert_uint_gt(aio_stream_write_pending(w), 0);
	ck_assert_int_eq(aio_stream_shutdown(w), 0);
	size_t at = 0;
	RUN_UNTIL_STEP(aio_stream_eof(r), take_input(r, &at));
	ck_assert_uint_eq(at, BULK);
	ck_assert_int_eq(aio_stream_fd(w), -1);
	ck_assert_int_gt(wp.writes, 0);
	release(&wp);
}
END_TEST

/* A pipe has no MSG_NOSIGNAL: SIGPIPE is the process's (aiod ignores it). */
START_TEST(test_stream_pipe_reader_gone)
{
	ck_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	close(fds[0]);
	struct aio_stream *w = stream_make(fds[1], AIO_STREAM_NO_READ, &seen);
	ck_assert_int_eq(aio_stream_write(w, "x", 1), -EPIPE);
	RUN_UNTIL(seen.calls == 1);
	ck_assert_uint_eq(seen.last, AIO_STREAM_READ | AIO_STREAM_WRITE);
}
END_TEST

/* Regressions: bugs these tests found, each fixed since. */

/* close() during a connect that then fails, with output pending:
 * connected() fails the stream, which drops the output and stops both
 * watchers, but only flush() finishes a closing stream, so CLOSED never
 * comes and the descriptor stays open until the loop is freed. */
START_TEST(test_stream_bug_close_while_connecting_refused)
{
	struct sockaddr_in addr;
	close(tcp_listen(&addr));
	int err;
	struct aio_stream *s = connect_to(&addr, sizeof addr, &err);
	ck_assert_ptr_nonnull(s);
	ck_assert(aio_stream_connecting(s));
	ck_assert_int_eq(aio_stream_write(s, "doomed", 6), 0);
	aio_stream_close(s);
	RUN_UNTIL(seen.closes == 1 || seen.connects == 1);
	turns(5);
	ck_assert_msg(seen.closes == 1, "a closing stream whose connect failed never reported CLOSED");
}
END_TEST

/* Shutdown of a pipe's read end (AIO_STREAM_NO_WRITE) has no writing side
 * to end, yet do_shutdown closes the descriptor: reading stops, and the
 * data still in the pipe and its EOF are never seen. */
START_TEST(test_stream_bug_shutdown_read_end)
{
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	struct aio_stream *r = stream_make(fds[0], AIO_STREAM_NO_WRITE, &seen);
	peer_write(fds[1], "still here");
	close(fds[1]);
	aio_stream_shutdown(r);
	turns(20);
	ck_assert_msg(aio_stream_eof(r), "shutdown of a read end stopped its reading");
	check_input(r, "still here");
}
END_TEST

static TCase *stream_tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, pair_setup, pair_teardown);
	tcase_set_timeout(tc, 5);
	suite_add_tcase(s, tc);
	return tc;
}

Suite *stream_suite(void)
{
	pattern_fill();
	Suite *s = suite_create("stream");
	TCase *tc = stream_tcase(s, "read");
	tcase_add_test(tc, test_stream_read_delivers_input);
	tcase_add_test(tc, test_stream_read_eof);
	tcase_add_test(tc, test_stream_read_high_pauses);
	tcase_add_test(tc, test_stream_new_sets_nonblocking);
	tcase_add_test(tc, test_stream_new_bad_fd);

	tc = stream_tcase(s, "write");
	tcase_add_test(tc, test_stream_write_immediate);
	tcase_add_test(tc, test_stream_write_buffered);
	tcase_add_test(tc, test_stream_shutdown_after_pending);
	tcase_add_test(tc, test_stream_shutdown_immediate);

	tc = stream_tcase(s, "close");
	tcase_add_test(tc, test_stream_close_idle);
	tcase_add_test(tc, test_stream_close_flushes);
	tcase_add_test(tc, test_stream_abort_drops_output);
	tcase_add_test(tc, test_stream_abort_while_closing);
	tcase_add_test(tc, test_stream_close_in_handler);
	tcase_add_test(tc, test_stream_release_in_handler);
	tcase_add_test(tc, test_stream_release_open);
	tcase_add_test(tc, test_stream_release_flushes);

	tc = stream_tcase(s, "error");
	tcase_add_test(tc, test_stream_error_reset_mid_read);
	tcase_add_test(tc, test_stream_error_write_after_reset);
	tcase_add_test(tc, test_stream_error_write_closed_peer);
	tcase_add_test(tc, test_stream_error_flush_fails);
	tcase_add_test(tc, test_stream_error_close_flush_fails);

	tc = stream_tcase(s, "connect");
	tcase_add_test(tc, test_stream_connect_tcp);
	tcase_add_test(tc, test_stream_connect_refused);
	tcase_add_test(tc, test_stream_connect_write_while_connecting);
	tcase_add_test(tc, test_stream_connect_local_address);
	tcase_add_test(tc, test_stream_connect_unix);

	tc = stream_tcase(s, "loop");
	tcase_add_test(tc, test_stream_loop_never_held);
	tcase_add_test(tc, test_stream_loop_free_first);
	tcase_add_test(tc, test_stream_loop_free_frees_released);

	tc = stream_tcase(s, "pipe");
	tcase_add_test(tc, test_stream_pipe_ends);
	tcase_add_test(tc, test_stream_pipe_buffered);
	tcase_add_test(tc, test_stream_pipe_reader_gone);

	tc = stream_tcase(s, "regressions");
	tcase_add_test(tc, test_stream_bug_close_while_connecting_refused);
	tcase_add_test(tc, test_stream_bug_shutdown_read_end);
	return s;
}
