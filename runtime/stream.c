/* stream.c -- a non-blocking byte stream on a socket or pipe: read-ahead, write buffering, connect, TLS */
#include "stream.h"
#include "tls.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <unistd.h>

enum {
	CONNECTING = 1,
	READING = 2,	/* the watcher waits for input */
	WRITING = 4,	/* the watcher waits for room to write */
	SHUT_PENDING = 8,	/* write_eof once the output is sent */
	SHUT_DONE = 16,
	CLOSING = 32,	/* close or abort was called */
	ABORTED = 64,
	EOF_SEEN = 128,
	TLS_HANDSHAKE = 256,	/* start_tls was called; the handshake goes on */
	TLS_NOTIFY = 512,	/* closing: our close_notify is queued */
	IN_IO = 1024,	/* the watcher's callback runs */
	FREE_LATER = 2048,	/* freed in it: the callback frees once done */
	DEFER_READS = 4096,	/* aio_stream_defer_reads is on */
	READABLE = 8192,	/* deferred: the descriptor has input not read yet */
	LONG_READ = 16384,	/* the last read filled at least a quarter block */
};

/* A posted bit beside the events: run the TLS step (handshake or close)
 * from the loop, since an API call must not deliver. */
#define TLS_STEP 0x100u

/* What a TLS stream has beyond a plain one, made by start_tls. */
struct tls_part {
	struct aio_tlsconn *conn;
	ev_timer timer;		/* the handshake's deadline, then the close's */
	struct aio_stream *stream;
	double shutdown_timeout;
	size_t retry;		/* a write that waits for input (renegotiation): its length */
};

static const struct aio_tls_ops *tls_ops;	/* set by the TLS module */

/* The most plaintext one TLS record carries. */
#define TLS_RECORD_MAX 16384
/* The most one session write takes (its length is an int). */
#define TLS_WRITE_MAX (1u << 30)
/* The most buffered plaintext tls_writable encrypts at once, four
 * records: the session keeps what the socket does not take, so a larger
 * chunk only holds more ciphertext unsent, a smaller one costs more
 * session writes and sends. */
#define TLS_WRITE_CHUNK ((size_t)64 * 1024)

/* One watcher for both directions, its interest switched: an idle
 * connection holds one ev_io, not two. */
struct aio_stream {
	ev_io io;
	struct aio_resource res;
	struct aio_call call;	/* delivers what API calls caused */
	struct aio_loop *loop;	/* NULL once the loop went away */
	aio_stream_fn fn;
	void *udata;
	struct aio_buf in;
	struct aio_buf out;	/* on a TLS stream: plaintext not encrypted yet */
	struct tls_part *tls;	/* NULL: plaintext */
	size_t read_high;
	size_t write_low;
	unsigned flags;		/* AIO_STREAM_SOCKET, _NO_READ, _NO_WRITE */
	unsigned state;
	unsigned posted;	/* events waiting in call */
	int fd;
	int error;
};

/*
 * Every read goes into a block of this size. An empty input keeps the
 * block when the read filled at least a quarter of it, so a long message
 * is not copied: cut to size in place unless more than half full, so a
 * busy stream holds about what it read (a deferred read, which its owner
 * takes at once, keeps it whole, cut once taken in part); a whole block
 * comes back here once consumed. Otherwise what arrived is copied out and
 * the block stays. So an idle stream holds no block, and one serves a
 * thread's streams in turn; it is freed with the thread's last stream. (A
 * static buffer per thread instead would cost every start of the program
 * 16 page faults: thread-local storage is zeroed when the program is
 * loaded.)
 */
#define READ_BLOCK ((size_t)64 * 1024)
static _Thread_local char *spare_block;
static _Thread_local size_t streams_alive;

static char *take_block(void)
{
	char *block = spare_block ? spare_block : malloc(READ_BLOCK);
	spare_block = NULL;
	return block;
}

static void give_back_block(char *block)
{
	if (spare_block)
		free(block);
	else
		spare_block = block;
}

static void stream_free(struct aio_stream *s)
{
	if (s->state & IN_IO) {
		s->state |= FREE_LATER;
		return;
	}
	aio_call_cancel(&s->call);
	aio_loop_untrack(&s->res);
	aio_buf_destroy(&s->in);
	aio_buf_destroy(&s->out);
	if (s->tls) {
		tls_ops->free(s->tls->conn);
		free(s->tls);
	}
	free(s);
	if (--streams_alive == 0) {
		free(spare_block);
		spare_block = NULL;
	}
}

/*
 * The loop is not held for any watcher: the owner holds it while a task
 * waits on the stream, so an idle or closing stream never keeps a program
 * alive. ev_io_stop drops a pending event, and one direction's change
 * must not lose the other's: a read fed for what a TLS session holds
 * (update_reading) comes from no descriptor again. So what was pending
 * and is still wanted is pending again after. ev_io_modify, not
 * ev_io_set: the descriptor stays, and ev_io_set would have libev tell
 * epoll again at its next poll even when the interest came back as it
 * was (a failed EPOLL_CTL_ADD each time).
 */
static void rewatch(struct aio_stream *s, unsigned bit)
{
	struct ev_loop *ev = aio_loop_ev(s->loop);
	s->state ^= bit;
	int events = (s->state & READING ? EV_READ : 0) | (s->state & WRITING ? EV_WRITE : 0);
	int pending = ev_clear_pending(ev, &s->io);
	ev_io_stop(ev, &s->io);
	if (events) {
		ev_io_modify(&s->io, events);
		ev_io_start(ev, &s->io);
		if (pending & events)
			ev_feed_event(ev, &s->io, pending & events);
	}
}

/* Inline: nearly every call changes nothing (several a request). */
static inline void watch(struct aio_stream *s, unsigned bit, int on)
{
	if (!!(s->state & bit) != !!on && s->loop)
		rewatch(s, bit);
}

static void deliver(struct aio_stream *s, unsigned events)
{
	if (s->fn)
		s->fn(s, events);
}

static void tls_step(struct aio_stream *s);

static void posted_cb(struct aio_call *call)
{
	struct aio_stream *s = aio_container_of(call, struct aio_stream, call);
	unsigned events = s->posted;
	s->posted = 0;
	if (events & ~TLS_STEP)
		deliver(s, events & ~TLS_STEP);
	if (events & AIO_STREAM_CLOSED)
		stream_free(s);
	else if (events & TLS_STEP)
		tls_step(s);
}

static void post(struct aio_stream *s, unsigned events)
{
	s->posted |= events;
	if (s->loop && !aio_call_queued(&s->call))
		aio_call_soon(s->loop, &s->call, posted_cb);
}

static void close_fd(struct aio_stream *s)
{
	watch(s, READING, 0);
	watch(s, WRITING, 0);
	if (s->tls && s->loop)
		ev_timer_stop(aio_loop_ev(s->loop), &s->tls->timer);
	if (s->fd >= 0) {
		if (s->loop)
			aio_loop_disown_fd(s->loop, s->fd);
		close(s->fd);
	}
	s->fd = -1;
	aio_buf_destroy(&s->out);
}

/* The flush of a closing stream ended (or failed): close and report. */
static void finish_close(struct aio_stream *s)
{
	close_fd(s);
	aio_loop_untrack(&s->res);
	deliver(s, AIO_STREAM_CLOSED);
	stream_free(s);
}

static void fail(struct aio_stream *s, int err)
{
	if (!s->error)
		s->error = err;
	watch(s, READING, 0);
	watch(s, WRITING, 0);
	aio_buf_destroy(&s->out);
}

/*
 * A TLS stream also reads for its handshake and, once its close_notify is
 * out, for the peer's; input the session holds already is not announced
 * by the descriptor, so it is fed to the watcher.
 */
static void update_reading(struct aio_stream *s)
{
	int live = !s->error && s->fd >= 0;
	int want = live && !(s->flags & AIO_STREAM_NO_READ) &&
		   !(s->state & (CONNECTING | CLOSING | EOF_SEEN | TLS_HANDSHAKE | READABLE)) &&
		   aio_buf_len(&s->in) < s->read_high;
	if (s->tls && live && ((s->state & TLS_HANDSHAKE) || s->tls->retry ||
			       (s->state & (CLOSING | TLS_NOTIFY)) == (CLOSING | TLS_NOTIFY)))
		want = 1;
	watch(s, READING, want);
	if (want && s->tls && tls_ops->has_input(s->tls->conn))
		ev_feed_event(aio_loop_ev(s->loop), &s->io, EV_READ);
}

static void do_shutdown(struct aio_stream *s)
{
	s->state = (s->state & ~SHUT_PENDING) | SHUT_DONE;
	if ((s->flags & AIO_STREAM_SOCKET) && shutdown(s->fd, SHUT_WR) < 0 && errno != ENOTCONN)
		fail(s, errno);
	else if (!(s->flags & AIO_STREAM_SOCKET)) {
		/* A pipe ends by closing its only end. */
		close_fd(s);
	}
}

static void tls_readable(struct aio_stream *s);

/* One read into the input: what read returned, or -1 with errno. */
static inline ssize_t read_input(struct aio_stream *s, int keep_whole)
{
	char *block = take_block();
	if (!block) {
		errno = ENOMEM;
		return -1;
	}
	ssize_t n = read(s->fd, block, READ_BLOCK);
	if (n >= 0)
		s->state = n >= (ssize_t)(READ_BLOCK / 4) ? s->state | LONG_READ : s->state & ~LONG_READ;
	if (n >= (ssize_t)(READ_BLOCK / 4) && !aio_buf_len(&s->in)) {
		size_t cap = (size_t)n > READ_BLOCK / 2 || keep_whole ? READ_BLOCK : (size_t)n;
		char *kept = cap < READ_BLOCK ? realloc(block, cap) : block;
		aio_buf_destroy(&s->in);
		aio_buf_adopt(&s->in, kept ? kept : block, kept ? cap : READ_BLOCK, (size_t)n);
		return n;
	}
	int err = errno;
	if (n > 0 && aio_buf_append(&s->in, block, (size_t)n) < 0) {
		err = ENOMEM;
		n = -1;
	}
	give_back_block(block);
	errno = err;
	return n;
}

/* What read_input's n (and errno) leave: -1 the stream failed, 0 nothing
 * came yet, 1 input or its end (EOF_SEEN). */
static int took_read(struct aio_stream *s, ssize_t n)
{
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n < 0) {
		fail(s, errno);
		return -1;
	}
	if (n == 0)
		s->state |= EOF_SEEN;
	return 1;
}

static void readable(struct aio_stream *s)
{
	if (s->tls) {
		tls_readable(s);
		return;
	}
	/* Deferred after a long read, the kind that keeps a block (a short one
	 * is copied out, and short answers go best in a burst: the peer is
	 * woken less often): announced once; if the descriptor tells again
	 * before the owner read, the watcher stops until it does. */
	if ((s->state & (DEFER_READS | LONG_READ)) == (DEFER_READS | LONG_READ) &&
	    !aio_buf_len(&s->in)) {
		if (s->state & READABLE) {
			update_reading(s);
			return;
		}
		s->state |= READABLE;
		deliver(s, AIO_STREAM_READ);
		return;
	}
	int r = took_read(s, read_input(s, 0));
	if (r < 0)
		deliver(s, AIO_STREAM_READ | AIO_STREAM_WRITE);
	if (r <= 0)
		return;
	update_reading(s);
	deliver(s, AIO_STREAM_READ);
}

static void flush(struct aio_stream *s)
{
	ssize_t r = aio_buf_write_fd(&s->out, s->fd, s->flags & AIO_STREAM_SOCKET);
	if (r < 0) {
		fail(s, (int)-r);
		if (s->state & CLOSING)
			finish_close(s);
		else
			deliver(s, AIO_STREAM_READ | AIO_STREAM_WRITE);
		return;
	}
	size_t left = aio_buf_len(&s->out);
	if (left == 0) {
		watch(s, WRITING, 0);
		if (s->state & CLOSING) {
			finish_close(s);
			return;
		}
		if (s->state & SHUT_PENDING)
			do_shutdown(s);
	}
	if (r > 0 && left <= s->write_low)
		deliver(s, AIO_STREAM_WRITE);
}

static void connected(struct aio_stream *s)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	s->state &= ~CONNECTING;
	watch(s, WRITING, 0);
	if (s->state & CLOSING) {
		/* Closed while connecting: send what was written, if it can be. */
		if (!err && aio_buf_len(&s->out))
			watch(s, WRITING, 1);
		else
			finish_close(s);
		return;
	}
	if (err) {
		fail(s, err);
	} else {
		update_reading(s);
		if (aio_buf_len(&s->out))
			watch(s, WRITING, 1);
		else if (s->state & SHUT_PENDING)
			do_shutdown(s);
	}
	deliver(s, AIO_STREAM_CONNECT);
}

static void tls_writable(struct aio_stream *s);

static void writable(struct aio_stream *s)
{
	if (s->state & CONNECTING)
		connected(s);
	else if (s->tls)
		tls_writable(s);
	else
		flush(s);
}

/* Output first, then input, each only while still wanted: the first may
 * close the stream, so freeing waits until both are done. */
static void io_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct aio_stream *s = aio_container_of(w, struct aio_stream, io);
	(void)ev;
	s->state |= IN_IO;
	if ((revents & EV_WRITE) && (s->state & WRITING))
		writable(s);
	if ((revents & EV_READ) && (s->state & READING) && !(s->state & FREE_LATER))
		readable(s);
	s->state &= ~IN_IO;
	if (s->state & FREE_LATER)
		stream_free(s);
}

/* The loop is going away: end at once, quietly; a detached stream frees. */
static void loop_gone(struct aio_resource *res)
{
	struct aio_stream *s = aio_container_of(res, struct aio_stream, res);
	aio_call_cancel(&s->call);
	close_fd(s);
	s->loop = NULL;
	s->state |= CLOSING;
	if (!s->fn)
		stream_free(s);
}

static struct aio_stream *stream_make(struct aio_loop *loop, int fd, unsigned flags,
				      aio_stream_fn fn, void *udata, int *err)
{
	int fl = (flags & AIO_STREAM_NONBLOCK) ? O_NONBLOCK : fcntl(fd, F_GETFL);
	if (fl < 0 || (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)) {
		*err = -errno;
		return NULL;
	}
	struct aio_stream *s = calloc(1, sizeof *s);
	if (!s || aio_loop_own_fd(loop, fd) < 0) {
		free(s);
		*err = -ENOMEM;
		return NULL;
	}
	ev_io_init(&s->io, io_cb, fd, 0);
	s->loop = loop;
	s->fn = fn;
	s->udata = udata;
	s->fd = fd;
	s->flags = flags;
	s->read_high = 128 * 1024;
	s->write_low = 16 * 1024;
	aio_buf_init(&s->in);
	aio_buf_init(&s->out);
	aio_loop_track(loop, &s->res, loop_gone);
	streams_alive++;
	return s;
}

struct aio_stream *aio_stream_new(struct aio_loop *loop, int fd, unsigned flags,
				  aio_stream_fn fn, void *udata, int *err)
{
	struct aio_stream *s = stream_make(loop, fd, flags, fn, udata, err);
	if (s)
		update_reading(s);
	return s;
}

struct aio_stream *aio_stream_connect(struct aio_loop *loop,
				      const struct sockaddr *addr, socklen_t len,
				      const struct sockaddr *local, socklen_t local_len,
				      aio_stream_fn fn, void *udata, int *err)
{
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	int one = 1;
	if (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	int r = 0;
	if (local && bind(fd, local, local_len) < 0)
		r = -errno;
	if (r == 0) {
		while ((r = connect(fd, addr, len)) < 0 && errno == EINTR)
			;
		if (r < 0)
			r = errno == EINPROGRESS ? 1 : -errno;
	}
	if (r < 0) {
		close(fd);
		*err = r;
		return NULL;
	}
	struct aio_stream *s = stream_make(loop, fd, AIO_STREAM_SOCKET | AIO_STREAM_NONBLOCK, fn, udata,
					   err);
	if (!s) {
		close(fd);
		return NULL;
	}
	if (r == 1) {
		s->state |= CONNECTING;
		watch(s, WRITING, 1);
	} else {
		update_reading(s);
	}
	return s;
}

void *aio_stream_udata(const struct aio_stream *s)
{
	return s->udata;
}

int aio_stream_fd(const struct aio_stream *s)
{
	return s->fd;
}

int aio_stream_connecting(const struct aio_stream *s)
{
	return !!(s->state & CONNECTING);
}

struct aio_buf *aio_stream_input(struct aio_stream *s)
{
	return &s->in;
}

/* A block a deferred read kept whole though at most half full, taken in
 * part: cut to what the read filled, as read_input cuts (in place, no
 * copy). */
static void cut_block(struct aio_buf *in)
{
	size_t filled = in->head + aio_buf_len(in);
	char *kept = realloc(in->data, filled);
	if (kept) {
		in->data = kept;
		in->cap = filled;
	}
}

void aio_stream_consume(struct aio_stream *s, size_t n)
{
	struct aio_buf *in = &s->in;
	if (n >= aio_buf_len(in) && in->cap == READ_BLOCK) {
		give_back_block(in->data);
		aio_buf_init(in);
	} else {
		aio_buf_consume(in, n);
		if (in->cap == READ_BLOCK && in->head + aio_buf_len(in) <= READ_BLOCK / 2)
			cut_block(in);
	}
	update_reading(s);
}

/* The deferred read of input the descriptor announced: its owner takes
 * it next, so a long read's block is kept whole, not cut to size. */
static void read_announced(struct aio_stream *s)
{
	s->state &= ~READABLE;
	if (s->fd < 0 || (s->state & CLOSING) || s->error)
		return;
	if (took_read(s, read_input(s, 1)) < 0) {
		post(s, AIO_STREAM_READ | AIO_STREAM_WRITE);
		return;
	}
	update_reading(s);
}

void aio_stream_defer_reads(struct aio_stream *s, int on)
{
	if (s->tls || !(s->flags & AIO_STREAM_SOCKET))
		return;
	if (on) {
		s->state |= DEFER_READS;
		return;
	}
	s->state &= ~DEFER_READS;
	if (s->state & READABLE)
		read_announced(s);
}

void aio_stream_set_read_high(struct aio_stream *s, size_t high)
{
	s->read_high = high ? high : 1;
	update_reading(s);
}

int aio_stream_eof(const struct aio_stream *s)
{
	return !!(s->state & EOF_SEEN);
}

int aio_stream_error(const struct aio_stream *s)
{
	return s->error;
}

static int tls_write(struct aio_stream *s, const void *p, size_t n);

int aio_stream_write(struct aio_stream *s, const void *p, size_t n)
{
	if (s->error)
		return -s->error;
	if ((s->state & (CLOSING | SHUT_PENDING | SHUT_DONE)) || s->fd < 0 ||
	    (s->flags & AIO_STREAM_NO_WRITE))
		return -EPIPE;
	if (n == 0)
		return 0;
	if (s->tls)
		return tls_write(s, p, n);
	size_t done = 0;
	if (!aio_buf_len(&s->out) && !(s->state & CONNECTING)) {
		while (done < n) {
			ssize_t r = s->flags & AIO_STREAM_SOCKET
				? send(s->fd, (const char *)p + done, n - done, MSG_NOSIGNAL)
				: write(s->fd, (const char *)p + done, n - done);
			if (r >= 0) {
				done += (size_t)r;
				continue;
			}
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			int err = errno;
			fail(s, err);
			post(s, AIO_STREAM_READ | AIO_STREAM_WRITE);
			return -err;
		}
	}
	if (done < n) {
		if (aio_buf_append(&s->out, (const char *)p + done, n - done) < 0)
			return -ENOMEM;
		if (!(s->state & CONNECTING))
			watch(s, WRITING, 1);
	}
	return 0;
}

size_t aio_stream_write_pending(const struct aio_stream *s)
{
	return aio_buf_len(&s->out) + (s->tls ? tls_ops->unsent(s->tls->conn) : 0);
}

void aio_stream_set_write_low(struct aio_stream *s, size_t low)
{
	s->write_low = low;
}

int aio_stream_shutdown(struct aio_stream *s)
{
	if (s->error)
		return -s->error;
	if (s->flags & AIO_STREAM_NO_WRITE)
		return -EPIPE;
	if (s->tls)
		return -EOPNOTSUPP;	/* TLS has no half-close */
	if (s->state & (CLOSING | SHUT_PENDING | SHUT_DONE))
		return 0;
	if (aio_buf_len(&s->out) || (s->state & CONNECTING))
		s->state |= SHUT_PENDING;
	else
		do_shutdown(s);
	return s->error ? -s->error : 0;
}

static void tls_close(struct aio_stream *s);

void aio_stream_close(struct aio_stream *s)
{
	if (!s->loop || (s->state & CLOSING))
		return;
	s->state |= CLOSING;
	watch(s, READING, 0);
	if (s->tls && !(s->state & TLS_HANDSHAKE) && s->fd >= 0 && !s->error) {
		tls_close(s);
		return;
	}
	if (aio_buf_len(&s->out) && s->fd >= 0 && !s->error && !s->tls) {
		watch(s, WRITING, 1);
		return;
	}
	close_fd(s);
	post(s, AIO_STREAM_CLOSED);
}

void aio_stream_abort(struct aio_stream *s)
{
	if (!s->loop || (s->state & ABORTED))
		return;
	s->state |= CLOSING | ABORTED;
	close_fd(s);
	post(s, AIO_STREAM_CLOSED);
}

void aio_stream_release(struct aio_stream *s)
{
	s->fn = NULL;
	s->udata = NULL;
	if (!s->loop)
		stream_free(s);
	else
		aio_stream_close(s);
}

int aio_stream_closing(const struct aio_stream *s)
{
	return !!(s->state & CLOSING);
}

/* TLS: the same stream, with a session between the buffers and the socket. */

void aio_stream_set_tls(const struct aio_tls_ops *ops)
{
	tls_ops = ops;
}

static void tls_handshake_step(struct aio_stream *s)
{
	struct tls_part *t = s->tls;
	int r = tls_ops->handshake(t->conn);
	if (r == -EAGAIN) {
		if (tls_ops->unsent(t->conn))
			watch(s, WRITING, 1);
		return;
	}
	ev_timer_stop(aio_loop_ev(s->loop), &t->timer);
	if (r < 0) {
		fail(s, -r);
		deliver(s, AIO_STREAM_CONNECT);
		return;
	}
	s->state &= ~TLS_HANDSHAKE;
	update_reading(s);
	if (aio_buf_len(&s->out) || tls_ops->unsent(t->conn))
		watch(s, WRITING, 1);
	deliver(s, AIO_STREAM_CONNECT);
}

/* Closing, everything sent: queue close_notify, then wait for the peer's
 * (until the shutdown timer) unless it came already. */
static void tls_closing_step(struct aio_stream *s)
{
	struct aio_tlsconn *c = s->tls->conn;
	if (!(s->state & TLS_NOTIFY)) {
		s->state |= TLS_NOTIFY;
		if (tls_ops->shutdown(c) < 0) {
			finish_close(s);
			return;
		}
		if (tls_ops->unsent(c)) {
			watch(s, WRITING, 1);
			return;
		}
	}
	if (tls_ops->peer_closed(c) || (s->state & EOF_SEEN)) {
		finish_close(s);
		return;
	}
	update_reading(s);
}

/*
 * Closing, waiting for the peer's close_notify: what else comes is read
 * into a block and dropped. Returns 0 once the close is over (the stream
 * may be gone), 1 when the peer has sent nothing more for now.
 */
static int tls_drop_input(struct aio_stream *s)
{
	char *drop = take_block();
	if (!drop) {
		finish_close(s);
		return 0;
	}
	for (size_t got = 0; got < READ_BLOCK;) {
		ssize_t n = tls_ops->read(s->tls->conn, drop, TLS_RECORD_MAX);
		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			give_back_block(drop);
			finish_close(s);
			return 0;
		}
		got += (size_t)n;
	}
	give_back_block(drop);
	return 1;
}

static void tls_readable(struct aio_stream *s)
{
	struct aio_tlsconn *c = s->tls->conn;
	if (s->state & TLS_HANDSHAKE) {
		tls_handshake_step(s);
		return;
	}
	/* Closing, still flushing: input waits until our close_notify is out,
	 * but for a write that needed it. */
	if ((s->state & (CLOSING | TLS_NOTIFY)) == CLOSING) {
		if (s->tls->retry)
			tls_writable(s);
		return;
	}
	size_t got = 0;
	int ended = 0;
	if (s->state & CLOSING) {
		if (!tls_drop_input(s))
			return;
	} else {
		/* Nothing in here closes the stream: CLOSING holds throughout. */
		while (got < READ_BLOCK && aio_buf_len(&s->in) < s->read_high) {
			/* Plaintext is decrypted straight into the input, a record
			 * at a time (a memcpy less than through a block: 16 KiB a
			 * request). But a record after the first, with no room
			 * for it, is decrypted into the spare block and copied in
			 * only if it came: growing the input first for a second
			 * record that was not there (the usual answer to a
			 * request is one record) copied the first each time. */
			struct aio_buf *in = &s->in;
			int probe = got && aio_buf_room(in) < TLS_RECORD_MAX;
			char *into = probe ? take_block() : aio_buf_reserve(in, TLS_RECORD_MAX);
			if (!into) {
				fail(s, ENOMEM);
				deliver(s, AIO_STREAM_READ | AIO_STREAM_WRITE);
				return;
			}
			ssize_t n = tls_ops->read(c, into, TLS_RECORD_MAX);
			if (probe) {
				if (n > 0 && aio_buf_append(in, into, (size_t)n) < 0)
					n = -ENOMEM;
				give_back_block(into);
			}
			if (n == -EAGAIN)
				break;
			if (n < 0) {
				fail(s, (int)-n);
				deliver(s, AIO_STREAM_READ | AIO_STREAM_WRITE);
				return;
			}
			if (n == 0) {
				s->state |= EOF_SEEN;
				ended = 1;
				break;
			}
			if (!probe)
				aio_buf_commit(in, (size_t)n);
			got += (size_t)n;
		}
	}
	if (!aio_buf_len(&s->in))
		aio_buf_destroy(&s->in);	/* an idle connection holds no buffer */
	/* Reading may have queued an answer (a key update's), or brought
	 * what a waiting write needed. */
	if (tls_ops->unsent(c))
		watch(s, WRITING, 1);
	if (s->tls->retry)
		tls_writable(s);
	update_reading(s);
	if ((got || ended) && !(s->state & CLOSING))
		deliver(s, AIO_STREAM_READ);
}

/* Sends waiting ciphertext, then encrypts the plaintext behind it a chunk
 * at a time while the socket takes it, so little sits encrypted. */
static void tls_writable(struct aio_stream *s)
{
	struct tls_part *t = s->tls;
	struct aio_tlsconn *c = t->conn;
	size_t before = aio_stream_write_pending(s);
	int r;
	while ((r = tls_ops->flush(c)) == 0 && !tls_ops->unsent(c) &&
	       aio_buf_len(&s->out) && !(s->state & TLS_HANDSHAKE)) {
		size_t n = t->retry ? t->retry : aio_buf_len(&s->out);
		if (n > TLS_WRITE_CHUNK && !t->retry)
			n = TLS_WRITE_CHUNK;
		r = tls_ops->write(c, aio_buf_peek(&s->out), n);
		if (r == -EAGAIN) {
			t->retry = n;
			r = 0;
			break;
		}
		t->retry = 0;
		aio_buf_consume(&s->out, n);
		if (r < 0)
			break;
	}
	if (r < 0) {
		fail(s, -r);
		if (s->state & CLOSING)
			finish_close(s);
		else
			deliver(s, AIO_STREAM_READ | AIO_STREAM_WRITE);
		return;
	}
	if (!tls_ops->unsent(c) && (!aio_buf_len(&s->out) || t->retry || (s->state & TLS_HANDSHAKE))) {
		watch(s, WRITING, 0);
		update_reading(s);
		if ((s->state & CLOSING) && !(s->state & TLS_HANDSHAKE) && !t->retry) {
			tls_closing_step(s);
			return;
		}
	}
	size_t left = aio_stream_write_pending(s);
	if (left < before && left <= s->write_low && !(s->state & CLOSING))
		deliver(s, AIO_STREAM_WRITE);
}

static int tls_write(struct aio_stream *s, const void *p, size_t n)
{
	struct tls_part *t = s->tls;
	struct aio_tlsconn *c = t->conn;
	if ((s->state & TLS_HANDSHAKE) || aio_buf_len(&s->out) || tls_ops->unsent(c)) {
		if (aio_buf_append(&s->out, p, n) < 0)
			return -ENOMEM;
		if (!(s->state & TLS_HANDSHAKE) && !t->retry)
			watch(s, WRITING, 1);
		return 0;
	}
	const char *at = p;
	for (size_t left = n; left > 0;) {
		size_t chunk = left < TLS_WRITE_MAX ? left : TLS_WRITE_MAX;
		int r = tls_ops->write(c, at, chunk);
		if (r == -EAGAIN) {
			/* The rest waits for the peer's input, then goes from out. */
			if (aio_buf_append(&s->out, at, left) < 0)
				r = -ENOMEM;
			else {
				t->retry = chunk;
				update_reading(s);
				break;
			}
		}
		if (r < 0) {
			fail(s, -r);
			post(s, AIO_STREAM_READ | AIO_STREAM_WRITE);
			return r;
		}
		at += chunk;
		left -= chunk;
	}
	if (tls_ops->unsent(c))
		watch(s, WRITING, 1);
	return 0;
}

/* A timeout counts from this call: libev's timers count from the time it
 * read last, which a long turn of the loop leaves behind. */
static void start_timer(struct aio_stream *s, double after)
{
	struct ev_loop *ev = aio_loop_ev(s->loop);
	ev_now_update(ev);
	ev_timer_set(&s->tls->timer, after, 0.);
	ev_timer_start(ev, &s->tls->timer);
}

/* close() on an established session: the flush and the close_notify
 * exchange run from the loop, bounded by the shutdown timeout. */
static void tls_close(struct aio_stream *s)
{
	struct tls_part *t = s->tls;
	if (t->shutdown_timeout > 0)
		start_timer(s, t->shutdown_timeout);
	post(s, TLS_STEP);
}

static void tls_step(struct aio_stream *s)
{
	if (s->fd < 0 || s->error)
		return;
	if (s->state & TLS_HANDSHAKE)
		tls_handshake_step(s);
	else if (s->state & CLOSING)
		tls_writable(s);
}

static void tls_timer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	struct tls_part *t = aio_container_of(w, struct tls_part, timer);
	struct aio_stream *s = t->stream;
	(void)ev;
	(void)revents;
	if (s->state & TLS_HANDSHAKE) {
		fail(s, ETIMEDOUT);
		deliver(s, AIO_STREAM_CONNECT);
	} else {
		finish_close(s);
	}
}

int aio_stream_start_tls(struct aio_stream *s, const struct aio_tls_opts *o)
{
	if (!tls_ops)
		return -ENOSYS;
	if (!s->loop || s->tls || s->error || s->fd < 0 || !(s->flags & AIO_STREAM_SOCKET) ||
	    (s->state & (CONNECTING | CLOSING | SHUT_PENDING | SHUT_DONE | EOF_SEEN)))
		return -EINVAL;
	struct tls_part *t = calloc(1, sizeof *t);
	if (!t)
		return -ENOMEM;
	int err;
	t->conn = tls_ops->open(o, s->fd, &s->in, &s->out, &err);
	if (!t->conn) {
		free(t);
		return err;
	}
	t->stream = s;
	t->shutdown_timeout = o->shutdown_timeout;
	ev_timer_init(&t->timer, tls_timer_cb, o->handshake_timeout, 0.);
	s->tls = t;
	if (o->handshake_timeout > 0)
		start_timer(s, o->handshake_timeout);
	s->state |= TLS_HANDSHAKE;
	watch(s, WRITING, 0);
	update_reading(s);
	post(s, TLS_STEP);
	return 0;
}

SSL *aio_stream_ssl(const struct aio_stream *s)
{
	return s->tls ? tls_ops->ssl(s->tls->conn) : NULL;
}

int aio_stream_handshaking(const struct aio_stream *s)
{
	return !!(s->state & TLS_HANDSHAKE);
}

const struct aio_tls_failure *aio_stream_tls_failure(const struct aio_stream *s)
{
	return s->tls ? tls_ops->failure(s->tls->conn) : NULL;
}
