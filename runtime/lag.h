/* lag.h -- how long the loop's turns take: a minute of per-second histograms, for p50, p99 and max */
#ifndef AIO_LAG_H
#define AIO_LAG_H

#include <stdint.h>

#define AIO_LAG_SECONDS 60
/* Bucket i holds durations up to 2^(i/2) µs: a factor of √2 apart, from
 * 1 µs to about 12 minutes; the last one takes anything longer. */
#define AIO_LAG_BUCKETS 60

struct aio_lag_second {
	int64_t second;		/* which second it counts; 0: none yet */
	double max;
	uint32_t count[AIO_LAG_BUCKETS];
};

/* Caller-owned, zeroed before use (calloc or = {0}). */
struct aio_lag {
	struct aio_lag_second slots[AIO_LAG_SECONDS];
};

struct aio_lag_summary {
	uint64_t turns;		/* counted in the last minute */
	double p50, p99, max;	/* seconds; percentiles are a bucket's upper bound */
};

/* A turn that took duration seconds ended at monotonic time now. */
void aio_lag_record(struct aio_lag *lag, double now, double duration);

/* The turns that ended in the minute before now. All zero when none did. */
void aio_lag_summarize(const struct aio_lag *lag, double now, struct aio_lag_summary *out);

#endif
