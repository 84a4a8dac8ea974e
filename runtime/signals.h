/* signals.h -- POSIX signals delivered as calls in the ready queue or the control lane */
#ifndef AIO_SIGNALS_H
#define AIO_SIGNALS_H

#include "loop.h"

struct aio_signal;

typedef void (*aio_signal_fn)(struct aio_signal *sig, void *udata);
typedef void (*aio_stop_fn)(int signum);

/* Flags of aio_signal_new. */
enum {
	/* Counts as something that can still happen: without it, a loop
	 * with nothing else to do ends. */
	AIO_SIGNAL_KEEPS_ALIVE = 1,
	/* The program's own behaviour for the signal: fn is skipped while a
	 * watcher without this flag (a script's handler) watches it too. */
	AIO_SIGNAL_DEFAULT = 2,
	/* Control work: fn runs in the loop's control lane, before the
	 * next ready call, even in the middle of a busy turn. */
	AIO_SIGNAL_CONTROL = 4,
};

/*
 * Watches signum on loop: when it arrives, fn(sig, udata) runs from the
 * ready queue (once, however often the signal came before it ran).
 * Only one loop may watch a given signal (SIGCHLD too: watching it reaps
 * nothing). Returns NULL and sets *err to -EINVAL (bad number, SIGKILL,
 * SIGSTOP), -EBUSY (another loop watches it) or -ENOMEM.
 */
struct aio_signal *aio_signal_new(struct aio_loop *loop, int signum,
				  aio_signal_fn fn, void *udata,
				  int flags, int *err);

/*
 * Makes signum a stop signal (on = 1) or no longer one (on = 0). Stop
 * signals are counted together in the signal handler itself, while the
 * signal has a watcher and no watcher takes it over: the first calls the
 * aio_signal_on_first_stop function, and any later one exits the process at
 * once with 128 + signum, even while the loop is stuck and never turns.
 * Delivery to the watchers is unchanged.
 */
void aio_signal_set_stop(int signum, int on);

/* fn(signum) runs in the signal handler on the first stop signal, so it
 * must be async-signal-safe. NULL: nothing runs. */
void aio_signal_on_first_stop(aio_stop_fn fn);

/* fn(signum) runs in the signal handler just before a second stop signal
 * exits the process, so it must be async-signal-safe (unlink, tcsetattr).
 * NULL: nothing runs. */
void aio_signal_on_exit_now(aio_stop_fn fn);

/* Whether a watcher without AIO_SIGNAL_DEFAULT watches signum. */
int aio_signal_taken(int signum);

/* Stops watching, drops a queued call and frees sig. NULL is harmless. */
void aio_signal_free(struct aio_signal *sig);

int aio_signal_signum(const struct aio_signal *sig);

/* Signal number for "TERM", "SIGTERM", "sigterm" or "15"; -1 when unknown. */
int aio_signal_number(const char *name);

/* The name of signum without "SIG" ("TERM"); NULL when it has none here. */
const char *aio_signal_name(int signum);

/* "libev 4.33": what the loop is built on, for version banners. */
const char *aio_backend_version(void);

#endif
