/* check_signals.c -- Check tests for runtime/signals.c: names, delivery, the control lane, keep-alive, ownership, takeover, stop signals */
#include "check_runtime.h"
#include "check_util.h"
#include "signals.h"

/* Only to poll libev without running the queue; nothing else uses it. */
#include <ev.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the signal callbacks saw; reset before every test. */
static int calls;
static struct aio_signal *last_sig;
static void *last_udata;
static int other_calls;

static void counts_reset(void)
{
	calls = other_calls = 0;
	last_sig = NULL;
	last_udata = NULL;
}

static void on_signal(struct aio_signal *sig, void *udata)
{
	calls++;
	last_sig = sig;
	last_udata = udata;
}

static void on_other_signal(struct aio_signal *sig, void *udata)
{
	(void)sig;
	(void)udata;
	other_calls++;
}

static struct aio_signal *signal_make(struct aio_loop *loop, int signum,
				      aio_signal_fn fn, void *udata,
				      int flags)
{
	int err = 0;
	struct aio_signal *sig = aio_signal_new(loop, signum, fn, udata,
						flags, &err);
	ck_assert_msg(sig != NULL, "aio_signal_new(%d) failed: %d", signum, err);
	ck_assert_int_eq(err, 0);
	return sig;
}

/* Raises signum with it ignored, so a missing handler cannot kill us. */
static void raise_ignored(int signum)
{
	struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
	sigemptyset(&ignore.sa_mask);
	ck_assert_int_eq(sigaction(signum, &ignore, &old), 0);
	ck_assert_int_eq(raise(signum), 0);
	ck_assert_int_eq(sigaction(signum, &old, NULL), 0);
}

/* names */

START_TEST(test_signals_number_names)
{
	ck_assert_int_eq(aio_signal_number("TERM"), SIGTERM);
	ck_assert_int_eq(aio_signal_number("SIGTERM"), SIGTERM);
	ck_assert_int_eq(aio_signal_number("sigterm"), SIGTERM);
	ck_assert_int_eq(aio_signal_number("Term"), SIGTERM);
	ck_assert_int_eq(aio_signal_number("15"), 15);
	ck_assert_int_eq(aio_signal_number("HUP"), SIGHUP);
	ck_assert_int_eq(aio_signal_number("SIGUSR1"), SIGUSR1);
	ck_assert_int_eq(aio_signal_number("usr2"), SIGUSR2);
	ck_assert_int_eq(aio_signal_number("CHLD"), SIGCHLD);
	ck_assert_int_eq(aio_signal_number("1"), 1);
	char text[16];
	snprintf(text, sizeof text, "%d", NSIG - 1);
	ck_assert_int_eq(aio_signal_number(text), NSIG - 1);
}
END_TEST

/* The reverse lookup gives the names aio_signal_number takes. */
START_TEST(test_signals_name_of_number)
{
	ck_assert_str_eq(aio_signal_name(SIGKILL), "KILL");
	ck_assert_str_eq(aio_signal_name(SIGTERM), "TERM");
	ck_assert_int_eq(aio_signal_number(aio_signal_name(SIGWINCH)), SIGWINCH);
	ck_assert_ptr_null(aio_signal_name(0));
	ck_assert_ptr_null(aio_signal_name(SIGRTMIN));
}
END_TEST

START_TEST(test_signals_number_unknown)
{
	ck_assert_int_eq(aio_signal_number("BOGUS"), -1);
	ck_assert_int_eq(aio_signal_number("SIGBOGUS"), -1);
	ck_assert_int_eq(aio_signal_number("0"), -1);
	ck_assert_int_eq(aio_signal_number("999"), -1);
	ck_assert_int_eq(aio_signal_number("-15"), -1);
	ck_assert_int_eq(aio_signal_number(""), -1);
	ck_assert_int_eq(aio_signal_number("SIG"), -1);
	ck_assert_int_eq(aio_signal_number("15x"), -1);
	ck_assert_int_eq(aio_signal_number("TERMINATE"), -1);
	ck_assert_int_eq(aio_signal_number("99999999999999999999"), -1);
	char text[16];
	snprintf(text, sizeof text, "%d", NSIG);
	ck_assert_int_eq(aio_signal_number(text), -1);
}
END_TEST

START_TEST(test_signals_backend_version)
{
	const char *version = aio_backend_version();
	ck_assert_ptr_nonnull(version);
	ck_assert_int_eq(strncmp(version, "libev ", 6), 0);
	ck_assert_uint_gt(strlen(version), 6);
	ck_assert_str_eq(aio_backend_version(), version);
}
END_TEST

/* core */

START_TEST(test_signals_new_bad_number)
{
	static const int bad[] = {0, -1, NSIG, 999};
	struct aio_loop *loop = loop_make();
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int err = 0;
		ck_assert_ptr_null(aio_signal_new(loop, bad[i], on_signal, NULL, 1, &err));
		ck_assert_int_eq(err, -EINVAL);
	}
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_signals_free_null)
{
	aio_signal_free(NULL);
}
END_TEST

START_TEST(test_signals_raise_runs_later)
{
	int token;
	struct aio_loop *loop = loop_make();
	struct aio_signal *sig = signal_make(loop, SIGUSR1, on_signal, &token, 0);
	ck_assert_int_eq(aio_signal_signum(sig), SIGUSR1);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(calls, 0);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 1);
	ck_assert_ptr_eq(last_sig, sig);
	ck_assert_ptr_eq(last_udata, &token);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 1);
	/* And again, for a second arrival. */
	ck_assert_int_eq(raise(SIGUSR1), 0);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 2);
	aio_signal_free(sig);
	aio_loop_free(loop);
}
END_TEST

/* A call that raises signum, and one after it that notes how many
 * signal callbacks had run by then. */
struct raiser {
	struct aio_call call;
	int signum;
};

static int calls_seen_after;

static void raise_signal(struct aio_call *call)
{
	ck_assert_int_eq(raise(aio_container_of(call, struct raiser, call)->signum), 0);
}

static void note_calls(struct aio_call *call)
{
	(void)call;
	calls_seen_after = calls;
}

/* A control watcher's call runs in the middle of the turn the signal came
 * in, before the next ready call; an ordinary one on the next turn. Either
 * runs once: libev's own delivery at the next poll finds it done. */
static void check_lane_delivery(int flags, int seen_in_turn)
{
	struct aio_loop *loop = loop_make();
	struct aio_signal *sig = signal_make(loop, SIGUSR1, on_signal, NULL, flags);
	struct raiser raiser = {.signum = SIGUSR1};
	struct aio_call after = {0};
	calls_seen_after = -1;
	aio_call_soon(loop, &raiser.call, raise_signal);
	aio_call_soon(loop, &after, note_calls);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls_seen_after, seen_in_turn);
	aio_loop_run_once(loop);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 1);
	aio_signal_free(sig);
	aio_loop_free(loop);
}

START_TEST(test_signals_control_runs_mid_turn)
{
	check_lane_delivery(AIO_SIGNAL_CONTROL, 1);
}
END_TEST

START_TEST(test_signals_ordinary_runs_next_turn)
{
	check_lane_delivery(0, 0);
}
END_TEST

START_TEST(test_signals_raise_twice_runs_once)
{
	struct aio_loop *loop = loop_make();
	struct aio_signal *sig = signal_make(loop, SIGUSR1, on_signal, NULL, 0);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	for (int turn = 0; turn < 3; turn++)
		aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 1);
	aio_signal_free(sig);
	aio_loop_free(loop);
}
END_TEST

/*
 * libev coalesces a signal raised twice before it polls, so to see the
 * watcher reach signal_cb twice while its call waits, poll libev directly
 * between the raises, then run the queue once.
 */
START_TEST(test_signals_delivered_twice_queued_once)
{
	struct aio_loop *loop = loop_make();
	struct aio_signal *sig = signal_make(loop, SIGUSR1, on_signal, NULL, 0);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ev_run(aio_loop_ev(loop), EVRUN_NOWAIT);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ev_run(aio_loop_ev(loop), EVRUN_NOWAIT);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(calls, 1);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 1);
	aio_signal_free(sig);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_signals_two_watchers_one_loop)
{
	struct aio_loop *loop = loop_make();
	struct aio_signal *first = signal_make(loop, SIGUSR1, on_signal, NULL, 0);
	struct aio_signal *second = signal_make(loop, SIGUSR1, on_other_signal, NULL, 0);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(other_calls, 1);
	aio_signal_free(first);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(other_calls, 2);
	aio_signal_free(second);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_signals_second_loop_delivery)
{
	struct aio_loop *first = loop_make();
	struct aio_loop *second = loop_make();
	struct aio_signal *sig = signal_make(second, SIGUSR2, on_signal, NULL, 1);
	ck_assert_int_eq(raise(SIGUSR2), 0);
	ck_assert_int_eq(aio_loop_run_once(first), AIO_LOOP_IDLE);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(aio_loop_run_once(second), AIO_LOOP_ALIVE);
	ck_assert_int_eq(calls, 1);
	aio_signal_free(sig);
	ck_assert_int_eq(aio_loop_state(second), AIO_LOOP_IDLE);
	aio_loop_free(second);
	aio_loop_free(first);
}
END_TEST

/* cancel: after free, the signal no longer reaches fn */

START_TEST(test_signals_free_stops_delivery)
{
	struct aio_loop *loop = loop_make();
	struct aio_signal *sig = signal_make(loop, SIGUSR1, on_signal, NULL, 0);
	aio_signal_free(sig);
	raise_ignored(SIGUSR1);
	aio_loop_run_once(loop);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

/*
 * The freed watcher's call is already in the turn's batch when an earlier
 * call of the same turn frees it: it must not run (nor touch freed memory).
 * A second watcher of the signal proves the signal was taken in that turn.
 */
static struct aio_signal *doomed;

static void free_doomed(struct aio_call *call)
{
	(void)call;
	aio_signal_free(doomed);
	doomed = NULL;
}

START_TEST(test_signals_free_drops_queued_call)
{
	struct aio_loop *loop = loop_make();
	struct aio_call first = {0};
	doomed = signal_make(loop, SIGUSR1, on_signal, NULL, 1);
	struct aio_signal *witness = signal_make(loop, SIGUSR1, on_other_signal, NULL, 0);
	aio_call_soon(loop, &first, free_doomed);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_ptr_null(doomed);
	ck_assert_int_eq(other_calls, 1);
	ck_assert_int_eq(calls, 0);
	aio_signal_free(witness);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_signals_free_before_run)
{
	struct aio_loop *loop = loop_make();
	struct aio_signal *sig = signal_make(loop, SIGUSR1, on_signal, NULL, 0);
	struct aio_signal *keeper = signal_make(loop, SIGUSR1, on_other_signal, NULL, 0);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	aio_signal_free(sig);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(other_calls, 1);
	aio_signal_free(keeper);
	aio_loop_free(loop);
}
END_TEST

/* state */

START_TEST(test_signals_keeps_alive)
{
	struct aio_loop *loop = loop_make();
	struct aio_signal *sig = signal_make(loop, SIGUSR1, on_signal, NULL, 1);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	aio_signal_free(sig);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_signals_not_keeps_alive)
{
	struct aio_loop *loop = loop_make();
	struct aio_signal *sig = signal_make(loop, SIGUSR1, on_signal, NULL, 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	double start = aio_loop_time(loop);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_double_lt(aio_loop_time(loop) - start, NO_BLOCK);
	aio_signal_free(sig);
	aio_loop_free(loop);
}
END_TEST

/* With only a keep-alive watcher, run_once blocks until the signal comes;
 * one already raised wakes it at once. */
START_TEST(test_signals_keeps_alive_wakes_poll)
{
	struct aio_loop *loop = loop_make();
	struct aio_signal *sig = signal_make(loop, SIGUSR1, on_signal, NULL, 1);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	double start = aio_loop_time(loop);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_ALIVE);
	ck_assert_double_lt(aio_loop_time(loop) - start, NO_BLOCK);
	ck_assert_int_eq(calls, 1);
	aio_signal_free(sig);
	aio_loop_free(loop);
}
END_TEST

/* busy: one loop per signal */

START_TEST(test_signals_busy_second_loop)
{
	struct aio_loop *first = loop_make();
	struct aio_loop *second = loop_make();
	struct aio_signal *sig = signal_make(first, SIGUSR1, on_signal, NULL, 1);
	int err = 0;
	ck_assert_ptr_null(aio_signal_new(second, SIGUSR1, on_signal, NULL, 1, &err));
	ck_assert_int_eq(err, -EBUSY);
	ck_assert_int_eq(aio_loop_state(second), AIO_LOOP_IDLE);
	/* The refusal left the owner's watcher working. */
	ck_assert_int_eq(raise(SIGUSR1), 0);
	aio_loop_run_once(first);
	ck_assert_int_eq(calls, 1);
	aio_signal_free(sig);
	aio_loop_free(second);
	aio_loop_free(first);
}
END_TEST

START_TEST(test_signals_busy_released_after_free)
{
	struct aio_loop *first = loop_make();
	struct aio_loop *second = loop_make();
	struct aio_signal *sig = signal_make(second, SIGUSR2, on_other_signal, NULL, 0);
	aio_signal_free(sig);
	sig = signal_make(first, SIGUSR2, on_signal, NULL, 0);
	ck_assert_int_eq(raise(SIGUSR2), 0);
	aio_loop_run_once(second);
	aio_loop_run_once(first);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(other_calls, 0);
	aio_signal_free(sig);
	aio_loop_free(second);
	aio_loop_free(first);
}
END_TEST

/* SIGCHLD is a signal like any other: no loop holds it for reaping, so a
 * second loop may watch it, and the first is then refused. */
START_TEST(test_signals_chld_any_loop)
{
	struct aio_loop *first = loop_make();
	struct aio_loop *second = loop_make();
	struct aio_signal *sig = signal_make(second, SIGCHLD, on_signal, NULL, 0);
	int err = 0;
	ck_assert_ptr_null(aio_signal_new(first, SIGCHLD, on_signal, NULL, 0, &err));
	ck_assert_int_eq(err, -EBUSY);
	aio_signal_free(sig);
	aio_loop_free(second);
	aio_loop_free(first);
}
END_TEST

/* takeover: a default watcher stands aside while another watches too */

START_TEST(test_signals_default_stands_aside)
{
	struct aio_loop *loop = loop_make();
	struct aio_signal *fallback = signal_make(loop, SIGUSR1, on_signal, NULL,
						  AIO_SIGNAL_DEFAULT);
	ck_assert(!aio_signal_taken(SIGUSR1));
	struct aio_signal *taker = signal_make(loop, SIGUSR1, on_other_signal, NULL, 0);
	ck_assert(aio_signal_taken(SIGUSR1));
	ck_assert_int_eq(raise(SIGUSR1), 0);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(other_calls, 1);
	aio_signal_free(taker);
	ck_assert(!aio_signal_taken(SIGUSR1));
	ck_assert_int_eq(raise(SIGUSR1), 0);
	aio_loop_run_once(loop);
	ck_assert_int_eq(calls, 1);
	aio_signal_free(fallback);
	aio_loop_free(loop);
}
END_TEST

/* stop signals: counted in the handler; the second exits at once */

static volatile sig_atomic_t first_seen;

static void on_first(int signum)
{
	first_seen = signum;
}

/* Runs body in a child process and returns its exit status (-1: killed). */
static int child_status(void (*body)(void))
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		body();
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Never turns the loop after the first signal, as a stuck task would not. */
static void second_stop_exits(void)
{
	struct aio_loop *loop = loop_make();
	signal_make(loop, SIGUSR2, on_signal, NULL, AIO_SIGNAL_DEFAULT);
	aio_signal_on_first_stop(on_first);
	aio_signal_set_stop(SIGUSR2, 1);
	raise(SIGUSR2);
	if (first_seen != SIGUSR2)
		_exit(3);
	raise(SIGUSR2);
	_exit(4);
}

START_TEST(test_signals_stop_second_exits)
{
	ck_assert_int_eq(child_status(second_stop_exits), 128 + SIGUSR2);
}
END_TEST

/* The exit-now hook runs just before that exit; its pipe tells the parent. */
static int exit_now_pipe = -1;

static void on_exit_now_write(int signum)
{
	char c = (char)signum;
	(void)!write(exit_now_pipe, &c, 1);
}

static void second_stop_runs_hook(void)
{
	aio_signal_on_exit_now(on_exit_now_write);
	second_stop_exits();
}

START_TEST(test_signals_stop_exit_now_hook)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	exit_now_pipe = fds[1];
	ck_assert_int_eq(child_status(second_stop_runs_hook), 128 + SIGUSR2);
	close(fds[1]);
	char c = 0;
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	ck_assert_int_eq(c, SIGUSR2);
	close(fds[0]);
}
END_TEST

static void stop_taken_not_counted(void)
{
	struct aio_loop *loop = loop_make();
	signal_make(loop, SIGUSR2, on_signal, NULL, AIO_SIGNAL_DEFAULT);
	struct aio_signal *taker = signal_make(loop, SIGUSR2, on_other_signal, NULL, 0);
	aio_signal_on_first_stop(on_first);
	aio_signal_set_stop(SIGUSR2, 1);
	raise(SIGUSR2);
	raise(SIGUSR2);
	aio_loop_run_once(loop);
	if (first_seen || other_calls != 1 || calls)
		_exit(3);
	/* Given back: counted again, and the first one does not exit. */
	aio_signal_free(taker);
	raise(SIGUSR2);
	_exit(first_seen == SIGUSR2 ? 0 : 5);
}

START_TEST(test_signals_stop_taken_not_counted)
{
	ck_assert_int_eq(child_status(stop_taken_not_counted), 0);
}
END_TEST

static void stop_turned_off(void)
{
	struct aio_loop *loop = loop_make();
	signal_make(loop, SIGUSR2, on_signal, NULL, AIO_SIGNAL_DEFAULT);
	aio_signal_set_stop(SIGUSR2, 1);
	aio_signal_set_stop(SIGUSR2, 0);
	raise(SIGUSR2);
	raise(SIGUSR2);
	aio_loop_run_once(loop);
	_exit(calls == 1 ? 0 : 3);
}

START_TEST(test_signals_stop_turned_off)
{
	ck_assert_int_eq(child_status(stop_turned_off), 0);
}
END_TEST

Suite *signals_suite(void)
{
	Suite *s = suite_create("signals");
	TCase *tc = check_tcase(s, "names", counts_reset, NULL, 5);
	tcase_add_test(tc, test_signals_number_names);
	tcase_add_test(tc, test_signals_name_of_number);
	tcase_add_test(tc, test_signals_number_unknown);
	tcase_add_test(tc, test_signals_backend_version);

	tc = check_tcase(s, "core", counts_reset, NULL, 5);
	tcase_add_test(tc, test_signals_new_bad_number);
	tcase_add_test(tc, test_signals_free_null);
	tcase_add_test(tc, test_signals_raise_runs_later);
	tcase_add_test(tc, test_signals_raise_twice_runs_once);
	tcase_add_test(tc, test_signals_control_runs_mid_turn);
	tcase_add_test(tc, test_signals_ordinary_runs_next_turn);
	tcase_add_test(tc, test_signals_delivered_twice_queued_once);
	tcase_add_test(tc, test_signals_two_watchers_one_loop);
	tcase_add_test(tc, test_signals_second_loop_delivery);

	tc = check_tcase(s, "cancel", counts_reset, NULL, 5);
	tcase_add_test(tc, test_signals_free_stops_delivery);
	tcase_add_test(tc, test_signals_free_drops_queued_call);
	tcase_add_test(tc, test_signals_free_before_run);

	tc = check_tcase(s, "state", counts_reset, NULL, 5);
	tcase_add_test(tc, test_signals_keeps_alive);
	tcase_add_test(tc, test_signals_not_keeps_alive);
	tcase_add_test(tc, test_signals_keeps_alive_wakes_poll);

	tc = check_tcase(s, "busy", counts_reset, NULL, 5);
	tcase_add_test(tc, test_signals_busy_second_loop);
	tcase_add_test(tc, test_signals_busy_released_after_free);
	tcase_add_test(tc, test_signals_chld_any_loop);

	tc = check_tcase(s, "takeover", counts_reset, NULL, 5);
	tcase_add_test(tc, test_signals_default_stands_aside);

	tc = check_tcase(s, "stop", counts_reset, NULL, 5);
	tcase_add_test(tc, test_signals_stop_second_exits);
	tcase_add_test(tc, test_signals_stop_exit_now_hook);
	tcase_add_test(tc, test_signals_stop_taken_not_counted);
	tcase_add_test(tc, test_signals_stop_turned_off);
	return s;
}
