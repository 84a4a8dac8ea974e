/* ticker.h -- a repeating timer that does not keep the loop running */
#ifndef AIO_TICKER_H
#define AIO_TICKER_H

#include "loop.h"

struct aio_ticker;

typedef void (*aio_ticker_fn)(struct aio_ticker *ticker, void *udata);

/*
 * Calls fn(ticker, udata) from the ready queue every interval seconds
 * (> 0) while the loop turns: a loop stuck in a call skips the ticks it
 * missed. It never counts as something that can still happen, so a loop
 * with nothing else to do ends as if it were not there (a watchdog's
 * heartbeat). Returns NULL and sets *err to -EINVAL or -ENOMEM.
 */
struct aio_ticker *aio_ticker_new(struct aio_loop *loop, double interval,
				  aio_ticker_fn fn, void *udata, int *err);

/* Stops it, drops a queued tick and frees ticker. NULL is harmless. */
void aio_ticker_free(struct aio_ticker *ticker);

#endif
