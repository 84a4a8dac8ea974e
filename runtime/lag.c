/* lag.c -- how long the loop's turns take: a minute of per-second histograms, for p50, p99 and max */
#include "lag.h"

#include <math.h>
#include <string.h>

/* Seconds are counted from 1, so that 0 marks a slot never used. */
static int64_t second_of(double now)
{
	return (int64_t)floor(now) + 1;
}

static int bucket_of(double duration)
{
	double us = duration * 1e6;
	if (!(us > 1))
		return 0;	/* NaN too */
	int i = (int)ceil(2 * log2(us));
	return i < AIO_LAG_BUCKETS ? i : AIO_LAG_BUCKETS - 1;
}

static double bucket_bound(int i)
{
	return exp2(i / 2.0) / 1e6;
}

void aio_lag_record(struct aio_lag *lag, double now, double duration)
{
	int64_t sec = second_of(now);
	struct aio_lag_second *slot = &lag->slots[sec % AIO_LAG_SECONDS];
	if (slot->second != sec) {
		memset(slot, 0, sizeof *slot);
		slot->second = sec;
	}
	slot->count[bucket_of(duration)]++;
	if (duration > slot->max)
		slot->max = duration;
}

static double percentile(const uint64_t *counts, uint64_t total, double p, double max)
{
	uint64_t want = (uint64_t)ceil(p * (double)total), seen = 0;
	for (int i = 0; i < AIO_LAG_BUCKETS; i++) {
		seen += counts[i];
		if (seen >= want) {
			double bound = bucket_bound(i);
			return bound < max ? bound : max;
		}
	}
	return max;
}

void aio_lag_summarize(const struct aio_lag *lag, double now, struct aio_lag_summary *out)
{
	int64_t sec = second_of(now);
	uint64_t counts[AIO_LAG_BUCKETS] = {0};
	memset(out, 0, sizeof *out);
	for (int s = 0; s < AIO_LAG_SECONDS; s++) {
		const struct aio_lag_second *slot = &lag->slots[s];
		if (!slot->second || sec - slot->second >= AIO_LAG_SECONDS || slot->second > sec)
			continue;
		for (int i = 0; i < AIO_LAG_BUCKETS; i++) {
			counts[i] += slot->count[i];
			out->turns += slot->count[i];
		}
		if (slot->max > out->max)
			out->max = slot->max;
	}
	if (!out->turns)
		return;
	out->p50 = percentile(counts, out->turns, 0.50, out->max);
	out->p99 = percentile(counts, out->turns, 0.99, out->max);
}
