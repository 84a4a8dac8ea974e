/* check_stream_connect.c -- Check tests for runtime/stream.c: connecting, and connections that fail */
#include "check_runtime.h"
#include "check_util.h"
#include "sock.h"
#include "stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Bulk transfers take many turns. */
#define RUN_UNTIL_STEP(cond, step) RUN_UNTIL_WITHIN(1000, cond, step)
#define RUN_UNTIL(cond) RUN_UNTIL_STEP(cond, (void)0)

/* Both ends of a loopback TCP connection, non-blocking. */
static void tcp_pair(int fds[2])
{
	struct sockaddr_in addr;
	int l = tcp_listen(&addr, 16);
	fds[0] = connect_blocking(&addr, sizeof addr);
	ck_assert_int_ge(fds[0], 0);
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
	int l = tcp_listen(&addr, 16);
	int err;
	struct aio_stream *s = connect_to(&addr, sizeof addr, &err);
	ck_assert_msg(s != NULL, "connect: %s", strerror(-err));
	int fd = aio_stream_fd(s);
	check_fd_flags(fd);
	ck_assert_int_ne(sockopt(fd, IPPROTO_TCP, TCP_NODELAY), 0);
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
	close(tcp_listen(&addr, 16));
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
	int l = tcp_listen(&addr, 16);
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
	int l = tcp_listen(&addr, 16);
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
	char dir[TEMP_DIR_SIZE], path[TEMP_DIR_SIZE + 8];
	temp_dir_make(dir, "check_stream");
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
	temp_dir_remove(dir);
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

/* Regressions: bugs these tests found, each fixed since. */

/* close() during a connect that then fails, with output pending:
 * connected() fails the stream, which drops the output and stops both
 * watchers, but only flush() finishes a closing stream, so CLOSED never
 * comes and the descriptor stays open until the loop is freed. */
START_TEST(test_stream_bug_close_while_connecting_refused)
{
	struct sockaddr_in addr;
	close(tcp_listen(&addr, 16));
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

Suite *stream_connect_suite(void)
{
	pattern_fill();
	Suite *s = suite_create("stream_connect");
	TCase *tc = check_tcase(s, "connect", pair_setup, pair_teardown, 5);
	tcase_add_test(tc, test_stream_connect_tcp);
	tcase_add_test(tc, test_stream_connect_refused);
	tcase_add_test(tc, test_stream_connect_write_while_connecting);
	tcase_add_test(tc, test_stream_connect_local_address);
	tcase_add_test(tc, test_stream_connect_unix);

	tc = check_tcase(s, "error", pair_setup, pair_teardown, 5);
	tcase_add_test(tc, test_stream_error_reset_mid_read);
	tcase_add_test(tc, test_stream_error_write_after_reset);
	tcase_add_test(tc, test_stream_error_write_closed_peer);
	tcase_add_test(tc, test_stream_error_flush_fails);
	tcase_add_test(tc, test_stream_error_close_flush_fails);

	tc = check_tcase(s, "regressions", pair_setup, pair_teardown, 5);
	tcase_add_test(tc, test_stream_bug_close_while_connecting_refused);
	return s;
}
