/* check_stream.c -- Check tests for runtime/stream.c: read-ahead, buffered writes, close, the loop, pipes */
#define _GNU_SOURCE /* pipe2 */
#include "check_runtime.h"
#include "check_util.h"
#include "stream.h"
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bulk transfers take many turns. */
#define RUN_UNTIL_STEP(cond, step) RUN_UNTIL_WITHIN(1000, cond, step)
#define RUN_UNTIL(cond) RUN_UNTIL_STEP(cond, (void)0)

/* The test's end of a connection: reads what came, checking the pattern. */
struct sink {
	int fd;
	size_t got;
	int eof;
	int err;
};

static void sink_drain(struct sink *k)
{
	static char chunk[64 * 1024];
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
	aio_stream_consume(s, aio_buf_len(in));
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
	aio_stream_consume(s, 6);
	check_input(s, "world");
}
END_TEST

/* Input is held only while there is some: a long read is kept about its
 * size, and consumed, neither a short nor a long one leaves storage. */
START_TEST(test_stream_read_holds_no_idle_buffer)
{
	struct aio_stream *s = paired();
	struct aio_buf *in = aio_stream_input(s);
	peer_write(sv[1], "hello");
	RUN_UNTIL(input_len(s) == 5);
	aio_stream_consume(s, 5);
	ck_assert_uint_eq(in->cap, 0);
	ck_assert_int_eq(write(sv[1], bulk, 20000), 20000);
	RUN_UNTIL(input_len(s) == 20000);
	ck_assert_uint_lt(in->cap, 2 * 20000);
	check_pattern(aio_buf_peek(in), 20000, 0);
	aio_stream_consume(s, 19999);
	ck_assert_uint_gt(in->cap, 0);
	aio_stream_consume(s, 1);
	ck_assert_uint_eq(in->cap, 0);
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
	aio_stream_consume(s, first - 100);
	turns(5);
	ck_assert_uint_eq(input_len(s), 100);
	ck_assert_int_eq(seen.reads, reads);
	/* Below it: reading resumes, and nothing was lost. */
	aio_stream_consume(s, 1);
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

/* A descriptor the caller made non-blocking (accept4) is taken as it is:
 * the flag spares the fcntl calls, so a blocking one here stays blocking. */
START_TEST(test_stream_new_nonblock_flag_trusts_caller)
{
	ck_assert_int_eq(fcntl(sv[0], F_SETFL, 0), 0);
	stream_make(sv[0], AIO_STREAM_SOCKET | AIO_STREAM_NONBLOCK, &seen);
	ck_assert(!(fcntl(sv[0], F_GETFL) & O_NONBLOCK));
	/* Made non-blocking again, so the teardown's turns cannot hang. */
	ck_assert_int_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
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
	ck_assert(aio_loop_owns_fd(loop, sv[0]));
	aio_stream_close(s);
	ck_assert(!aio_loop_owns_fd(loop, sv[0]));
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
	struct stream_probe other = {0};
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
	struct stream_probe wp = {0};
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
	struct stream_probe wp = {0};
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

/* Deferred, after a long read, input is announced, not read, and read
 * when deferral ends; announced again before that, the watcher stops
 * rather than spin. Its block is kept whole for the owner, cut once taken
 * in part. After a short read, input is read at once. */
START_TEST(test_stream_defer_reads)
{
	struct aio_stream *s = paired();
	struct aio_buf *in = aio_stream_input(s);
	aio_stream_defer_reads(s, 1);
	peer_write(sv[1], "hello");
	RUN_UNTIL(input_len(s) == 5);
	aio_stream_consume(s, 5);
	ck_assert_int_eq(write(sv[1], bulk, 20000), 20000);
	RUN_UNTIL(input_len(s) == 20000);
	aio_stream_consume(s, 20000);

	int reads = seen.reads;
	ck_assert_int_eq(write(sv[1], bulk, 20000), 20000);
	RUN_UNTIL(seen.reads == reads + 1);
	ck_assert_uint_eq(input_len(s), 0);
	turns(5);
	ck_assert_int_eq(seen.reads, reads + 1);
	aio_stream_defer_reads(s, 0);
	ck_assert_int_eq(seen.reads, reads + 1);
	ck_assert_uint_eq(input_len(s), 20000);
	ck_assert_uint_eq(in->cap, 64 * 1024);
	check_pattern(aio_buf_peek(in), 20000, 0);
	aio_stream_consume(s, 100);
	ck_assert_uint_eq(in->cap, 20000);
	check_pattern(aio_buf_peek(in), 19900, 100);
	aio_stream_consume(s, 19900);
	ck_assert_uint_eq(in->cap, 0);

	/* The end of file too waits for the read. */
	aio_stream_defer_reads(s, 1);
	peer_close();
	RUN_UNTIL(seen.reads == reads + 2);
	ck_assert(!aio_stream_eof(s));
	aio_stream_defer_reads(s, 0);
	ck_assert(aio_stream_eof(s));
	ck_assert_uint_eq(input_len(s), 0);
}
END_TEST

/* A deferred read that fails (the peer closed with our bytes unread: a
 * reset) fails the stream, and the owner hears it from the loop. */
START_TEST(test_stream_defer_reads_error)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(write(sv[1], bulk, 20000), 20000);
	RUN_UNTIL(input_len(s) == 20000);
	aio_stream_consume(s, 20000);
	ck_assert_int_eq(aio_stream_write(s, "unread", 6), 0);
	aio_stream_defer_reads(s, 1);
	int calls = seen.calls;
	peer_close();
	RUN_UNTIL(seen.calls == calls + 1);
	ck_assert_int_eq(aio_stream_error(s), 0);
	aio_stream_defer_reads(s, 0);
	ck_assert_int_eq(aio_stream_error(s), ECONNRESET);
	ck_assert_int_eq(seen.calls, calls + 1);
	RUN_UNTIL(seen.calls == calls + 2);
	ck_assert_uint_eq(seen.last, AIO_STREAM_READ | AIO_STREAM_WRITE);
}
END_TEST

/* Input already buffered is appended to as ever: deferral is for an
 * empty input, and a pipe is read at once whatever it asks. */
START_TEST(test_stream_defer_reads_nonempty_and_pipe)
{
	struct aio_stream *s = paired();
	ck_assert_int_eq(write(sv[1], bulk, 20000), 20000);
	RUN_UNTIL(input_len(s) == 20000);
	aio_stream_defer_reads(s, 1);
	ck_assert_int_eq(write(sv[1], bulk + 20000, 1000), 1000);
	RUN_UNTIL(input_len(s) == 21000);
	check_pattern(aio_buf_peek(aio_stream_input(s)), 21000, 0);
	aio_stream_defer_reads(s, 0);

	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	struct stream_probe rp = {.fd_at_close = -2};
	struct aio_stream *r = stream_make(fds[0], AIO_STREAM_NO_WRITE, &rp);
	aio_stream_defer_reads(r, 1);
	peer_write(fds[1], "piped");
	RUN_UNTIL(input_len(r) == 5);
	check_input(r, "piped");
	release(&rp);
	close(fds[1]);
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

/*
 * A session in memory in place of OpenSSL, so a test decides what it
 * holds: plaintext the "peer" sent, already taken off the socket (which
 * polling cannot see), and whether the "socket" takes ciphertext.
 */
struct fake_session {
	const char *records[4];	/* what each read returns, in turn */
	int next;
	int blocked;		/* written ciphertext stays unsent */
	size_t unsent;
};

static struct fake_session fake;

static struct aio_tlsconn *fake_open(const struct aio_tls_opts *o, int fd, struct aio_buf *early_in,
				     struct aio_buf *early_out, int *err)
{
	(void)o, (void)fd, (void)early_in, (void)early_out, (void)err;
	return (struct aio_tlsconn *)&fake;
}

static void fake_free(struct aio_tlsconn *t)
{
	(void)t;
}

static int fake_handshake(struct aio_tlsconn *t)
{
	(void)t;
	return 1;
}

static ssize_t fake_read(struct aio_tlsconn *t, void *buf, size_t n)
{
	(void)t;
	const char *r = fake.records[fake.next];
	if (!r)
		return -EAGAIN;
	fake.next++;
	size_t len = strlen(r);
	ck_assert_uint_le(len, n);
	memcpy(buf, r, len);
	return (ssize_t)len;
}

static int fake_write(struct aio_tlsconn *t, const void *p, size_t n)
{
	(void)t, (void)p;
	if (fake.blocked)
		fake.unsent += n;
	return 0;
}

static size_t fake_unsent(const struct aio_tlsconn *t)
{
	(void)t;
	return fake.unsent;
}

static int fake_flush(struct aio_tlsconn *t)
{
	(void)t;
	if (!fake.blocked)
		fake.unsent = 0;
	return 0;
}

static int fake_has_input(const struct aio_tlsconn *t)
{
	(void)t;
	return fake.records[fake.next] != NULL;
}

static int fake_shutdown(struct aio_tlsconn *t)
{
	(void)t;
	return 1;
}

static int fake_peer_closed(const struct aio_tlsconn *t)
{
	(void)t;
	return 1;
}

static SSL *fake_ssl(const struct aio_tlsconn *t)
{
	(void)t;
	return NULL;
}

static const struct aio_tls_failure *fake_failure(const struct aio_tlsconn *t)
{
	(void)t;
	static const struct aio_tls_failure none;
	return &none;
}

static const struct aio_tls_ops fake_ops = {
	.open = fake_open,
	.free = fake_free,
	.handshake = fake_handshake,
	.read = fake_read,
	.write = fake_write,
	.unsent = fake_unsent,
	.flush = fake_flush,
	.has_input = fake_has_input,
	.shutdown = fake_shutdown,
	.peer_closed = fake_peer_closed,
	.ssl = fake_ssl,
	.failure = fake_failure,
};

/* Plaintext the session holds is fed to the watcher as a read; a write
 * that then waits for the socket restarts the watcher, and libev's
 * ev_io_stop drops a pending event, fed or not: the read never came, and
 * a pipelined request sat in the session until more bytes arrived. */
START_TEST(test_stream_bug_write_drops_fed_read)
{
	fake = (struct fake_session){.records = {"one.", "two."}};
	aio_stream_set_tls(&fake_ops);
	struct aio_stream *s = paired();
	aio_stream_set_read_high(s, 4);
	struct aio_tls_opts o = {.server = 1};
	ck_assert_int_eq(aio_stream_start_tls(s, &o), 0);
	RUN_UNTIL(seen.reads == 1);
	check_input(s, "one.");
	/* "two." waits in the session; consuming feeds its read. */
	aio_stream_consume(s, 4);
	fake.blocked = 1;
	ck_assert_int_eq(aio_stream_write(s, "answer", 6), 0);
	ck_assert_uint_eq(aio_stream_write_pending(s), 6);
	turns(5);
	ck_assert_msg(seen.reads == 2, "the fed read was lost to the write's watch");
	check_input(s, "two.");
	fake.blocked = 0;
	aio_stream_abort(s);
	RUN_UNTIL(seen.closes == 1);
}
END_TEST

/* The records of one event go straight into the input, in order; a read
 * after the first that finds nothing grows nothing: the input stays the
 * size of the one record that came (it was grown for a second record, the
 * first copied over, every time). */
START_TEST(test_stream_tls_records_into_input)
{
	enum { RECORD = 16384 };
	static char a[RECORD + 1], b[RECORD + 1];
	memset(a, 'a', RECORD);
	memset(b, 'b', RECORD);
	fake = (struct fake_session){.records = {a}};
	aio_stream_set_tls(&fake_ops);
	struct aio_stream *s = paired();
	struct aio_tls_opts o = {.server = 1};
	ck_assert_int_eq(aio_stream_start_tls(s, &o), 0);
	RUN_UNTIL(seen.reads == 1);
	struct aio_buf *in = aio_stream_input(s);
	ck_assert_uint_eq(aio_buf_len(in), RECORD);
	ck_assert_uint_eq(in->cap, RECORD);
	aio_stream_consume(s, RECORD);
	ck_assert_ptr_null(in->data);

	/* Three records at once, the second and third copied in from the
	 * spare block: all of them, in order. */
	fake = (struct fake_session){.records = {a, b, "tail"}};
	aio_stream_set_read_high(s, SIZE_MAX);	/* polls the session again */
	RUN_UNTIL(seen.reads == 2);
	ck_assert_uint_eq(aio_buf_len(in), 2 * RECORD + 4);
	const char *p = aio_buf_peek(in);
	ck_assert(p[0] == 'a' && p[RECORD - 1] == 'a');
	ck_assert(p[RECORD] == 'b' && p[2 * RECORD - 1] == 'b');
	ck_assert(memcmp(p + 2 * RECORD, "tail", 4) == 0);
	aio_stream_abort(s);
	RUN_UNTIL(seen.closes == 1);
}
END_TEST

Suite *stream_suite(void)
{
	pattern_fill();
	Suite *s = suite_create("stream");
	TCase *tc = check_tcase(s, "read", pair_setup, pair_teardown, 5);
	tcase_add_test(tc, test_stream_read_delivers_input);
	tcase_add_test(tc, test_stream_read_holds_no_idle_buffer);
	tcase_add_test(tc, test_stream_read_eof);
	tcase_add_test(tc, test_stream_read_high_pauses);
	tcase_add_test(tc, test_stream_new_sets_nonblocking);
	tcase_add_test(tc, test_stream_new_nonblock_flag_trusts_caller);
	tcase_add_test(tc, test_stream_new_bad_fd);
	tcase_add_test(tc, test_stream_defer_reads);
	tcase_add_test(tc, test_stream_defer_reads_error);
	tcase_add_test(tc, test_stream_defer_reads_nonempty_and_pipe);

	tc = check_tcase(s, "write", pair_setup, pair_teardown, 5);
	tcase_add_test(tc, test_stream_write_immediate);
	tcase_add_test(tc, test_stream_write_buffered);
	tcase_add_test(tc, test_stream_shutdown_after_pending);
	tcase_add_test(tc, test_stream_shutdown_immediate);

	tc = check_tcase(s, "close", pair_setup, pair_teardown, 5);
	tcase_add_test(tc, test_stream_close_idle);
	tcase_add_test(tc, test_stream_close_flushes);
	tcase_add_test(tc, test_stream_abort_drops_output);
	tcase_add_test(tc, test_stream_abort_while_closing);
	tcase_add_test(tc, test_stream_close_in_handler);
	tcase_add_test(tc, test_stream_release_in_handler);
	tcase_add_test(tc, test_stream_release_open);
	tcase_add_test(tc, test_stream_release_flushes);

	tc = check_tcase(s, "loop", pair_setup, pair_teardown, 5);
	tcase_add_test(tc, test_stream_loop_never_held);
	tcase_add_test(tc, test_stream_loop_free_first);
	tcase_add_test(tc, test_stream_loop_free_frees_released);

	tc = check_tcase(s, "pipe", pair_setup, pair_teardown, 5);
	tcase_add_test(tc, test_stream_pipe_ends);
	tcase_add_test(tc, test_stream_pipe_buffered);
	tcase_add_test(tc, test_stream_pipe_reader_gone);

	tc = check_tcase(s, "regressions", pair_setup, pair_teardown, 5);
	tcase_add_test(tc, test_stream_bug_shutdown_read_end);
	tcase_add_test(tc, test_stream_bug_write_drops_fed_read);

	tc = check_tcase(s, "tls", pair_setup, pair_teardown, 5);
	tcase_add_test(tc, test_stream_tls_records_into_input);
	return s;
}
