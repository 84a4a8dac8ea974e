/* check_fdwatch.c -- Check tests for runtime/fdwatch.c: readiness, deadlines, descriptors closed or reused while watched */
#include "check_runtime.h"
#include "check_util.h"
#include "fdwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <ev.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* What the watch's fn saw. */
static int calls;
static int last_err;
static int free_in_fn;

static void on_ready(struct aio_fdwatch *w, int err, void *udata)
{
	ck_assert_ptr_eq(udata, &calls);
	calls++;
	last_err = err;
	if (free_in_fn)
		aio_fdwatch_free(w);
}

static int p[2];

static void watch_setup(void)
{
	loop_setup();
	calls = 0;
	last_err = 1;
	free_in_fn = 0;
	ck_assert_int_eq(pipe(p), 0);
}

static void watch_teardown(void)
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	loop_teardown();
}

static struct aio_fdwatch *watch_make(int fd, int events)
{
	int err = 0;
	struct aio_fdwatch *w = aio_fdwatch_new(loop, fd, events, on_ready, &calls, &err);
	ck_assert_msg(w != NULL, "aio_fdwatch_new: %s", strerror(-err));
	ck_assert_int_eq(aio_fdwatch_fd(w), fd);
	return w;
}

/* Turns the loop until a timer delay seconds away fires; the turns it took. */
static struct aio_timer pace;
static int pace_fired;

static void pace_due(struct aio_call *call)
{
	(void)call;
	pace_fired = 1;
}

static int turns_for(double delay)
{
	int n = 0;
	pace_fired = 0;
	aio_timer_init(&pace);
	ck_assert_int_eq(aio_timer_start(loop, &pace, aio_loop_time(loop) + delay, pace_due), 0);
	while (!pace_fired) {
		aio_loop_run_once(loop);
		ck_assert_int_lt(++n, 100000);
	}
	return n;
}

START_TEST(test_fdwatch_level_triggered)
{
	struct aio_fdwatch *w = watch_make(p[0], AIO_FDWATCH_READ);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);	/* it holds the loop */
	turns(3);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	RUN_UNTIL_WITHIN(100, calls == 1, (void)0);
	ck_assert_int_eq(last_err, 0);
	turns(2);	/* still unread: called on each turn */
	ck_assert_int_eq(calls, 3);
	char c;
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	turns(3);
	ck_assert_int_eq(calls, 3);
	aio_fdwatch_free(w);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

START_TEST(test_fdwatch_writable)
{
	struct aio_fdwatch *w = watch_make(p[1], AIO_FDWATCH_WRITE);
	RUN_UNTIL_WITHIN(100, calls == 1, (void)0);
	ck_assert_int_eq(last_err, 0);
	aio_fdwatch_free(w);
}
END_TEST

/* epoll refuses regular files and /dev/null: they are ready on every turn,
 * as poll says, without holding the loop's poll for them. */
START_TEST(test_fdwatch_always_ready)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct aio_fdwatch *w = watch_make(fd, AIO_FDWATCH_READ);
	turns(3);
	ck_assert_int_ge(calls, 3);
	ck_assert_int_eq(last_err, 0);
	aio_fdwatch_free(w);
	int before = calls;
	turns(2);
	ck_assert_int_eq(calls, before);
	close(fd);
}
END_TEST

START_TEST(test_fdwatch_refuses)
{
	int err = 0;
	int closed = dup(p[0]);
	close(closed);
	ck_assert_ptr_null(aio_fdwatch_new(loop, closed, AIO_FDWATCH_READ, on_ready, &calls, &err));
	ck_assert_int_eq(err, -EBADF);
	ck_assert_ptr_null(aio_fdwatch_new(loop, -1, AIO_FDWATCH_READ, on_ready, &calls, &err));
	ck_assert_int_eq(err, -EBADF);
	ck_assert_int_eq(aio_loop_own_fd(loop, p[0]), 0);
	ck_assert_ptr_null(aio_fdwatch_new(loop, p[0], AIO_FDWATCH_READ, on_ready, &calls, &err));
	ck_assert_int_eq(err, -EBUSY);
	aio_loop_disown_fd(loop, p[0]);
	ck_assert_int_eq(aio_fdwatch_check(loop, p[0]), 0);
	/* an epoll set could nest back to libev's own, which aborts libev */
	int set = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_ptr_null(aio_fdwatch_new(loop, set, AIO_FDWATCH_READ, on_ready, &calls, &err));
	ck_assert_int_eq(err, -EINVAL);
	close(set);
}
END_TEST

START_TEST(test_fdwatch_deadline)
{
	struct aio_fdwatch *w = watch_make(p[0], AIO_FDWATCH_READ);
	ck_assert_int_eq(aio_fdwatch_set_deadline(w, aio_loop_time(loop) + 0.01), 0);
	turns_for(0.05);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(last_err, -ETIMEDOUT);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);	/* stopped: no longer held */
	aio_fdwatch_free(w);
}
END_TEST

START_TEST(test_fdwatch_ready_before_deadline)
{
	free_in_fn = 1;
	watch_make(p[0], AIO_FDWATCH_READ);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	struct aio_fdwatch *w = watch_make(p[0], AIO_FDWATCH_READ);
	ck_assert_int_eq(aio_fdwatch_set_deadline(w, aio_loop_time(loop) + 0.01), 0);
	turns_for(0.05);
	ck_assert_int_eq(calls, 2);	/* each freed itself when ready */
	ck_assert_int_eq(last_err, 0);
}
END_TEST

/*
 * Closed without being unwatched, with input waiting, while a copy of the
 * descriptor lives on (as in a child): the file stays ready, and fn hears
 * -EBADF once; then the loop sleeps: over 50 ms it takes a handful of
 * turns, where a spin would take thousands.
 */
START_TEST(test_fdwatch_closed_while_copy_lives)
{
	int copy = dup(p[0]);
	struct aio_fdwatch *w = watch_make(p[0], AIO_FDWATCH_READ);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	close(p[0]);
	p[0] = -1;
	int n = turns_for(0.05);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(last_err, -EBADF);
	ck_assert_int_lt(n, 10);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_fdwatch_free(w);
	close(copy);
}
END_TEST

/* Closed for good with input waiting: the file is gone, nothing is
 * reported and nothing spins; the watch holds the loop until freed. */
START_TEST(test_fdwatch_closed_with_input)
{
	struct aio_fdwatch *w = watch_make(p[0], AIO_FDWATCH_READ);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	close(p[0]);
	p[0] = -1;
	ck_assert_int_lt(turns_for(0.05), 10);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	aio_fdwatch_free(w);
}
END_TEST

/* Closed with both directions watched, before the loop ever turned: libev
 * must not see the dead number (it aborts on EBADF). */
START_TEST(test_fdwatch_closed_before_first_turn)
{
	int fd = p[1];
	struct aio_fdwatch *r = watch_make(fd, AIO_FDWATCH_READ);
	struct aio_fdwatch *w = watch_make(fd, AIO_FDWATCH_WRITE);
	close(fd);
	p[1] = -1;
	ck_assert_int_lt(turns_for(0.02), 10);
	ck_assert_int_eq(calls, 0);
	aio_fdwatch_free(r);
	aio_fdwatch_free(w);
}
END_TEST

static int own_reads;

static void own_cb(struct ev_loop *ev, ev_io *io, int revents)
{
	(void)ev;
	(void)revents;
	char c;
	if (read(io->fd, &c, 1) == 1)
		own_reads++;
}

/*
 * The number is reused by the loop's own unit (as a stream would) after
 * the script closed it: the stale watch never reports aiod's socket, and
 * stops with -EBUSY when the old file is ready.
 */
START_TEST(test_fdwatch_number_reused_by_loop)
{
	int fd = p[0];
	int copy = dup(fd);	/* the old file lives on, as in a child */
	struct aio_fdwatch *w = watch_make(fd, AIO_FDWATCH_READ);
	turns(1);
	close(fd);
	int pair[2];
	socketpair_make(pair);
	if (pair[0] != fd) {
		ck_assert_int_eq(dup2(pair[0], fd), fd);
		close(pair[0]);
	}
	ck_assert_int_eq(aio_loop_own_fd(loop, fd), 0);
	ev_io own;
	ev_io_init(&own, own_cb, fd, EV_READ);
	ev_io_start(aio_loop_ev(loop), &own);
	own_reads = 0;
	ck_assert_int_eq(write(pair[1], "ab", 2), 2);
	RUN_UNTIL_WITHIN(100, own_reads == 2, (void)0);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	RUN_UNTIL_WITHIN(100, calls == 1, (void)0);
	ck_assert_int_eq(last_err, -EBUSY);
	aio_fdwatch_free(w);
	ev_io_stop(aio_loop_ev(loop), &own);
	aio_loop_disown_fd(loop, fd);
	close(pair[1]);
	close(copy);
	/* fd is the pair's end now; the teardown closes it */
}
END_TEST

START_TEST(test_fdwatch_loop_free_first)
{
	struct aio_fdwatch *w = watch_make(p[0], AIO_FDWATCH_READ);
	ck_assert_int_eq(aio_fdwatch_set_deadline(w, aio_loop_time(loop) + 10), 0);
	loop_free_now();
	aio_fdwatch_free(w);
	ck_assert_int_eq(fcntl(p[0], F_GETFD) >= 0, 1);	/* the descriptor stays the caller's */
}
END_TEST

Suite *fdwatch_suite(void)
{
	Suite *s = suite_create("fdwatch");
	TCase *tc = check_tcase(s, "core", watch_setup, watch_teardown, 5);
	tcase_add_test(tc, test_fdwatch_level_triggered);
	tcase_add_test(tc, test_fdwatch_writable);
	tcase_add_test(tc, test_fdwatch_always_ready);
	tcase_add_test(tc, test_fdwatch_refuses);
	tcase_add_test(tc, test_fdwatch_deadline);
	tcase_add_test(tc, test_fdwatch_ready_before_deadline);
	tcase_add_test(tc, test_fdwatch_loop_free_first);
	tc = check_tcase(s, "closed", watch_setup, watch_teardown, 5);
	tcase_add_test(tc, test_fdwatch_closed_with_input);
	tcase_add_test(tc, test_fdwatch_closed_while_copy_lives);
	tcase_add_test(tc, test_fdwatch_closed_before_first_turn);
	tcase_add_test(tc, test_fdwatch_number_reused_by_loop);
	return s;
}
