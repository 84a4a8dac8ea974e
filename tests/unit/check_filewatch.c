/* check_filewatch.c -- Check tests for runtime/filewatch.c: changes reported once after settling, from the queue; clear, holds, free */
#include "check_runtime.h"
#include "check_util.h"
#include "filewatch.h"

/* Only to poll libev without running the queue, to ask whether fn runs
 * inside ev_run, and to see whether libev's loop is held. */
#include <ev.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * libev compares a file's stat data, mtimes in whole seconds, so every
 * change a test makes alters the size (an append) or the inode (a new file
 * renamed over, a removal): a rewrite of the same size within a second
 * would go unseen, and is no concern of these tests.
 */

/* Longest a test waits for a call that should come. */
#define WAIT_MAX 0.3

static char dir[TEMP_DIR_SIZE];
static char path[TEMP_DIR_SIZE + 16];	/* dir/watched */
static char other[TEMP_DIR_SIZE + 16];	/* dir/other */

/* The watcher of the test (the teardown frees it unless a test did), and
 * what its fn saw. */
static struct aio_filewatch *watch;
static int token;
static int calls;
static double last_call_at;
static int inside_libev;	/* calls made from inside ev_run */

/* A call the test queues before a turn: fn, run from the queue, comes
 * after it in the same turn; from inside libev it would come before. */
static struct aio_call marker;
static int marker_ran;
static int marker_ran_before_call;
static int free_in_marker;	/* the marker frees the watcher */
static size_t timers_in_marker;

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void on_change(struct aio_filewatch *w, void *udata)
{
	ck_assert_ptr_eq(w, watch);
	ck_assert_ptr_eq(udata, &token);
	calls++;
	last_call_at = aio_loop_time(loop);
	inside_libev += ev_depth(aio_loop_ev(loop)) > 0;
	marker_ran_before_call = marker_ran;
}

static void marker_fn(struct aio_call *call)
{
	(void)call;
	marker_ran = 1;
	timers_in_marker = aio_loop_timer_count(loop);
	if (free_in_marker) {
		aio_filewatch_free(watch);
		watch = NULL;
	}
}

static void marker_queue(void)
{
	marker_ran = 0;
	aio_call_soon(loop, &marker, marker_fn);
}

static void filewatch_setup(void)
{
	loop_setup();
	temp_dir_make(dir, "check_filewatch");
	snprintf(path, sizeof path, "%s/watched", dir);
	snprintf(other, sizeof other, "%s/other", dir);
	watch = NULL;
	calls = inside_libev = 0;
	marker = (struct aio_call){0};
	marker_ran = marker_ran_before_call = free_in_marker = 0;
}

static void filewatch_teardown(void)
{
	aio_filewatch_free(watch);
	loop_teardown();
	temp_dir_remove(dir);
	ck_assert_int_eq(inside_libev, 0);
}

static struct aio_filewatch *watch_make(double settle)
{
	int err = 0;
	watch = aio_filewatch_new(loop, settle, on_change, &token, &err);
	ck_assert_msg(watch != NULL, "aio_filewatch_new: %s", strerror(-err));
	return watch;
}

static void watch_add(const char *p)
{
	ck_assert_int_eq(aio_filewatch_add(watch, p), 0);
}

static void file_put(const char *p, const char *text, int flags)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(close(fd), 0);
}

static void file_write(const char *p, const char *text)
{
	file_put(p, text, O_TRUNC);
}

static void file_append(const char *p, const char *text)
{
	file_put(p, text, O_APPEND);
}

/* As editors save: a new file, renamed over the old one. */
static void file_replace(const char *p, const char *text)
{
	char tmp[TEMP_DIR_SIZE + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp", p);
	file_write(tmp, text);
	ck_assert_int_eq(rename(tmp, p), 0);
}

/* Turns the loop for seconds. */
static void run_for(double seconds)
{
	double start = aio_loop_time(loop);
	while (aio_loop_time(loop) - start < seconds)
		turn();
}

/* Turns the loop until fn was called n times in all; fails the test after
 * WAIT_MAX. */
static void run_until_calls(int n)
{
	double start = aio_loop_time(loop);
	while (calls < n) {
		ck_assert_msg(aio_loop_time(loop) - start < WAIT_MAX,
			      "%d calls after %.0f ms, not %d", calls, WAIT_MAX * 1000, n);
		turn();
	}
}

/*
 * Polls libev alone, as the first phase of a turn does, never running the
 * queue, until it reported a change: the settle timer is armed then (the
 * tests arm no other). However slow the machine, the timer cannot have
 * called fn yet.
 */
static void poll_until_armed(void)
{
	double start = aio_loop_time(loop);
	while (aio_loop_timer_count(loop) == 0) {
		ck_assert_msg(aio_loop_time(loop) - start < WAIT_MAX, "libev saw no change");
		ck_assert_msg(calls == 0, "fn called from inside libev's callback");
		sleep_ms(1);
		ev_run(aio_loop_ev(loop), EVRUN_NOWAIT);
	}
}

/* Polls libev alone for seconds. */
static void poll_for(double seconds)
{
	double start = aio_loop_time(loop);
	while (aio_loop_time(loop) - start < seconds) {
		sleep_ms(1);
		ev_run(aio_loop_ev(loop), EVRUN_NOWAIT);
	}
}

/* notify */

/* A change is reported once, settle seconds after libev saw it: libev's
 * callback only arms the settle timer, and the turns call fn. */
START_TEST(test_filewatch_change_once_after_settle)
{
	const double settle = 0.05;
	file_write(path, "a");
	watch_make(settle);
	watch_add(path);
	double start = aio_loop_time(loop);
	file_append(path, "b");
	poll_until_armed();
	ck_assert_int_eq(calls, 0);
	run_until_calls(1);
	ck_assert_double_ge(last_call_at - start, settle);
	run_for(0.1);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(aio_loop_timer_count(loop), 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

/*
 * Even with no settle delay, fn is not called from libev's callback: with
 * libev polled alone the timer is armed and fn not called; the turn that
 * follows calls it from its queue, after a call queued before the turn.
 */
START_TEST(test_filewatch_calls_from_queue)
{
	file_write(path, "a");
	watch_make(0);
	watch_add(path);
	file_append(path, "b");
	poll_until_armed();
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	marker_queue();
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(calls, 1);
	ck_assert(marker_ran_before_call);
	ck_assert_int_eq(inside_libev, 0);
}
END_TEST

/*
 * Changes 15 ms apart, each seen by libev, are one call, which comes settle
 * seconds after the last: each restarted the wait. libev is polled alone
 * between them, so a slow machine cannot let the wait run out early.
 */
START_TEST(test_filewatch_burst_once)
{
	const double settle = 0.05;
	file_write(path, "a");
	watch_make(settle);
	watch_add(path);
	double last = 0;
	for (int i = 0; i < 4; i++) {
		last = aio_loop_time(loop);
		file_append(path, "b");
		if (i == 0)
			poll_until_armed();
		poll_for(0.015);
	}
	ck_assert_int_eq(calls, 0);
	run_until_calls(1);
	ck_assert_double_ge(last_call_at - last, settle);
	run_for(0.12);
	ck_assert_int_eq(calls, 1);
}
END_TEST

/* An editor's save replaces the file: seen, and so is the next save, of
 * the file that is now there. */
START_TEST(test_filewatch_rename_over)
{
	file_write(path, "v1");
	watch_make(0.03);
	watch_add(path);
	file_replace(path, "v2");
	run_until_calls(1);
	run_for(0.06);
	ck_assert_int_eq(calls, 1);
	file_replace(path, "v3");
	run_until_calls(2);
	run_for(0.06);
	ck_assert_int_eq(calls, 2);
}
END_TEST

/* Removal is a change; so is the file coming back, and a change of the
 * new file. */
START_TEST(test_filewatch_remove_recreate)
{
	file_write(path, "a");
	watch_make(0.03);
	watch_add(path);
	ck_assert_int_eq(unlink(path), 0);
	run_until_calls(1);
	file_write(path, "again");
	run_until_calls(2);
	file_append(path, "more");
	run_until_calls(3);
	run_for(0.06);
	ck_assert_int_eq(calls, 3);
}
END_TEST

/* A file that does not exist yet: another file appearing beside it is no
 * change of it; its creation, by rename as editors do, is; and then it is
 * watched as any file. */
START_TEST(test_filewatch_missing_created)
{
	watch_make(0.03);
	watch_add(path);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	file_write(other, "beside");
	run_for(0.06);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(rename(other, path), 0);
	run_until_calls(1);
	file_append(path, "more");
	run_until_calls(2);
	run_for(0.06);
	ck_assert_int_eq(calls, 2);
}
END_TEST

/* clear */

/* Clear stops every file, present or not; the set can then be rebuilt. */
START_TEST(test_filewatch_clear_stops_all)
{
	file_write(path, "a");
	watch_make(0.02);
	watch_add(path);
	watch_add(other);
	aio_filewatch_clear(watch);
	file_append(path, "b");
	file_write(other, "new");
	file_replace(path, "c");
	run_for(0.08);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(aio_loop_timer_count(loop), 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_filewatch_clear(watch);
	watch_add(other);
	file_append(other, "more");
	run_until_calls(1);
	file_append(path, "d");
	run_for(0.06);
	ck_assert_int_eq(calls, 1);
}
END_TEST

/* holds */

/* Watched files, present or not, leave the loop idle and run_once not
 * blocking, and libev's loop unheld; after clear, a hold holds it again
 * (add and clear balance libev's count). */
START_TEST(test_filewatch_does_not_hold)
{
	file_write(path, "a");
	watch_make(0.02);
	watch_add(path);
	watch_add(other);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	double start = aio_loop_time(loop);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_double_lt(aio_loop_time(loop) - start, NO_BLOCK);
	ck_assert(!libev_held(loop));
	aio_filewatch_clear(watch);
	ck_assert(!libev_held(loop));
	aio_loop_hold(loop);
	ck_assert(libev_held(loop));
	aio_loop_release(loop);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

/* free */

START_TEST(test_filewatch_free_null)
{
	aio_filewatch_free(NULL);
}
END_TEST

/* Freed while its settle timer is armed: the timer goes with it, and fn
 * (which would read the freed watcher) never runs. */
START_TEST(test_filewatch_free_while_settling)
{
	file_write(path, "a");
	watch_make(0.03);
	watch_add(path);
	file_append(path, "b");
	poll_until_armed();
	aio_filewatch_free(watch);
	watch = NULL;
	ck_assert_int_eq(aio_loop_timer_count(loop), 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	sleep_ms(40);
	run_for(0.03);
	ck_assert_int_eq(calls, 0);
}
END_TEST

/* Freed in the turn its settle timer came due, by a call queued ahead of
 * the one that would call fn: that call is taken out of the queue. */
START_TEST(test_filewatch_free_while_due)
{
	file_write(path, "a");
	watch_make(0.02);
	watch_add(path);
	file_append(path, "b");
	poll_until_armed();
	sleep_ms(30);
	free_in_marker = 1;
	marker_queue();
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert(marker_ran);
	/* The timer had left the heap for the queue when the marker ran. */
	ck_assert_int_eq(timers_in_marker, 0);
	ck_assert_ptr_null(watch);
	ck_assert_int_eq(calls, 0);
	turns(3);
	ck_assert_int_eq(calls, 0);
}
END_TEST

/* The loop freed first, with files watched, one missing, and the settle
 * timer armed: it stops the watching; clear and free then only free. */
START_TEST(test_filewatch_loop_free_first)
{
	file_write(path, "a");
	watch_make(0.03);
	watch_add(path);
	watch_add(other);
	file_append(path, "b");
	poll_until_armed();
	loop_free_now();
	file_append(path, "c");
	aio_filewatch_clear(watch);
	aio_filewatch_free(watch);
	watch = NULL;
	ck_assert_int_eq(calls, 0);
}
END_TEST

/* Adding after the loop went away watches nothing and fails nothing. */
START_TEST(test_filewatch_add_after_loop_gone)
{
	file_write(path, "a");
	watch_make(0.03);
	loop_free_now();
	ck_assert_int_eq(aio_filewatch_add(watch, path), 0);
	ck_assert_int_eq(aio_filewatch_add(watch, other), 0);
	file_append(path, "b");
	aio_filewatch_clear(watch);
	ck_assert_int_eq(aio_filewatch_add(watch, path), 0);
	aio_filewatch_free(watch);
	watch = NULL;
	ck_assert_int_eq(calls, 0);
}
END_TEST

Suite *filewatch_suite(void)
{
	Suite *s = suite_create("filewatch");
	TCase *tc = check_tcase(s, "notify", filewatch_setup, filewatch_teardown, 3);
	tcase_add_test(tc, test_filewatch_change_once_after_settle);
	tcase_add_test(tc, test_filewatch_calls_from_queue);
	tcase_add_test(tc, test_filewatch_burst_once);
	tcase_add_test(tc, test_filewatch_rename_over);
	tcase_add_test(tc, test_filewatch_remove_recreate);
	tcase_add_test(tc, test_filewatch_missing_created);

	tc = check_tcase(s, "clear", filewatch_setup, filewatch_teardown, 3);
	tcase_add_test(tc, test_filewatch_clear_stops_all);

	tc = check_tcase(s, "holds", filewatch_setup, filewatch_teardown, 3);
	tcase_add_test(tc, test_filewatch_does_not_hold);

	tc = check_tcase(s, "free", filewatch_setup, filewatch_teardown, 3);
	tcase_add_test(tc, test_filewatch_free_null);
	tcase_add_test(tc, test_filewatch_free_while_settling);
	tcase_add_test(tc, test_filewatch_free_while_due);
	tcase_add_test(tc, test_filewatch_loop_free_first);
	tcase_add_test(tc, test_filewatch_add_after_loop_gone);
	return s;
}
