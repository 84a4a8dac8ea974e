/* check_mailbox.c -- Check tests for runtime/mailbox.c: posting threads, order, the control lane, loop holds, free */
#include "check_runtime.h"
#include "check_util.h"
#include "mailbox.h"

/* Only to see whether libev's loop is held; nothing else uses it. */
#include <ev.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

#define SENDERS 4
#define LETTERS 1000

/* A mail with where it came from and what its delivery saw. */
struct letter {
	struct aio_mail mail;
	int sender;		/* index of the posting thread */
	int seq;		/* its place in that thread's order */
	int runs;
	struct aio_mailbox *repost_to;	/* deliver posts it again there... */
	int reposts;			/* ...this often */
};

/*
 * What the deliveries saw; reset before every test. They run on the loop's
 * thread only, so plain counters do, and a problem is counted rather than
 * asserted: passing Check asserts cost a message each.
 */
static pthread_t loop_thread;
static int delivered;
static int off_thread;		/* deliveries on another thread */
static int out_of_order;	/* deliveries out of their sender's order */
static int next_seq[SENDERS];

static void mailbox_setup(void)
{
	loop_setup();
	loop_thread = pthread_self();
	delivered = off_thread = out_of_order = 0;
	for (int i = 0; i < SENDERS; i++)
		next_seq[i] = 0;
}

static void deliver(struct aio_call *call)
{
	struct letter *l = aio_container_of(call, struct letter, mail.call);
	delivered++;
	l->runs++;
	off_thread += !pthread_equal(pthread_self(), loop_thread);
	out_of_order += l->seq != next_seq[l->sender];
	next_seq[l->sender] = l->seq + 1;
	if (l->reposts > 0) {
		l->reposts--;
		l->seq++;
		aio_mailbox_post(l->repost_to, &l->mail, deliver);
	}
}

static struct aio_mailbox *mailbox_make(struct aio_loop *target)
{
	int err = 0;
	struct aio_mailbox *mb = aio_mailbox_new(target, &err);
	ck_assert_msg(mb != NULL, "aio_mailbox_new failed: %d", err);
	ck_assert_int_eq(err, 0);
	return mb;
}

static struct letter *letters_make(int sender, int n)
{
	struct letter *ls = calloc((size_t)n, sizeof *ls);
	ck_assert_ptr_nonnull(ls);
	for (int i = 0; i < n; i++) {
		ls[i].sender = sender;
		ls[i].seq = i;
	}
	return ls;
}

/* A thread that posts its letters in order, after a delay or once every
 * sender is ready. */
struct sender {
	pthread_t thread;
	struct aio_mailbox *mb;
	struct letter *letters;
	int count;
	int delay_ms;
	pthread_barrier_t *start;
};

static void *send_all(void *arg)
{
	struct sender *s = arg;
	if (s->start)
		pthread_barrier_wait(s->start);
	if (s->delay_ms)
		sleep_ms(s->delay_ms);
	for (int i = 0; i < s->count; i++)
		aio_mailbox_post(s->mb, &s->letters[i].mail, deliver);
	return NULL;
}

static void sender_start(struct sender *s)
{
	ck_assert_int_eq(pthread_create(&s->thread, NULL, send_all, s), 0);
}

static void sender_join(struct sender *s)
{
	ck_assert_int_eq(pthread_join(s->thread, NULL), 0);
}

/* core */

/* Every letter of every thread runs once, on the loop's thread, and each
 * thread's letters run in the order it posted them. */
START_TEST(test_mailbox_many_threads_once_each_in_order)
{
	struct aio_mailbox *mb = mailbox_make(loop);
	pthread_barrier_t start;
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, SENDERS), 0);
	struct sender senders[SENDERS];
	for (int i = 0; i < SENDERS; i++) {
		senders[i] = (struct sender){.mb = mb, .letters = letters_make(i, LETTERS),
					     .count = LETTERS, .start = &start};
		sender_start(&senders[i]);
	}
	RUN_UNTIL_WITHIN(500, delivered == SENDERS * LETTERS, );
	for (int i = 0; i < SENDERS; i++)
		sender_join(&senders[i]);
	turns(3);
	ck_assert_int_eq(delivered, SENDERS * LETTERS);
	ck_assert_int_eq(off_thread, 0);
	ck_assert_int_eq(out_of_order, 0);
	for (int i = 0; i < SENDERS; i++) {
		ck_assert_int_eq(next_seq[i], LETTERS);
		for (int k = 0; k < LETTERS; k++)
			if (senders[i].letters[k].runs != 1)
				ck_abort_msg("letter %d of sender %d ran %d times", k, i,
					     senders[i].letters[k].runs);
		free(senders[i].letters);
	}
	pthread_barrier_destroy(&start);
	aio_mailbox_free(mb);
}
END_TEST

/* Posted on the loop's own thread, mail is not run inside post; the next
 * turn runs it, in order, and the loop is idle after. */
START_TEST(test_mailbox_post_from_loop_thread)
{
	struct aio_mailbox *mb = mailbox_make(loop);
	struct letter *ls = letters_make(0, 3);
	for (int i = 0; i < 3; i++)
		aio_mailbox_post(mb, &ls[i].mail, deliver);
	ck_assert_int_eq(delivered, 0);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(delivered, 3);
	ck_assert_int_eq(out_of_order, 0);
	ck_assert_int_eq(off_thread, 0);
	free(ls);
	aio_mailbox_free(mb);
}
END_TEST

/* A ready call that notes how much mail had been delivered when it ran. */
static int delivered_before;

static void note_delivered(struct aio_call *call)
{
	(void)call;
	delivered_before = delivered;
}

/* A control mailbox's mail runs ahead of calls that were ready before it
 * came; an ordinary one's behind them. */
static void check_mail_order(int control, int expect_before)
{
	struct aio_mailbox *mb = mailbox_make(loop);
	if (control)
		aio_mailbox_set_control(mb);
	struct letter l = {0};
	struct aio_call ready = {0};
	aio_call_soon(loop, &ready, note_delivered);
	aio_mailbox_post(mb, &l.mail, deliver);
	delivered_before = -1;
	aio_loop_run_once(loop);
	turns(1);
	ck_assert_int_eq(delivered, 1);
	ck_assert_int_eq(delivered_before, expect_before);
	aio_mailbox_free(mb);
}

START_TEST(test_mailbox_control_mail_goes_first)
{
	check_mail_order(1, 1);
}
END_TEST

START_TEST(test_mailbox_ordinary_mail_waits)
{
	check_mail_order(0, 0);
}
END_TEST

/* A letter is the poster's again once it ran: its own delivery may post it
 * again, and it then runs once more per post, in a later turn. */
START_TEST(test_mailbox_repost_from_delivery)
{
	struct aio_mailbox *mb = mailbox_make(loop);
	struct letter l = {.repost_to = mb, .reposts = 4};
	aio_mailbox_post(mb, &l.mail, deliver);
	for (int i = 1; i <= 5; i++) {
		aio_loop_run_once(loop);
		ck_assert_int_eq(l.runs, i);
	}
	turns(2);
	ck_assert_int_eq(delivered, 5);
	ck_assert_int_eq(out_of_order, 0);
	aio_mailbox_free(mb);
}
END_TEST

/* Two mailboxes on one loop each deliver their own mail. */
START_TEST(test_mailbox_two_on_one_loop)
{
	struct aio_mailbox *first = mailbox_make(loop);
	struct aio_mailbox *second = mailbox_make(loop);
	struct letter *a = letters_make(0, 2), *b = letters_make(1, 2);
	struct sender senders[2] = {
		{.mb = first, .letters = a, .count = 2},
		{.mb = second, .letters = b, .count = 2},
	};
	sender_start(&senders[0]);
	sender_start(&senders[1]);
	sender_join(&senders[0]);
	sender_join(&senders[1]);
	run_until_idle(loop, 10);
	ck_assert_int_eq(delivered, 4);
	ck_assert_int_eq(out_of_order, 0);
	aio_mailbox_free(second);
	aio_mailbox_free(first);
	free(a);
	free(b);
}
END_TEST

/* holds */

/* An idle mailbox neither makes the loop alive nor makes run_once block,
 * and its watcher does not hold libev's loop, before or after free. */
START_TEST(test_mailbox_idle_does_not_hold)
{
	ck_assert(!libev_held(loop));
	struct aio_mailbox *mb = mailbox_make(loop);
	ck_assert(!libev_held(loop));
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	double start = aio_loop_time(loop);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_double_lt(aio_loop_time(loop) - start, NO_BLOCK);
	aio_mailbox_free(mb);
	ck_assert(!libev_held(loop));
}
END_TEST

/* A thread that posts one letter 20 ms on, while the test holds the loop
 * and turns it; returns how many turns it took to deliver. */
static long held_loop_wait(struct aio_mailbox *mb, struct letter *l)
{
	struct sender s = {.mb = mb, .letters = l, .count = 1, .delay_ms = 20};
	aio_loop_hold(loop);
	double start = aio_loop_time(loop);
	sender_start(&s);
	long taken = 0;
	while (delivered == 0 && aio_loop_time(loop) - start < 1.0) {
		aio_loop_run_once(loop);
		taken++;
	}
	aio_loop_release(loop);
	sender_join(&s);
	ck_assert_int_eq(l->runs, 1);
	ck_assert_int_eq(off_thread, 0);
	ck_assert_double_ge(aio_loop_time(loop) - start, 0.015);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	return taken;
}

/* Held by the test, the loop waits for a letter posted late from another
 * thread, runs it, and is idle once released. */
START_TEST(test_mailbox_held_loop_runs_late_mail)
{
	struct aio_mailbox *mb = mailbox_make(loop);
	struct letter l = {0};
	held_loop_wait(mb, &l);
	aio_mailbox_free(mb);
}
END_TEST

/*
 * Regression: the held loop sleeps in its poll until the letter wakes it,
 * as it does for a pool's job (check_workers.c). It used to spin, some
 * 10,000 turns in 20 ms: the mailbox's ev_async is unref'd, and libev's
 * ev_run(EVRUN_ONCE) does not block when nothing refs its loop; now
 * aio_loop_hold refs it.
 */
START_TEST(test_mailbox_held_loop_sleeps_until_mail)
{
	struct aio_mailbox *mb = mailbox_make(loop);
	struct letter l = {0};
	long taken = held_loop_wait(mb, &l);
	ck_assert_msg(taken < 10, "the held loop spun %ld turns waiting for mail", taken);
	aio_mailbox_free(mb);
}
END_TEST

/* free */

/* Mail posted, its thread gone, but the loop not run yet: free drops it.
 * The letters are freed at once, so a late delivery is a use after free. */
START_TEST(test_mailbox_free_drops_undelivered)
{
	struct aio_mailbox *mb = mailbox_make(loop);
	struct letter *ls = letters_make(0, 3);
	struct sender s = {.mb = mb, .letters = ls, .count = 3};
	sender_start(&s);
	sender_join(&s);
	aio_mailbox_free(mb);
	free(ls);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	turns(3);
	ck_assert_int_eq(delivered, 0);
	/* The loop takes a new mailbox as if none had been. */
	mb = mailbox_make(loop);
	struct letter l = {0};
	aio_mailbox_post(mb, &l.mail, deliver);
	run_until_idle(loop, 5);
	ck_assert_int_eq(l.runs, 1);
	aio_mailbox_free(mb);
}
END_TEST

/* Calls that are always ready (tasks handing work to each other) do not
 * shut mail out: the loop still polls, if not on every turn. */
static int busy_runs;

static void busy_again(struct aio_call *call)
{
	busy_runs++;
	aio_call_soon(loop, call, busy_again);
}

START_TEST(test_mailbox_busy_loop_still_receives)
{
	struct aio_mailbox *mb = mailbox_make(loop);
	struct aio_call busy = {0};
	busy_runs = 0;
	aio_call_soon(loop, &busy, busy_again);
	turns(3);
	struct letter l = {0};
	aio_mailbox_post(mb, &l.mail, deliver);
	double start = aio_loop_time(loop);
	while (l.runs == 0 && aio_loop_time(loop) - start < 1.0)
		aio_loop_run_once(loop);
	ck_assert_int_eq(l.runs, 1);
	ck_assert_double_lt(aio_loop_time(loop) - start, 0.5);
	ck_assert_int_gt(busy_runs, 3);
	aio_call_cancel(&busy);
	aio_mailbox_free(mb);
}
END_TEST

START_TEST(test_mailbox_free_unused_and_null)
{
	aio_mailbox_free(mailbox_make(loop));
	aio_mailbox_free(NULL);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
}
END_TEST

Suite *mailbox_suite(void)
{
	Suite *s = suite_create("mailbox");
	TCase *tc = check_tcase(s, "core", mailbox_setup, loop_teardown, 5);
	tcase_add_test(tc, test_mailbox_many_threads_once_each_in_order);
	tcase_add_test(tc, test_mailbox_post_from_loop_thread);
	tcase_add_test(tc, test_mailbox_control_mail_goes_first);
	tcase_add_test(tc, test_mailbox_ordinary_mail_waits);
	tcase_add_test(tc, test_mailbox_repost_from_delivery);
	tcase_add_test(tc, test_mailbox_two_on_one_loop);
	tcase_add_test(tc, test_mailbox_busy_loop_still_receives);

	tc = check_tcase(s, "holds", mailbox_setup, loop_teardown, 5);
	tcase_add_test(tc, test_mailbox_idle_does_not_hold);
	tcase_add_test(tc, test_mailbox_held_loop_runs_late_mail);

	tc = check_tcase(s, "free", mailbox_setup, loop_teardown, 5);
	tcase_add_test(tc, test_mailbox_free_drops_undelivered);
	tcase_add_test(tc, test_mailbox_free_unused_and_null);

	tc = check_tcase(s, "regressions", mailbox_setup, loop_teardown, 5);
	tcase_add_test(tc, test_mailbox_held_loop_sleeps_until_mail);
	return s;
}
