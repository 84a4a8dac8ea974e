/* check_ticker.c -- Check tests for runtime/ticker.c: ticks from the queue, never keeping the loop alive */
#include "check_runtime.h"
#include "check_util.h"
#include "loop.h"
#include "ticker.h"

#include <errno.h>

static int ticks;
static struct aio_ticker *last_ticker;

static void ticks_reset(void)
{
	ticks = 0;
	last_ticker = NULL;
}

static void on_tick(struct aio_ticker *ticker, void *udata)
{
	ticks++;
	last_ticker = ticker;
	*(int *)udata = 1;
}

static void nothing(struct aio_call *call)
{
	(void)call;
}

/* core */

START_TEST(test_ticker_ticks_while_loop_turns)
{
	struct aio_loop *loop = loop_make();
	int seen = 0;
	int err = 0;
	struct aio_ticker *ticker = aio_ticker_new(loop, 0.01, on_tick, &seen, &err);
	ck_assert_ptr_nonnull(ticker);
	/* A timer keeps the loop turning past a few ticks. */
	struct aio_timer timer;
	aio_timer_init(&timer);
	ck_assert_int_eq(aio_timer_start(loop, &timer, aio_loop_time(loop) + 0.05, nothing), 0);
	while (aio_loop_run_once(loop) == AIO_LOOP_ALIVE)
		;
	ck_assert_int_ge(ticks, 2);
	ck_assert_int_eq(seen, 1);
	ck_assert_ptr_eq(last_ticker, ticker);
	aio_ticker_free(ticker);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_ticker_bad_interval)
{
	struct aio_loop *loop = loop_make();
	int err = 0;
	ck_assert_ptr_null(aio_ticker_new(loop, 0, on_tick, NULL, &err));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_ptr_null(aio_ticker_new(loop, -1, on_tick, NULL, &err));
	aio_ticker_free(NULL);
	aio_loop_free(loop);
}
END_TEST

/* state */

START_TEST(test_ticker_not_keeps_alive)
{
	struct aio_loop *loop = loop_make();
	int seen = 0, err = 0;
	struct aio_ticker *ticker = aio_ticker_new(loop, 0.01, on_tick, &seen, &err);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	double start = aio_loop_time(loop);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_double_lt(aio_loop_time(loop) - start, NO_BLOCK);
	aio_ticker_free(ticker);
	aio_loop_free(loop);
}
END_TEST

/* cancel: after free, no tick runs, not even one already queued */

START_TEST(test_ticker_free_drops_queued_tick)
{
	struct aio_loop *loop = loop_make();
	int seen = 0, err = 0;
	struct aio_ticker *ticker = aio_ticker_new(loop, 0.01, on_tick, &seen, &err);
	struct aio_timer timer;
	aio_timer_init(&timer);
	ck_assert_int_eq(aio_timer_start(loop, &timer, aio_loop_time(loop) + 0.03, nothing), 0);
	/* Turns until the timer's call runs: the ticks came meanwhile. */
	while (aio_loop_timer_count(loop))
		aio_loop_run_once(loop);
	int before = ticks;
	aio_ticker_free(ticker);
	struct aio_timer later;
	aio_timer_init(&later);
	ck_assert_int_eq(aio_timer_start(loop, &later, aio_loop_time(loop) + 0.03, nothing), 0);
	while (aio_loop_run_once(loop) == AIO_LOOP_ALIVE)
		;
	ck_assert_int_eq(ticks, before);
	aio_loop_free(loop);
}
END_TEST

Suite *ticker_suite(void)
{
	Suite *s = suite_create("ticker");
	TCase *tc = check_tcase(s, "core", ticks_reset, NULL, 5);
	tcase_add_test(tc, test_ticker_ticks_while_loop_turns);
	tcase_add_test(tc, test_ticker_bad_interval);
	tc = check_tcase(s, "state", ticks_reset, NULL, 5);
	tcase_add_test(tc, test_ticker_not_keeps_alive);
	tc = check_tcase(s, "cancel", ticks_reset, NULL, 5);
	tcase_add_test(tc, test_ticker_free_drops_queued_tick);
	return s;
}
