/* check_listener.c -- Check tests for runtime/listener.c: accepting, batches, pausing when out of descriptors, detaching */
#include "check_runtime.h"
#include "check_util.h"
#include "listener.h"
#include "sock.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* What the accept callback got; the fixture resets it and closes them. */
#define ACCEPTED_MAX 256
static int accepted[ACCEPTED_MAX];
static int accepted_len;
static int token;
static int close_in_callback;	/* the callback closes its listener */

static void on_accept(struct aio_listener *l, int fd)
{
	ck_assert_ptr_eq(aio_listener_udata(l), &token);
	if (accepted_len == ACCEPTED_MAX)
		ck_abort_msg("more connections than the test made");
	accepted[accepted_len++] = fd;
	if (close_in_callback)
		aio_listener_close(l);
}

/* About a second of turns: a client is accepted in a few. */
#define RUN_UNTIL(cond) RUN_UNTIL_WITHIN(500, cond, (void)0)

/* The fixture loop, with nothing accepted yet. */
static void listener_setup(void)
{
	loop_setup();
	accepted_len = 0;
	close_in_callback = 0;
}

static void listener_teardown(void)
{
	for (int i = 0; i < accepted_len; i++)
		close(accepted[i]);
	loop_teardown();
}

static struct aio_listener *listener_make(int fd, double retry_delay)
{
	int err = 0;
	struct aio_listener *l = aio_listener_new(loop, fd, retry_delay, on_accept, &token, &err);
	ck_assert_msg(l != NULL, "aio_listener_new: %s", strerror(-err));
	ck_assert_int_eq(aio_listener_fd(l), fd);
	ck_assert_ptr_eq(aio_listener_udata(l), &token);
	ck_assert(!aio_listener_paused(l));
	return l;
}

/* accept */

START_TEST(test_listener_accepts_tcp)
{
	struct sockaddr_in addr;
	int fd = tcp_listen(&addr, 16);
	struct aio_listener *l = listener_make(fd, 0.02);
	/* A listener is something that can still happen. */
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	int client = connect_blocking(&addr, sizeof addr);
	ck_assert_int_ge(client, 0);
	ck_assert_int_eq(accepted_len, 0);
	RUN_UNTIL(accepted_len == 1);
	int conn = accepted[0];
	check_fd_flags(conn);
	ck_assert_int_ne(sockopt(conn, IPPROTO_TCP, TCP_NODELAY), 0);
	/* It is the client's connection. */
	char host[64], peer_host[64];
	int port = 0, peer_port = 0;
	ck_assert_int_eq(aio_sock_address(client, 0, host, sizeof host, &port), 0);
	ck_assert_int_eq(aio_sock_address(conn, 1, peer_host, sizeof peer_host, &peer_port), 0);
	ck_assert_str_eq(peer_host, host);
	ck_assert_int_eq(peer_port, port);
	ck_assert_int_eq(write(client, "hi", 2), 2);
	char got[4];
	for (int i = 0; i < 100 && read(conn, got, sizeof got) < 0; i++)
		turn();
	ck_assert_int_eq(memcmp(got, "hi", 2), 0);
	close(client);
	aio_listener_close(l);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

START_TEST(test_listener_accepts_unix)
{
	char dir[TEMP_DIR_SIZE], path[TEMP_DIR_SIZE + 8];
	temp_dir_make(dir, "check_listener");
	snprintf(path, sizeof path, "%s/s", dir);
	int fd = aio_sock_listen_unix(path, 8);
	ck_assert_int_ge(fd, 0);
	struct aio_listener *l = listener_make(fd, 0.02);
	struct sockaddr_storage ss;
	socklen_t len;
	ck_assert_int_eq(aio_sock_unix_address(path, &ss, &len), 0);
	int clients[3];
	for (int i = 0; i < 3; i++)
		ck_assert_int_ge(clients[i] = connect_blocking(&ss, len), 0);
	RUN_UNTIL(accepted_len == 3);
	for (int i = 0; i < 3; i++) {
		check_fd_flags(accepted[i]);
		close(clients[i]);
	}
	aio_listener_close(l);
	temp_dir_remove(dir);
}
END_TEST

/* Many waiting connections are taken a batch per turn, not all at once, so
 * one busy listener cannot starve the rest of the loop; none is lost. */
START_TEST(test_listener_batches)
{
	enum { CLIENTS = 150 };
	struct sockaddr_in addr;
	int fd = tcp_listen(&addr, CLIENTS);
	struct aio_listener *l = listener_make(fd, 0.02);
	int clients[CLIENTS];
	for (int i = 0; i < CLIENTS; i++)
		ck_assert_int_ge(clients[i] = connect_blocking(&addr, sizeof addr), 0);
	RUN_UNTIL(accepted_len > 0);
	ck_assert_int_lt(accepted_len, CLIENTS);
	RUN_UNTIL(accepted_len == CLIENTS);
	for (int i = 0; i < CLIENTS; i++)
		close(clients[i]);
	aio_listener_close(l);
}
END_TEST

START_TEST(test_listener_new_not_a_socket)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	int err = 0;
	ck_assert_ptr_null(aio_listener_new(loop, p[0], 0.02, on_accept, &token, &err));
	ck_assert_int_eq(err, -ENOTSOCK);
	/* The descriptor stays open, the caller's. */
	ck_assert_int_ge(fcntl(p[0], F_GETFD), 0);
	close(p[0]);
	close(p[1]);
	ck_assert_ptr_null(aio_listener_new(loop, p[0], 0.02, on_accept, &token, &err));
	ck_assert_int_eq(err, -EBADF);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

/* close */

START_TEST(test_listener_close_refuses)
{
	struct sockaddr_in addr;
	int fd = tcp_listen(&addr, 16);
	struct aio_listener *l = listener_make(fd, 0.02);
	ck_assert(aio_loop_owns_fd(loop, fd));
	aio_listener_close(l);
	ck_assert(!aio_loop_owns_fd(loop, fd));
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(connect_blocking(&addr, sizeof addr), -ECONNREFUSED);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(accepted_len, 0);
}
END_TEST

/* A loop freed first stops and closes the listener; close then frees it. */
START_TEST(test_listener_loop_free_first)
{
	struct sockaddr_in addr;
	int fd = tcp_listen(&addr, 16);
	struct aio_listener *l = listener_make(fd, 0.02);
	loop_free_now();
	ck_assert_int_eq(aio_listener_fd(l), -1);
	ck_assert(!aio_listener_paused(l));
	ck_assert_int_eq(connect_blocking(&addr, sizeof addr), -ECONNREFUSED);
	aio_listener_close(l);
}
END_TEST

/* out of descriptors */

static struct rlimit saved_limit;

/* Lowers the soft limit to the lowest free descriptor: none is left. */
static void descriptors_exhaust(void)
{
	int lowest = dup(0);
	ck_assert_int_ge(lowest, 0);
	close(lowest);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved_limit), 0);
	struct rlimit low = saved_limit;
	low.rlim_cur = (rlim_t)lowest;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	ck_assert_int_eq(dup(0), -1);
	ck_assert_int_eq(errno, EMFILE);
}

static void descriptors_restore(void)
{
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved_limit), 0);
}

/* A listener on addr with a client waiting, paused at its first try: no
 * descriptor is left until descriptors_restore. */
static struct aio_listener *listener_paused(double retry_delay, struct sockaddr_in *addr,
					    int *client)
{
	int fd = tcp_listen(addr, 16);
	struct aio_listener *l = listener_make(fd, retry_delay);
	*client = connect_blocking(addr, sizeof *addr);
	ck_assert_int_ge(*client, 0);
	descriptors_exhaust();
	aio_loop_run_once(loop);
	ck_assert(aio_listener_paused(l));
	return l;
}

/*
 * With no descriptor left, accepting pauses: the loop sleeps out the retry
 * delay instead of waking for the waiting connection over and over. Once
 * descriptors are back, the connection is taken at the next retry.
 */
START_TEST(test_listener_emfile_pauses)
{
	const double retry = 0.02;
	struct sockaddr_in addr;
	int client;
	struct aio_listener *l = listener_paused(retry, &addr, &client);
	ck_assert_int_eq(accepted_len, 0);
	/* The retry timer holds the loop while paused. */
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	double start = aio_loop_time(loop);
	int turns = 0;
	while (aio_loop_time(loop) - start < 0.05) {
		aio_loop_run_once(loop);
		turns++;
	}
	/* A try per retry delay, each a few turns: some, not thousands. */
	ck_assert_int_le(turns, 25);
	ck_assert_int_eq(accepted_len, 0);
	descriptors_restore();
	start = aio_loop_time(loop);
	while (accepted_len == 0 && aio_loop_time(loop) - start < 1)
		aio_loop_run_once(loop);
	ck_assert_int_eq(accepted_len, 1);
	ck_assert_double_lt(aio_loop_time(loop) - start, retry + 0.1);
	ck_assert(!aio_listener_paused(l));
	check_fd_flags(accepted[0]);
	/* And it goes on accepting. */
	int second = connect_blocking(&addr, sizeof addr);
	RUN_UNTIL(accepted_len == 2);
	close(second);
	close(client);
	aio_listener_close(l);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

/* Closed while paused: the retry timer goes with it. */
START_TEST(test_listener_emfile_close_while_paused)
{
	struct sockaddr_in addr;
	int client;
	struct aio_listener *l = listener_paused(0.02, &addr, &client);
	aio_listener_close(l);
	descriptors_restore();
	ck_assert_int_eq(aio_loop_timer_count(loop), 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	close(client);
}
END_TEST

/* The loop freed while paused: the timer is dropped, the socket closed. */
START_TEST(test_listener_emfile_loop_free_while_paused)
{
	struct sockaddr_in addr;
	int client;
	struct aio_listener *l = listener_paused(0.02, &addr, &client);
	descriptors_restore();
	loop_free_now();
	ck_assert_int_eq(aio_listener_fd(l), -1);
	ck_assert(!aio_listener_paused(l));
	aio_listener_close(l);
	close(client);
}
END_TEST

/* detach */

/* The port the peer of conn connects from, to tell connections apart. */
static int peer_port(int conn)
{
	char host[64];
	int port = 0;
	ck_assert_int_eq(aio_sock_address(conn, 1, host, sizeof host, &port), 0);
	return port;
}

static int local_port(int client)
{
	char host[64];
	int port = 0;
	ck_assert_int_eq(aio_sock_address(client, 0, host, sizeof host, &port), 0);
	return port;
}

/* Detach hands back the same socket, open and listening: a client still
 * connects and waits in the backlog, and the freed listener accepts no
 * more (ASan would see it read itself). */
START_TEST(test_listener_detach_keeps_socket)
{
	struct sockaddr_in addr;
	int fd = tcp_listen(&addr, 16);
	struct aio_listener *l = listener_make(fd, 0.02);
	ck_assert_int_eq(aio_listener_detach(l), fd);
	/* A detached socket is its holder's again. */
	ck_assert(!aio_loop_owns_fd(loop, fd));
	ck_assert_int_ge(fcntl(fd, F_GETFD), 0);
	ck_assert_int_ne(sockopt(fd, SOL_SOCKET, SO_ACCEPTCONN), 0);
	/* It no longer holds the loop. */
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	int client = connect_blocking(&addr, sizeof addr);
	ck_assert_int_ge(client, 0);
	for (int i = 0; i < 10; i++)
		turn();
	ck_assert_int_eq(accepted_len, 0);
	int conn = accept_one(fd);
	ck_assert_int_eq(peer_port(conn), local_port(client));
	close(conn);
	close(client);
	close(fd);
}
END_TEST

/*
 * The handover of a reload: connections made before the detach (never
 * accepted) and between it and the new listener all reach the new one,
 * which takes the socket at once or after turns of the loop.
 */
static void detach_handover(int turns_between)
{
	enum { BEFORE = 3, BETWEEN = 2 };
	struct sockaddr_in addr;
	int fd = tcp_listen(&addr, 16);
	struct aio_listener *l = listener_make(fd, 0.02);
	int clients[BEFORE + BETWEEN];
	for (int i = 0; i < BEFORE; i++)
		ck_assert_int_ge(clients[i] = connect_blocking(&addr, sizeof addr), 0);
	ck_assert_int_eq(aio_listener_detach(l), fd);
	for (int i = BEFORE; i < BEFORE + BETWEEN; i++)
		ck_assert_int_ge(clients[i] = connect_blocking(&addr, sizeof addr), 0);
	turns(turns_between);
	ck_assert_int_eq(accepted_len, 0);
	l = listener_make(fd, 0.02);
	RUN_UNTIL(accepted_len == BEFORE + BETWEEN);
	/* Each client once, in the order they connected. */
	for (int i = 0; i < BEFORE + BETWEEN; i++)
		ck_assert_int_eq(peer_port(accepted[i]), local_port(clients[i]));
	int late = connect_blocking(&addr, sizeof addr);
	RUN_UNTIL(accepted_len == BEFORE + BETWEEN + 1);
	close(late);
	for (int i = 0; i < BEFORE + BETWEEN; i++)
		close(clients[i]);
	aio_listener_close(l);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}

START_TEST(test_listener_detach_handover_at_once)
{
	detach_handover(0);
}
END_TEST

START_TEST(test_listener_detach_handover_after_turns)
{
	detach_handover(5);
}
END_TEST

/* Detached while paused for lack of descriptors: its retry timer goes
 * too (it would run on the freed listener), and the client waiting in the
 * backlog is the next listener's. The retry delay is long enough that a
 * loaded machine does not resume accepting within the pausing turn. */
START_TEST(test_listener_detach_paused)
{
	const double retry = 0.2;
	struct sockaddr_in addr;
	int client;
	struct aio_listener *l = listener_paused(retry, &addr, &client);
	int fd = aio_listener_fd(l);
	ck_assert_int_eq(aio_listener_detach(l), fd);
	descriptors_restore();
	ck_assert_int_eq(aio_loop_timer_count(loop), 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	double start = aio_loop_time(loop);
	while (aio_loop_time(loop) - start < 1.25 * retry)
		turn();
	ck_assert_int_eq(accepted_len, 0);
	ck_assert_int_ge(fcntl(fd, F_GETFD), 0);
	l = listener_make(fd, retry);
	RUN_UNTIL(accepted_len == 1);
	ck_assert_int_eq(peer_port(accepted[0]), local_port(client));
	close(client);
	aio_listener_close(l);
}
END_TEST

/* After the loop went away, which closed the socket, detach has none to
 * give: -1, and it frees the listener. */
START_TEST(test_listener_detach_after_loop_gone)
{
	struct sockaddr_in addr;
	int fd = tcp_listen(&addr, 16);
	struct aio_listener *l = listener_make(fd, 0.02);
	loop_free_now();
	ck_assert_int_eq(aio_listener_detach(l), -1);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(connect_blocking(&addr, sizeof addr), -ECONNREFUSED);
}
END_TEST

/* Regressions: bugs these tests found, each fixed since. */

/* The callback closes (frees) its listener while more connections wait:
 * accept_cb then reads l->accepting and l->fd of the freed listener
 * (heap-use-after-free under ASan) and may even accept on a closed or
 * reused descriptor. Closing a listener from its own callback is what a
 * server that takes one connection does. */
START_TEST(test_listener_bug_close_in_callback)
{
	struct sockaddr_in addr;
	int fd = tcp_listen(&addr, 16);
	listener_make(fd, 0.02);
	close_in_callback = 1;
	int clients[3];
	for (int i = 0; i < 3; i++)
		ck_assert_int_ge(clients[i] = connect_blocking(&addr, sizeof addr), 0);
	RUN_UNTIL(accepted_len > 0);
	turn();
	ck_assert_int_eq(accepted_len, 1);
	for (int i = 0; i < 3; i++)
		close(clients[i]);
}
END_TEST

/* aio_listener_new takes the descriptor as it is; a blocking one (say,
 * handed over by a service manager) makes accept_cb's batch block in
 * accept4 once the backlog is empty, and the whole loop hangs there. */
START_TEST(test_listener_bug_blocking_socket)
{
	struct sockaddr_in addr;
	int fd = tcp_listen(&addr, 16);
	ck_assert_int_eq(fcntl(fd, F_SETFL, 0), 0);
	struct aio_listener *l = listener_make(fd, 0.02);
	int client = connect_blocking(&addr, sizeof addr);
	RUN_UNTIL(accepted_len == 1);
	close(client);
	aio_listener_close(l);
}
END_TEST

Suite *listener_suite(void)
{
	Suite *s = suite_create("listener");
	TCase *tc = check_tcase(s, "accept", listener_setup, listener_teardown, 5);
	tcase_add_test(tc, test_listener_accepts_tcp);
	tcase_add_test(tc, test_listener_accepts_unix);
	tcase_add_test(tc, test_listener_batches);
	tcase_add_test(tc, test_listener_new_not_a_socket);

	tc = check_tcase(s, "close", listener_setup, listener_teardown, 5);
	tcase_add_test(tc, test_listener_close_refuses);
	tcase_add_test(tc, test_listener_loop_free_first);

	tc = check_tcase(s, "emfile", listener_setup, listener_teardown, 5);
	tcase_add_test(tc, test_listener_emfile_pauses);
	tcase_add_test(tc, test_listener_emfile_close_while_paused);
	tcase_add_test(tc, test_listener_emfile_loop_free_while_paused);

	tc = check_tcase(s, "detach", listener_setup, listener_teardown, 5);
	tcase_add_test(tc, test_listener_detach_keeps_socket);
	tcase_add_test(tc, test_listener_detach_handover_at_once);
	tcase_add_test(tc, test_listener_detach_handover_after_turns);
	tcase_add_test(tc, test_listener_detach_paused);
	tcase_add_test(tc, test_listener_detach_after_loop_gone);

	tc = check_tcase(s, "regressions", listener_setup, listener_teardown, 1);
	tcase_add_test(tc, test_listener_bug_close_in_callback);
	tcase_add_test(tc, test_listener_bug_blocking_socket);
	return s;
}
