/* dgram.h -- datagram sockets (UDP, Unix) on the loop: whole datagrams in and out, readiness only while asked for */
#ifndef AIO_DGRAM_H
#define AIO_DGRAM_H

#include "loop.h"

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

struct aio_dgram;

/* Options of aio_dgram_socket. */
enum {
	AIO_DGRAM_REUSE_PORT = 1,	/* SO_REUSEPORT */
	AIO_DGRAM_BROADCAST = 2,	/* SO_BROADCAST */
};

/* Readiness, for aio_dgram_watch and the callback. */
enum {
	AIO_DGRAM_READABLE = 1,
	AIO_DGRAM_WRITABLE = 2,
};

/*
 * Called from the loop's poll when d is ready in one of the directions
 * being watched (an error pending on the socket counts as both). It may
 * change what is watched, but not free d.
 */
typedef void (*aio_dgram_fn)(struct aio_dgram *d, int events, void *udata);

/*
 * A non-blocking, close-on-exec datagram socket of family (AF_INET,
 * AF_INET6, AF_UNIX), bound to local and connected to remote when given
 * (each may be NULL). A Unix socket file already at local's path is
 * removed first, as Python does; another kind of file there is
 * -EADDRINUSE. Returns the descriptor or -errno.
 */
int aio_dgram_socket(int family, const struct sockaddr *local, socklen_t local_len,
		     const struct sockaddr *remote, socklen_t remote_len, unsigned flags);

/*
 * Takes fd (a datagram socket, made non-blocking here) for the loop: it is
 * owned (aio_loop_own_fd) until closed or detached. Nothing is watched
 * until aio_dgram_watch asks. NULL and *err = -errno on failure (fd stays
 * the caller's then).
 */
struct aio_dgram *aio_dgram_new(struct aio_loop *loop, int fd, aio_dgram_fn fn,
				void *udata, int *err);

/* Which readiness fn hears of (0: none). While something is watched, the
 * loop counts it as something that can still happen. */
void aio_dgram_watch(struct aio_dgram *d, int events);

/*
 * Reads one datagram into buf (up to size bytes; a longer one is cut, and
 * *truncated says so); from (may be NULL) gets the sender. Returns the
 * bytes kept (0 for an empty datagram), -EAGAIN when none is waiting, or
 * another -errno (-ECONNREFUSED: an ICMP error a connected socket heard,
 * reported once), -EBADF once closed or the loop went away.
 */
ssize_t aio_dgram_recv(struct aio_dgram *d, void *buf, size_t size,
		       struct sockaddr_storage *from, socklen_t *from_len, int *truncated);

/* Sends one whole datagram (to NULL: to the connected peer). 0, -EAGAIN
 * when the socket's buffer is full, or another -errno. */
int aio_dgram_send(struct aio_dgram *d, const void *data, size_t len,
		   const struct sockaddr *to, socklen_t to_len);

/* The descriptor, or -1 once the loop went away. */
int aio_dgram_fd(const struct aio_dgram *d);

/* Frees d and gives its descriptor back, open and no longer owned, for
 * another aio_dgram to take over (-1 if the loop went away). */
int aio_dgram_detach(struct aio_dgram *d);

/* Frees d and closes its descriptor. NULL is harmless. */
void aio_dgram_close(struct aio_dgram *d);

#endif
