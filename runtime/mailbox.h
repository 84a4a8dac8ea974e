/* mailbox.h -- calls posted from other threads, run on the loop's thread */
#ifndef AIO_MAILBOX_H
#define AIO_MAILBOX_H

#include "loop.h"

struct aio_mailbox;

/* Caller-owned; it belongs to the mailbox from post until fn runs. */
struct aio_mail {
	struct aio_call call;	/* queued on the loop with fn */
	struct aio_mail *next;	/* mailbox-internal */
	aio_call_fn fn;
};

/* A mailbox for loop. NULL and *err = -errno on failure. */
struct aio_mailbox *aio_mailbox_new(struct aio_loop *loop, int *err);

/* On the loop's thread, before any post: the mail is control work (the
 * control socket's requests), queued in the loop's control lane, ahead of
 * the ready calls, instead of behind them. */
void aio_mailbox_set_control(struct aio_mailbox *mb);

/*
 * From any thread: queues m->call, with fn, on the loop's ready queue as
 * soon as the loop wakes (it is woken at once). The mailbox does not hold
 * the loop: whoever expects mail does.
 */
void aio_mailbox_post(struct aio_mailbox *mb, struct aio_mail *m, aio_call_fn fn);

/* Frees mb; mail posted but not yet queued is dropped, not run. Only once
 * no thread can post any more. NULL is harmless. */
void aio_mailbox_free(struct aio_mailbox *mb);

#endif
