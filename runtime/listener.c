/* listener.c -- accepting connections on a listening socket; pauses, never spins, when descriptors run out */
#define _GNU_SOURCE /* accept4 */
#include "listener.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* Connections taken per readiness, so one busy listener cannot starve the
 * rest of the loop. */
#define ACCEPT_BATCH 64

struct aio_listener {
	ev_io watcher;
	struct aio_timer retry;
	struct aio_resource res;
	struct aio_loop *loop;	/* NULL once the loop went away */
	aio_accept_fn fn;
	void *udata;
	double retry_delay;
	int fd;
	int tcp;
	int accepting;		/* the watcher runs (and holds the loop) */
	int dispatching;	/* inside fn: a close then only marks it */
	int closed;
};

static void set_accepting(struct aio_listener *l, int on)
{
	if (l->accepting == on)
		return;
	l->accepting = on;
	if (on) {
		ev_io_start(aio_loop_ev(l->loop), &l->watcher);
		aio_loop_hold(l->loop);
	} else {
		ev_io_stop(aio_loop_ev(l->loop), &l->watcher);
		aio_loop_release(l->loop);
	}
}

static void retry_due(struct aio_call *call)
{
	struct aio_listener *l = aio_container_of(call, struct aio_listener, retry.call);
	set_accepting(l, 1);
}

/* Out of descriptors: the pending connection stays in the backlog, and
 * would wake us at once again; wait instead. */
static void pause_accepting(struct aio_listener *l)
{
	set_accepting(l, 0);
	if (aio_timer_start(l->loop, &l->retry, aio_loop_time(l->loop) + l->retry_delay,
			    retry_due) < 0)
		set_accepting(l, 1);
}

static void accept_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct aio_listener *l = aio_container_of(w, struct aio_listener, watcher);
	(void)ev;
	(void)revents;
	for (int i = 0; i < ACCEPT_BATCH && l->accepting; i++) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				pause_accepting(l);
			/* EAGAIN ends the batch; a connection that was reset or
			 * aborted before we took it is simply gone. */
			if (errno == EAGAIN || errno == EWOULDBLOCK || l->accepting == 0)
				return;
			continue;
		}
		if (l->tcp) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		}
		l->dispatching = 1;
		l->fn(l, fd);
		l->dispatching = 0;
		if (l->closed) {
			free(l);
			return;
		}
	}
}

static void stop(struct aio_listener *l)
{
	set_accepting(l, 0);
	aio_timer_stop(l->loop, &l->retry);
	aio_loop_disown_fd(l->loop, l->fd);
	close(l->fd);
	l->fd = -1;
}

static void loop_gone(struct aio_resource *res)
{
	struct aio_listener *l = aio_container_of(res, struct aio_listener, res);
	stop(l);
	l->loop = NULL;
}

struct aio_listener *aio_listener_new(struct aio_loop *loop, int fd,
				      double retry_delay, aio_accept_fn fn,
				      void *udata, int *err)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fl = fcntl(fd, F_GETFL);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 || fl < 0 ||
	    (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)) {
		*err = -errno;
		return NULL;
	}
	struct aio_listener *l = calloc(1, sizeof *l);
	if (!l || aio_loop_own_fd(loop, fd) < 0) {
		free(l);
		*err = -ENOMEM;
		return NULL;
	}
	ev_io_init(&l->watcher, accept_cb, fd, EV_READ);
	aio_timer_init(&l->retry);
	l->loop = loop;
	l->fn = fn;
	l->udata = udata;
	l->retry_delay = retry_delay;
	l->fd = fd;
	l->tcp = ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
	aio_loop_track(loop, &l->res, loop_gone);
	set_accepting(l, 1);
	return l;
}

void *aio_listener_udata(const struct aio_listener *l)
{
	return l->udata;
}

int aio_listener_fd(const struct aio_listener *l)
{
	return l->fd;
}

int aio_listener_paused(const struct aio_listener *l)
{
	return l->loop && !l->accepting;
}

int aio_listener_detach(struct aio_listener *l)
{
	int fd = l->fd;
	if (l->loop && !l->closed) {
		aio_loop_untrack(&l->res);
		set_accepting(l, 0);
		aio_timer_stop(l->loop, &l->retry);
		aio_loop_disown_fd(l->loop, fd);
	}
	free(l);
	return fd;
}

void aio_listener_close(struct aio_listener *l)
{
	if (l->loop && !l->closed) {
		aio_loop_untrack(&l->res);
		stop(l);
	}
	l->closed = 1;
	if (!l->dispatching)
		free(l);
}
