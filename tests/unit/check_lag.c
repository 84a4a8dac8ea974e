/* check_lag.c -- Check tests for runtime/lag.c: percentiles, the minute's window, extremes */
#include "check_runtime.h"
#include "check_util.h"
#include "lag.h"

#include <math.h>
#include <stdlib.h>

START_TEST(test_lag_empty)
{
	struct aio_lag lag = {0};
	struct aio_lag_summary s;
	aio_lag_summarize(&lag, 100.0, &s);
	ck_assert_uint_eq(s.turns, 0);
	ck_assert(s.p50 == 0 && s.p99 == 0 && s.max == 0);
}
END_TEST

/* 990 turns of 10 µs and 10 of 5 ms: p50 near 10 µs, p99 at most the
 * bucket above 10 µs, max exact. */
START_TEST(test_lag_percentiles)
{
	struct aio_lag *lag = calloc(1, sizeof *lag);
	for (int i = 0; i < 990; i++)
		aio_lag_record(lag, 100.0 + i * 0.001, 10e-6);
	for (int i = 0; i < 10; i++)
		aio_lag_record(lag, 101.0, 5e-3);
	aio_lag_record(lag, 101.5, 1e-7);	/* under a µs: the first bucket */
	struct aio_lag_summary s;
	aio_lag_summarize(lag, 101.5, &s);
	ck_assert_uint_eq(s.turns, 1001);
	ck_assert(s.p50 >= 10e-6 && s.p50 <= 10e-6 * M_SQRT2);
	ck_assert(s.p99 >= 10e-6 && s.p99 <= 10e-6 * M_SQRT2);
	ck_assert(s.max == 5e-3);
	free(lag);
}
END_TEST

/* A minute on, the old seconds no longer count; a slot is reused. */
START_TEST(test_lag_window)
{
	struct aio_lag *lag = calloc(1, sizeof *lag);
	aio_lag_record(lag, 10.2, 1.0);
	aio_lag_record(lag, 40.0, 2e-3);
	struct aio_lag_summary s;
	aio_lag_summarize(lag, 60.0, &s);
	ck_assert_uint_eq(s.turns, 2);
	ck_assert(s.max == 1.0);
	aio_lag_summarize(lag, 75.0, &s);
	ck_assert_uint_eq(s.turns, 1);
	ck_assert(s.max == 2e-3);
	ck_assert(s.p50 >= 2e-3 && s.p50 <= 2e-3 * M_SQRT2);
	/* Second 70.x lands in 10.x's slot: 10.x is forgotten, not added. */
	aio_lag_record(lag, 70.5, 3e-6);
	aio_lag_summarize(lag, 70.9, &s);
	ck_assert_uint_eq(s.turns, 2);
	ck_assert(s.max == 2e-3);
	aio_lag_summarize(lag, 200.0, &s);
	ck_assert_uint_eq(s.turns, 0);
	free(lag);
}
END_TEST

/* Hours, NaN and negative durations land in the end buckets, never outside. */
START_TEST(test_lag_extremes)
{
	struct aio_lag *lag = calloc(1, sizeof *lag);
	aio_lag_record(lag, 5.0, 7200.0);
	aio_lag_record(lag, 5.0, NAN);
	aio_lag_record(lag, 5.0, -1.0);
	struct aio_lag_summary s;
	aio_lag_summarize(lag, 5.5, &s);
	ck_assert_uint_eq(s.turns, 3);
	ck_assert(s.max == 7200.0);
	ck_assert(s.p99 <= 7200.0);
	free(lag);
}
END_TEST

Suite *lag_suite(void)
{
	Suite *s = suite_create("lag");
	TCase *tc = check_tcase(s, "core", NULL, NULL, 5);
	tcase_add_test(tc, test_lag_empty);
	tcase_add_test(tc, test_lag_percentiles);
	tcase_add_test(tc, test_lag_window);
	tcase_add_test(tc, test_lag_extremes);
	return s;
}
