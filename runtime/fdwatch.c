/* fdwatch.c -- readiness of a script's own descriptors (loop:add_reader, asyncio.wait_readable), level-triggered */
#include "fdwatch.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * libev never sees the script's descriptor: each watch puts it in an epoll
 * set of its own, and libev watches that set, which is ours and stays
 * valid. The script may close its descriptor without a word (Python allows
 * it), and libev, which cannot see a close, would then change its kernel
 * set through a dead number and abort on EBADF. Before each call the
 * script's descriptor is checked to still be the same file.
 */
struct aio_fdwatch {
	ev_io io;		/* on the set */
	struct aio_call call;	/* queued while fd is ready */
	struct aio_timer deadline;
	struct aio_resource res;
	struct aio_loop *loop;	/* NULL once the loop went away */
	aio_fdwatch_fn fn;
	void *udata;
	int fd;			/* the script's */
	dev_t dev;		/* what fd was when watching began */
	ino_t ino;
	int always_ready;	/* a file epoll refuses (EPERM): as poll says */
	int watching;		/* io runs (and holds the loop) */
};

/*
 * Whether fd is an epoll set. One in a set libev watches can nest back to
 * libev's own (it is one of them, or holds it), and libev asserts that its
 * epoll_ctl never fails with ELOOP or EINVAL; its number is not to be had
 * through libev's API, so epoll sets are refused altogether.
 */
static int is_epoll(int fd)
{
	char path[32], target[32];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof target - 1);
	if (n < 0)
		return 0;
	target[n] = 0;
	return strcmp(target, "anon_inode:[eventpoll]") == 0;
}

int aio_fdwatch_check(struct aio_loop *loop, int fd)
{
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	return aio_loop_owns_fd(loop, fd) ? -EBUSY : 0;
}

static void set_watching(struct aio_fdwatch *w, int on)
{
	if (w->watching == on)
		return;
	w->watching = on;
	if (on) {
		ev_io_start(aio_loop_ev(w->loop), &w->io);
		aio_loop_hold(w->loop);
	} else {
		ev_io_stop(aio_loop_ev(w->loop), &w->io);
		aio_loop_release(w->loop);
	}
}

static void stop(struct aio_fdwatch *w)
{
	set_watching(w, 0);
	aio_call_cancel(&w->call);
	aio_timer_stop(w->loop, &w->deadline);
}

/*
 * Whether the script's descriptor is still the file watched: closed, or
 * its number since reused (by aiod itself, or for another file), the set
 * would report readiness forever for what is no longer the script's.
 */
static int still_same(struct aio_fdwatch *w)
{
	struct stat st;
	int err = aio_fdwatch_check(w->loop, w->fd);
	if (err)
		return err;
	if (fstat(w->fd, &st) < 0 || st.st_dev != w->dev || st.st_ino != w->ino)
		return -EBADF;
	return 0;
}

static void ready(struct aio_call *call)
{
	struct aio_fdwatch *w = aio_container_of(call, struct aio_fdwatch, call);
	int err = still_same(w);
	if (err)
		stop(w);
	else if (w->always_ready)
		aio_call_soon(w->loop, &w->call, ready);	/* the next turn */
	w->fn(w, err, w->udata);
}

/* Level-triggered: one call per turn while fd stays ready. */
static void io_cb(struct ev_loop *ev, ev_io *io, int revents)
{
	struct aio_fdwatch *w = aio_container_of(io, struct aio_fdwatch, io);
	(void)ev;
	(void)revents;
	if (!aio_call_queued(&w->call))
		aio_call_soon(w->loop, &w->call, ready);
}

static void deadline_due(struct aio_call *call)
{
	struct aio_fdwatch *w = aio_container_of(call, struct aio_fdwatch, deadline.call);
	stop(w);
	w->fn(w, -ETIMEDOUT, w->udata);
}

static void loop_gone(struct aio_resource *res)
{
	struct aio_fdwatch *w = aio_container_of(res, struct aio_fdwatch, res);
	stop(w);
	w->loop = NULL;
}

struct aio_fdwatch *aio_fdwatch_new(struct aio_loop *loop, int fd, int events,
				    aio_fdwatch_fn fn, void *udata, int *err)
{
	struct stat st;
	*err = aio_fdwatch_check(loop, fd);
	if (*err)
		return NULL;
	if (fstat(fd, &st) < 0) {
		*err = -errno;
		return NULL;
	}
	struct aio_fdwatch *w = calloc(1, sizeof *w);
	int set = w ? epoll_create1(EPOLL_CLOEXEC) : -1;
	if (set < 0) {
		*err = w ? -errno : -ENOMEM;
		free(w);
		return NULL;
	}
	struct epoll_event ev = {.events = (events & AIO_FDWATCH_READ ? EPOLLIN : 0) |
					   (events & AIO_FDWATCH_WRITE ? EPOLLOUT : 0)};
	if (is_epoll(fd)) {
		*err = -EINVAL;
	} else if (epoll_ctl(set, EPOLL_CTL_ADD, fd, &ev) < 0) {
		*err = errno == EPERM ? 0 : -errno;
		w->always_ready = 1;
	}
	if (*err) {
		close(set);
		free(w);
		return NULL;
	}
	w->fd = fd;
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	ev_io_init(&w->io, io_cb, set, EV_READ);
	aio_timer_init(&w->deadline);
	w->loop = loop;
	w->fn = fn;
	w->udata = udata;
	aio_loop_track(loop, &w->res, loop_gone);
	set_watching(w, 1);
	if (w->always_ready)
		aio_call_soon(loop, &w->call, ready);
	return w;
}

int aio_fdwatch_set_deadline(struct aio_fdwatch *w, double when)
{
	return aio_timer_start(w->loop, &w->deadline, when, deadline_due);
}

int aio_fdwatch_fd(const struct aio_fdwatch *w)
{
	return w->fd;
}

void aio_fdwatch_free(struct aio_fdwatch *w)
{
	if (!w)
		return;
	if (w->loop) {
		aio_loop_untrack(&w->res);
		stop(w);
	}
	close(w->io.fd);
	free(w);
}
