/* dgram.c -- datagram sockets (UDP, Unix) on the loop: whole datagrams in and out, readiness only while asked for */
#include "dgram.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * The socket is watched only in the directions its owner asks for: a
 * reader nobody waits on leaves datagrams in the kernel's buffer, which
 * bounds the memory they take (the kernel drops what does not fit), and
 * an idle endpoint costs the loop nothing.
 */
struct aio_dgram {
	ev_io io;
	struct aio_resource res;
	struct aio_loop *loop;	/* NULL once the loop went away */
	aio_dgram_fn fn;
	void *udata;
	int fd;
	int events;		/* watched: AIO_DGRAM_* */
};

static int fail(int fd)
{
	int err = -errno;
	close(fd);
	return err;
}

/* A stale socket file at a Unix address's path goes, as Python removes it. */
static int clear_unix_path(const struct sockaddr *local, socklen_t len)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)local;
	struct stat st;
	if (len <= offsetof(struct sockaddr_un, sun_path) || !un->sun_path[0])
		return 0;
	if (lstat(un->sun_path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return -EADDRINUSE;
	if (unlink(un->sun_path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int aio_dgram_socket(int family, const struct sockaddr *local, socklen_t local_len,
		     const struct sockaddr *remote, socklen_t remote_len, unsigned flags)
{
	if (local && family == AF_UNIX) {
		int err = clear_unix_path(local, local_len);
		if (err < 0)
			return err;
	}
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	if ((flags & AIO_DGRAM_REUSE_PORT) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
		return fail(fd);
	if ((flags & AIO_DGRAM_BROADCAST) &&
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0)
		return fail(fd);
	if (local && bind(fd, local, local_len) < 0)
		return fail(fd);
	if (remote && connect(fd, remote, remote_len) < 0)
		return fail(fd);
	return fd;
}

static void io_cb(struct ev_loop *ev, ev_io *io, int revents)
{
	struct aio_dgram *d = aio_container_of(io, struct aio_dgram, io);
	(void)ev;
	int events = (revents & EV_READ ? AIO_DGRAM_READABLE : 0) |
		     (revents & EV_WRITE ? AIO_DGRAM_WRITABLE : 0);
	d->fn(d, events & d->events, d->udata);
}

void aio_dgram_watch(struct aio_dgram *d, int events)
{
	if (!d->loop || d->events == events)
		return;
	struct ev_loop *ev = aio_loop_ev(d->loop);
	if (d->events) {
		ev_io_stop(ev, &d->io);
		aio_loop_release(d->loop);
	}
	d->events = events;
	if (events) {
		/* ev_io_modify, not ev_io_set, which would make libev tell
		 * the kernel again: stopped and started again with the same
		 * events before the next poll, the watcher costs no
		 * epoll_ctl, so a reader that waits for one datagram after
		 * another costs none. */
		ev_io_modify(&d->io, (events & AIO_DGRAM_READABLE ? EV_READ : 0) |
				     (events & AIO_DGRAM_WRITABLE ? EV_WRITE : 0));
		ev_io_start(ev, &d->io);
		aio_loop_hold(d->loop);
	}
}

/* Unwatches, lets go of the descriptor; the loop forgets d. */
static void release(struct aio_dgram *d)
{
	aio_dgram_watch(d, 0);
	aio_loop_disown_fd(d->loop, d->fd);
	aio_loop_untrack(&d->res);
}

static void loop_gone(struct aio_resource *res)
{
	struct aio_dgram *d = aio_container_of(res, struct aio_dgram, res);
	aio_dgram_watch(d, 0);
	aio_loop_disown_fd(d->loop, d->fd);
	close(d->fd);
	d->fd = -1;
	d->loop = NULL;
}

struct aio_dgram *aio_dgram_new(struct aio_loop *loop, int fd, aio_dgram_fn fn,
				void *udata, int *err)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)) {
		*err = -errno;
		return NULL;
	}
	struct aio_dgram *d = calloc(1, sizeof *d);
	if (!d || aio_loop_own_fd(loop, fd) < 0) {
		free(d);
		*err = -ENOMEM;
		return NULL;
	}
	ev_io_init(&d->io, io_cb, fd, EV_READ);
	d->loop = loop;
	d->fn = fn;
	d->udata = udata;
	d->fd = fd;
	aio_loop_track(loop, &d->res, loop_gone);
	return d;
}

ssize_t aio_dgram_recv(struct aio_dgram *d, void *buf, size_t size,
		       struct sockaddr_storage *from, socklen_t *from_len, int *truncated)
{
	if (d->fd < 0)
		return -EBADF;
	struct iovec iov = {.iov_base = buf, .iov_len = size};
	struct msghdr msg = {.msg_name = from, .msg_namelen = from ? sizeof *from : 0,
			     .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;
	do
		n = recvmsg(d->fd, &msg, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (from_len)
		*from_len = msg.msg_namelen;
	*truncated = (msg.msg_flags & MSG_TRUNC) != 0;
	return n;
}

int aio_dgram_send(struct aio_dgram *d, const void *data, size_t len,
		   const struct sockaddr *to, socklen_t to_len)
{
	if (d->fd < 0)
		return -EBADF;
	ssize_t n;
	do
		n = sendto(d->fd, data, len, MSG_NOSIGNAL, to, to ? to_len : 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

int aio_dgram_fd(const struct aio_dgram *d)
{
	return d->fd;
}

int aio_dgram_detach(struct aio_dgram *d)
{
	int fd = d->fd;
	if (d->loop)
		release(d);
	free(d);
	return fd;
}

void aio_dgram_close(struct aio_dgram *d)
{
	if (!d)
		return;
	int fd = aio_dgram_detach(d);
	if (fd >= 0)
		close(fd);
}
