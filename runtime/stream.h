/* stream.h -- a non-blocking byte stream on a socket or pipe: read-ahead, write buffering, connect */
#ifndef AIO_STREAM_H
#define AIO_STREAM_H

#include "buf.h"
#include "loop.h"

#include <sys/socket.h>

struct aio_stream;

/* Events handed to the stream's handler; several may come at once. */
enum {
	AIO_STREAM_READ = 1,	/* input grew, or end of file or an error came */
	AIO_STREAM_WRITE = 2,	/* pending output fell to the low-water mark, or an error came */
	AIO_STREAM_CONNECT = 4,	/* connecting ended; aio_stream_error tells how */
	AIO_STREAM_CLOSED = 8,	/* the descriptor is closed; the stream is freed after the handler */
};

typedef void (*aio_stream_fn)(struct aio_stream *s, unsigned events);

/* Flags of aio_stream_new. */
enum {
	AIO_STREAM_SOCKET = 1,	/* send with MSG_NOSIGNAL; shutdown for write_eof */
	AIO_STREAM_NO_READ = 2,	/* a pipe's write end: never read */
	AIO_STREAM_NO_WRITE = 4,	/* a pipe's read end: never written */
	AIO_STREAM_NONBLOCK = 8,	/* fd is non-blocking already (accept4, SOCK_NONBLOCK) */
};

/*
 * Takes fd (made non-blocking here unless AIO_STREAM_NONBLOCK says it is) into a new stream that reads ahead at
 * once. fn(s, events) is called from the loop: from libev's callbacks for
 * I/O, from the ready queue for what a call of this API caused; never from
 * inside a call of this API. On failure returns NULL, sets *err to -errno
 * and leaves fd open.
 *
 * A stream never holds the loop (aio_loop_hold): an owner whose task waits
 * on it holds the loop itself, so an idle or closing stream does not keep
 * a program alive.
 */
struct aio_stream *aio_stream_new(struct aio_loop *loop, int fd, unsigned flags,
				  aio_stream_fn fn, void *udata, int *err);

/*
 * Starts a non-blocking connect from a new socket (close-on-exec; TCP
 * sockets get TCP_NODELAY) to addr, bound to local first when given. The
 * stream reads once connected; until then aio_stream_connecting is true
 * and AIO_STREAM_CONNECT comes when it ends. An error known at once
 * (refused on a Unix socket, no such address) returns NULL with *err.
 */
struct aio_stream *aio_stream_connect(struct aio_loop *loop,
				      const struct sockaddr *addr, socklen_t len,
				      const struct sockaddr *local, socklen_t local_len,
				      aio_stream_fn fn, void *udata, int *err);

void *aio_stream_udata(const struct aio_stream *s);
int aio_stream_fd(const struct aio_stream *s);	/* -1 once closed */
int aio_stream_connecting(const struct aio_stream *s);

/*
 * Input read ahead, for the owner to look at; it takes bytes with
 * aio_stream_consume(s, n), which drops the first n (at most all):
 * reading pauses while at least high bytes are buffered (default 128 KiB)
 * and resumes below it.
 */
struct aio_buf *aio_stream_input(struct aio_stream *s);
void aio_stream_consume(struct aio_stream *s, size_t n);
void aio_stream_set_read_high(struct aio_stream *s, size_t high);

/*
 * For an owner about to take input as soon as it comes (a task waiting in
 * read): while on, and the stream's last read was long (16 KiB or more),
 * input the descriptor announces into an empty input is not read at once;
 * AIO_STREAM_READ comes, and turning it off reads it. So long reads
 * happen where the owner runs, each answered before the next
 * connection's read, in one block used in turn, not one held per
 * connection until its owner runs. Plain sockets only: it does nothing on
 * a TLS stream or a pipe.
 */
void aio_stream_defer_reads(struct aio_stream *s, int on);
int aio_stream_eof(const struct aio_stream *s);	/* end of file was read */

/* 0, or the errno that broke the connection (sticky). */
int aio_stream_error(const struct aio_stream *s);

/*
 * Sends p[0, n) now as far as the descriptor takes it and buffers the
 * rest. Returns 0, or -errno: the stream's error, -EPIPE after write_eof
 * or close, -ENOMEM.
 */
int aio_stream_write(struct aio_stream *s, const void *p, size_t n);
size_t aio_stream_write_pending(const struct aio_stream *s);
/* AIO_STREAM_WRITE comes when pending output falls to low (default 16 KiB). */
void aio_stream_set_write_low(struct aio_stream *s, size_t low);

/* Ends the writing side once pending output is sent. 0 or -errno (-EPIPE
 * on a stream made with AIO_STREAM_NO_WRITE). */
int aio_stream_shutdown(struct aio_stream *s);

/*
 * Closes gracefully: stops reading, sends what is pending, then closes the
 * descriptor and reports AIO_STREAM_CLOSED. A second call does nothing.
 */
void aio_stream_close(struct aio_stream *s);

/* Closes now, dropping pending output; AIO_STREAM_CLOSED follows from the
 * ready queue. On a closing stream, cuts its flush short. */
void aio_stream_abort(struct aio_stream *s);

/*
 * The owner lets go of s: no more events; a stream not yet closing is
 * closed gracefully, and it frees itself once closed. s must not be used
 * after. The one call that ends the owner's part, whatever state s is in.
 *
 * If the loop is freed first, the stream is closed then without events and
 * only waits for this call; close and abort then do nothing.
 */
void aio_stream_release(struct aio_stream *s);

/* Whether close or abort was called, or the loop went away. */
int aio_stream_closing(const struct aio_stream *s);

#endif
