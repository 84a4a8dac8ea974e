/* listener.h -- accepting connections on a listening socket; pauses, never spins, when descriptors run out */
#ifndef AIO_LISTENER_H
#define AIO_LISTENER_H

#include "loop.h"

struct aio_listener;

/* Gets each accepted descriptor (non-blocking, close-on-exec; TCP ones with
 * TCP_NODELAY), and owns it from then on. */
typedef void (*aio_accept_fn)(struct aio_listener *l, int fd);

/*
 * Takes the listening socket fd (made non-blocking here; one handed down
 * by a service manager may not be) and accepts on it from now on, calling fn
 * from the loop for each connection. When the process runs out of
 * descriptors (EMFILE, ENFILE) or memory, accepting pauses for
 * retry_delay seconds and then resumes, so a full table neither spins nor
 * stops the service for good. A listener counts as something that can
 * still happen on the loop. NULL and *err = -errno on failure (fd stays
 * open then).
 */
struct aio_listener *aio_listener_new(struct aio_loop *loop, int fd,
				      double retry_delay, aio_accept_fn fn,
				      void *udata, int *err);

void *aio_listener_udata(const struct aio_listener *l);
int aio_listener_fd(const struct aio_listener *l);	/* -1 once the loop went away */
/* Whether accepting is paused for lack of descriptors. */
int aio_listener_paused(const struct aio_listener *l);

/*
 * Stops accepting and frees l, but leaves the socket open and returns it
 * (-1 after the loop went away), so another listener can take it over:
 * connections waiting in its backlog are not lost. Not from inside fn.
 */
int aio_listener_detach(struct aio_listener *l);

/* Stops accepting, closes the socket and frees l (once fn returns, when
 * called from fn). Also after the loop went away (which stops and closes
 * it, leaving only this to do). */
void aio_listener_close(struct aio_listener *l);

#endif
