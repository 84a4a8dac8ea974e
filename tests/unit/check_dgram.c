/* check_dgram.c -- Check tests for runtime/dgram.c: whole datagrams, truncation, readiness only while watched, ICMP errors, detach */
#include "check_runtime.h"
#include "check_util.h"
#include "dgram.h"
#include "loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* What the callback saw. */
static int calls;
static int last_events;
static int unwatch_in_fn;

static void on_ready(struct aio_dgram *d, int events, void *udata)
{
	ck_assert_ptr_eq(udata, &calls);
	calls++;
	last_events = events;
	if (unwatch_in_fn)
		aio_dgram_watch(d, 0);
}

static void dgram_setup(void)
{
	loop_setup();
	calls = 0;
	last_events = 0;
	unwatch_in_fn = 0;
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in in;
	memset(&in, 0, sizeof in);
	in.sin_family = AF_INET;
	in.sin_port = htons((uint16_t)port);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return in;
}

/* An endpoint bound to 127.0.0.1 at a port the kernel picks, into *addr. */
static struct aio_dgram *bound(struct sockaddr_in *addr)
{
	struct sockaddr_in any = loopback(0);
	int fd = aio_dgram_socket(AF_INET, (struct sockaddr *)&any, sizeof any, NULL, 0, 0);
	ck_assert_int_ge(fd, 0);
	check_fd_flags(fd);
	socklen_t len = sizeof *addr;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)addr, &len), 0);
	int err = 0;
	struct aio_dgram *d = aio_dgram_new(loop, fd, on_ready, &calls, &err);
	ck_assert_msg(d != NULL, "aio_dgram_new: %s", strerror(-err));
	ck_assert(aio_loop_owns_fd(loop, fd));
	return d;
}

START_TEST(test_dgram_round_trip)
{
	struct sockaddr_in a_addr, b_addr, from;
	struct aio_dgram *a = bound(&a_addr), *b = bound(&b_addr);
	char buf[16];
	int truncated = 1;
	ck_assert_int_eq(aio_dgram_recv(b, buf, sizeof buf, NULL, NULL, &truncated), -EAGAIN);
	ck_assert_int_eq(aio_dgram_send(a, "hello", 5, (struct sockaddr *)&b_addr, sizeof b_addr), 0);
	ck_assert_int_eq(aio_dgram_send(a, "", 0, (struct sockaddr *)&b_addr, sizeof b_addr), 0);
	struct sockaddr_storage ss;
	socklen_t len = 0;
	wait_readable(aio_dgram_fd(b));
	ck_assert_int_eq(aio_dgram_recv(b, buf, sizeof buf, &ss, &len, &truncated), 5);
	ck_assert_int_eq(truncated, 0);
	ck_assert_mem_eq(buf, "hello", 5);
	memcpy(&from, &ss, sizeof from);
	ck_assert_int_eq(len, sizeof from);
	ck_assert_int_eq(from.sin_port, a_addr.sin_port);
	/* The empty datagram is one too. */
	ck_assert_int_eq(aio_dgram_recv(b, buf, sizeof buf, NULL, NULL, &truncated), 0);
	ck_assert_int_eq(aio_dgram_recv(b, buf, sizeof buf, NULL, NULL, &truncated), -EAGAIN);
	aio_dgram_close(a);
	aio_dgram_close(b);
}
END_TEST

START_TEST(test_dgram_truncated)
{
	struct sockaddr_in a_addr, b_addr;
	struct aio_dgram *a = bound(&a_addr), *b = bound(&b_addr);
	char buf[4];
	int truncated = 0;
	ck_assert_int_eq(aio_dgram_send(a, "0123456789", 10, (struct sockaddr *)&b_addr, sizeof b_addr), 0);
	ck_assert_int_eq(aio_dgram_send(a, "abcd", 4, (struct sockaddr *)&b_addr, sizeof b_addr), 0);
	wait_readable(aio_dgram_fd(b));
	ck_assert_int_eq(aio_dgram_recv(b, buf, sizeof buf, NULL, NULL, &truncated), 4);
	ck_assert_int_eq(truncated, 1);
	ck_assert_mem_eq(buf, "0123", 4);
	/* Exactly the size: whole. */
	ck_assert_int_eq(aio_dgram_recv(b, buf, sizeof buf, NULL, NULL, &truncated), 4);
	ck_assert_int_eq(truncated, 0);
	aio_dgram_close(a);
	aio_dgram_close(b);
}
END_TEST

/* Nothing watched: no callback, and the loop is not held; watched: one
 * callback a turn while readable. */
START_TEST(test_dgram_watch_only_when_asked)
{
	struct sockaddr_in a_addr, b_addr;
	struct aio_dgram *a = bound(&a_addr), *b = bound(&b_addr);
	ck_assert_int_eq(aio_dgram_send(a, "x", 1, (struct sockaddr *)&b_addr, sizeof b_addr), 0);
	wait_readable(aio_dgram_fd(b));
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	turns(3);
	ck_assert_int_eq(calls, 0);
	aio_dgram_watch(b, AIO_DGRAM_READABLE);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	turn();
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(last_events, AIO_DGRAM_READABLE);
	turn();
	ck_assert_int_eq(calls, 2);	/* level-triggered: still unread */
	unwatch_in_fn = 1;
	turn();
	ck_assert_int_eq(calls, 3);
	turns(2);
	ck_assert_int_eq(calls, 3);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_dgram_close(a);
	aio_dgram_close(b);
}
END_TEST

/* A connected socket hears "port unreachable" once, as -ECONNREFUSED. */
START_TEST(test_dgram_connected_refused)
{
	struct sockaddr_in gone_addr;
	struct aio_dgram *gone = bound(&gone_addr);
	aio_dgram_close(gone);
	int fd = aio_dgram_socket(AF_INET, NULL, 0, (struct sockaddr *)&gone_addr, sizeof gone_addr, 0);
	ck_assert_int_ge(fd, 0);
	int err = 0;
	struct aio_dgram *d = aio_dgram_new(loop, fd, on_ready, &calls, &err);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(aio_dgram_send(d, "x", 1, NULL, 0), 0);
	aio_dgram_watch(d, AIO_DGRAM_READABLE);
	RUN_UNTIL_WITHIN(500, calls > 0, (void)0);
	char buf[4];
	int truncated;
	ck_assert_int_eq(aio_dgram_recv(d, buf, sizeof buf, NULL, NULL, &truncated), -ECONNREFUSED);
	ck_assert_int_eq(aio_dgram_recv(d, buf, sizeof buf, NULL, NULL, &truncated), -EAGAIN);
	aio_dgram_close(d);
}
END_TEST

/* Detach gives the descriptor back open and no longer owned: another
 * endpoint takes it over, and what waited in it is still there. */
START_TEST(test_dgram_detach)
{
	struct sockaddr_in a_addr, b_addr;
	struct aio_dgram *a = bound(&a_addr), *b = bound(&b_addr);
	aio_dgram_watch(b, AIO_DGRAM_READABLE);
	ck_assert_int_eq(aio_dgram_send(a, "kept", 4, (struct sockaddr *)&b_addr, sizeof b_addr), 0);
	int fd = aio_dgram_detach(b);
	ck_assert_int_ge(fcntl(fd, F_GETFD), 0);
	ck_assert(!aio_loop_owns_fd(loop, fd));
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	int err = 0;
	struct aio_dgram *c = aio_dgram_new(loop, fd, on_ready, &calls, &err);
	ck_assert_ptr_nonnull(c);
	char buf[8];
	int truncated;
	wait_readable(fd);
	ck_assert_int_eq(aio_dgram_recv(c, buf, sizeof buf, NULL, NULL, &truncated), 4);
	aio_dgram_close(a);
	aio_dgram_close(c);
	ck_assert_int_lt(fcntl(fd, F_GETFD), 0);
}
END_TEST

/* A Unix datagram socket: a stale socket file at the path goes; another
 * kind of file there is EADDRINUSE; a full peer queue is -EAGAIN and
 * wakes the sender once read. */
START_TEST(test_dgram_unix)
{
	char dir[TEMP_DIR_SIZE];
	temp_dir_make(dir, "check_dgram");
	struct sockaddr_un un;
	memset(&un, 0, sizeof un);
	un.sun_family = AF_UNIX;
	snprintf(un.sun_path, sizeof un.sun_path, "%s/s", dir);
	int first = aio_dgram_socket(AF_UNIX, (struct sockaddr *)&un, sizeof un, NULL, 0, 0);
	ck_assert_int_ge(first, 0);
	close(first);	/* its socket file stays: stale */
	int fd = aio_dgram_socket(AF_UNIX, (struct sockaddr *)&un, sizeof un, NULL, 0, 0);
	ck_assert_int_ge(fd, 0);
	int err = 0;
	struct aio_dgram *r = aio_dgram_new(loop, fd, on_ready, &calls, &err);
	int sfd = aio_dgram_socket(AF_UNIX, NULL, 0, (struct sockaddr *)&un, sizeof un, 0);
	ck_assert_int_ge(sfd, 0);
	struct aio_dgram *s = aio_dgram_new(loop, sfd, on_ready, &calls, &err);
	int sent = 0, rc;
	while ((rc = aio_dgram_send(s, "m", 1, NULL, 0)) == 0)
		sent++;
	ck_assert_int_eq(rc, -EAGAIN);
	ck_assert_int_gt(sent, 0);
	aio_dgram_watch(s, AIO_DGRAM_WRITABLE);
	turns(2);
	ck_assert_int_eq(calls, 0);
	char buf[4];
	int truncated;
	ck_assert_int_eq(aio_dgram_recv(r, buf, sizeof buf, NULL, NULL, &truncated), 1);
	RUN_UNTIL_WITHIN(500, calls > 0, (void)0);
	ck_assert_int_eq(last_events, AIO_DGRAM_WRITABLE);
	aio_dgram_close(s);
	aio_dgram_close(r);
	char file[TEMP_DIR_SIZE + 4];
	snprintf(file, sizeof file, "%s/f", dir);
	close(open(file, O_CREAT | O_WRONLY, 0600));
	snprintf(un.sun_path, sizeof un.sun_path, "%s", file);
	ck_assert_int_eq(aio_dgram_socket(AF_UNIX, (struct sockaddr *)&un, sizeof un, NULL, 0, 0),
			 -EADDRINUSE);
	temp_dir_remove(dir);
}
END_TEST

START_TEST(test_dgram_address_in_use)
{
	struct sockaddr_in a_addr;
	struct aio_dgram *a = bound(&a_addr);
	ck_assert_int_eq(aio_dgram_socket(AF_INET, (struct sockaddr *)&a_addr, sizeof a_addr, NULL, 0, 0),
			 -EADDRINUSE);
	/* Both with SO_REUSEPORT: shared. */
	struct sockaddr_in any = loopback(0);
	int x = aio_dgram_socket(AF_INET, (struct sockaddr *)&any, sizeof any, NULL, 0, AIO_DGRAM_REUSE_PORT);
	ck_assert_int_ge(x, 0);
	socklen_t len = sizeof any;
	getsockname(x, (struct sockaddr *)&any, &len);
	int y = aio_dgram_socket(AF_INET, (struct sockaddr *)&any, sizeof any, NULL, 0, AIO_DGRAM_REUSE_PORT);
	ck_assert_int_ge(y, 0);
	ck_assert_int_eq(sockopt(y, SOL_SOCKET, SO_REUSEPORT), 1);
	close(x);
	close(y);
	aio_dgram_close(a);
}
END_TEST

/* The loop goes first: the endpoint is left closed, usable as one. */
START_TEST(test_dgram_loop_free_first)
{
	struct sockaddr_in a_addr;
	struct aio_dgram *a = bound(&a_addr);
	aio_dgram_watch(a, AIO_DGRAM_READABLE);
	loop_free_now();
	ck_assert_int_eq(aio_dgram_fd(a), -1);
	char buf[4];
	int truncated;
	ck_assert_int_eq(aio_dgram_recv(a, buf, sizeof buf, NULL, NULL, &truncated), -EBADF);
	ck_assert_int_eq(aio_dgram_send(a, "x", 1, NULL, 0), -EBADF);
	aio_dgram_watch(a, 0);
	ck_assert_int_eq(aio_dgram_detach(a), -1);
}
END_TEST

Suite *dgram_suite(void)
{
	Suite *s = suite_create("dgram");
	TCase *tc = check_tcase(s, "core", dgram_setup, loop_teardown, 5);
	tcase_add_test(tc, test_dgram_round_trip);
	tcase_add_test(tc, test_dgram_truncated);
	tcase_add_test(tc, test_dgram_watch_only_when_asked);
	tcase_add_test(tc, test_dgram_connected_refused);
	tcase_add_test(tc, test_dgram_detach);
	tcase_add_test(tc, test_dgram_unix);
	tcase_add_test(tc, test_dgram_address_in_use);
	tcase_add_test(tc, test_dgram_loop_free_first);
	return s;
}
