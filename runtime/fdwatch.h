/* fdwatch.h -- readiness of a script's own descriptors (loop:add_reader, asyncio.wait_readable), level-triggered */
#ifndef AIO_FDWATCH_H
#define AIO_FDWATCH_H

#include "loop.h"

struct aio_fdwatch;

/* Directions of aio_fdwatch_new. */
enum {
	AIO_FDWATCH_READ = 1,
	AIO_FDWATCH_WRITE = 2,
};

/*
 * Runs from the ready queue. err 0: fd is ready, and fn runs again on every
 * turn it still is. Otherwise the watch has stopped for good (fn runs no
 * more; its owner still frees it): -ETIMEDOUT, the deadline passed; -EBADF,
 * fd was closed while watched (or its number reused for another file);
 * -EBUSY, fd was closed and its number now belongs to a unit of the loop
 * (aio_loop_owns_fd). fn may free w.
 */
typedef void (*aio_fdwatch_fn)(struct aio_fdwatch *w, int err, void *udata);

/*
 * Whether fd may be watched on loop: 0, -EBADF (negative or not open) or
 * -EBUSY (a stream, listener or endpoint of the loop owns it).
 */
int aio_fdwatch_check(struct aio_loop *loop, int fd);

/*
 * Watches fd, which stays the caller's (never closed here), for events
 * (AIO_FDWATCH_READ or AIO_FDWATCH_WRITE), through an epoll set of its own
 * (one more descriptor, closed by aio_fdwatch_free), so the caller may
 * close fd while it is watched: fn then hears -EBADF at the next readiness
 * of the file, if that ever comes. A file epoll refuses (a regular one,
 * /dev/null) is ready on every turn, as poll would say. A watch counts as
 * something that can still happen on the loop until it stops. NULL and
 * *err set to what aio_fdwatch_check says, -EINVAL (fd is an epoll set,
 * which could nest back to the loop's own), -ENOMEM, or epoll's -errno on
 * failure.
 */
struct aio_fdwatch *aio_fdwatch_new(struct aio_loop *loop, int fd, int events,
				    aio_fdwatch_fn fn, void *udata, int *err);

/* Stops w with -ETIMEDOUT at monotonic time when, unless ready first; once
 * per watch. 0, -ENOMEM, or -EINVAL for NaN. */
int aio_fdwatch_set_deadline(struct aio_fdwatch *w, double when);

int aio_fdwatch_fd(const struct aio_fdwatch *w);

/* Stops watching and frees w; also from its fn, and after the loop went
 * away (which stops it). NULL is harmless. */
void aio_fdwatch_free(struct aio_fdwatch *w);

#endif
