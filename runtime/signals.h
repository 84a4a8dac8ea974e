/* signals.h -- POSIX signals delivered as calls in the ready queue */
#ifndef AIO_SIGNALS_H
#define AIO_SIGNALS_H

#include "loop.h"

struct aio_signal;

typedef void (*aio_signal_fn)(struct aio_signal *sig, void *udata);

/*
 * Watches signum on loop: when it arrives, fn(sig, udata) runs from the
 * ready queue (once, however often the signal came before it ran).
 * keeps_alive = 0 makes the watcher not count as something that can still
 * happen, so a loop with nothing else to do ends. Only one loop may watch a
 * given signal (SIGCHLD too: watching it reaps nothing).
 * Returns NULL and sets *err to -EINVAL (bad number, SIGKILL, SIGSTOP),
 * -EBUSY (another loop watches it) or -ENOMEM.
 */
struct aio_signal *aio_signal_new(struct aio_loop *loop, int signum,
				  aio_signal_fn fn, void *udata,
				  int keeps_alive, int *err);

/* Stops watching, drops a queued call and frees sig. NULL is harmless. */
void aio_signal_free(struct aio_signal *sig);

int aio_signal_signum(const struct aio_signal *sig);

/* Signal number for "TERM", "SIGTERM", "sigterm" or "15"; -1 when unknown. */
int aio_signal_number(const char *name);

/* "libev 4.33": what the loop is built on, for version banners. */
const char *aio_backend_version(void);

#endif
