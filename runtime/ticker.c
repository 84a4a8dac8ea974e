/* ticker.c -- a repeating timer that does not keep the loop running */
#include "ticker.h"

#include <errno.h>
#include <ev.h>
#include <stdlib.h>

struct aio_ticker {
	ev_timer watcher;
	struct aio_call call;
	struct aio_loop *loop;
	aio_ticker_fn fn;
	void *udata;
};

static void run_tick(struct aio_call *call)
{
	struct aio_ticker *ticker = aio_container_of(call, struct aio_ticker, call);
	ticker->fn(ticker, ticker->udata);
}

static void tick_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	struct aio_ticker *ticker = aio_container_of(w, struct aio_ticker, watcher);
	(void)ev;
	(void)revents;
	if (!aio_call_queued(&ticker->call))
		aio_call_soon(ticker->loop, &ticker->call, run_tick);
}

struct aio_ticker *aio_ticker_new(struct aio_loop *loop, double interval,
				  aio_ticker_fn fn, void *udata, int *err)
{
	if (!(interval > 0)) {
		*err = -EINVAL;
		return NULL;
	}
	struct aio_ticker *ticker = calloc(1, sizeof *ticker);
	if (!ticker) {
		*err = -ENOMEM;
		return NULL;
	}
	ticker->loop = loop;
	ticker->fn = fn;
	ticker->udata = udata;
	ev_timer_init(&ticker->watcher, tick_cb, interval, interval);
	ev_timer_start(aio_loop_ev(loop), &ticker->watcher);
	/* Not a reason for libev to block either: only a hold or a timer is. */
	ev_unref(aio_loop_ev(loop));
	return ticker;
}

void aio_ticker_free(struct aio_ticker *ticker)
{
	if (!ticker)
		return;
	ev_ref(aio_loop_ev(ticker->loop));
	ev_timer_stop(aio_loop_ev(ticker->loop), &ticker->watcher);
	aio_call_cancel(&ticker->call);
	free(ticker);
}
