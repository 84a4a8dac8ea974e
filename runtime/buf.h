/* buf.h -- growable byte buffer: append at the tail, consume from the head, search */
#ifndef AIO_BUF_H
#define AIO_BUF_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Caller-owned. The bytes are data[head, head + len). Storage is allocated
 * on the first append and given back once everything is consumed, so an
 * idle connection's buffers cost nothing.
 */
struct aio_buf {
	char *data;
	size_t head;
	size_t len;
	size_t cap;
};

static inline void aio_buf_init(struct aio_buf *b)
{
	b->data = NULL;
	b->head = b->len = b->cap = 0;
}

/* Frees the storage; the buffer is empty and usable again. */
void aio_buf_destroy(struct aio_buf *b);

static inline size_t aio_buf_len(const struct aio_buf *b)
{
	return b->len;
}

/* The first byte; valid until the next call that changes the buffer. */
static inline const char *aio_buf_peek(const struct aio_buf *b)
{
	return b->data + b->head;
}

/* Appends n bytes. Returns 0 or -ENOMEM (the buffer is then unchanged). */
int aio_buf_append(struct aio_buf *b, const void *p, size_t n);

/*
 * Room for n more bytes at the tail, for a read straight into the buffer;
 * aio_buf_commit then appends the bytes filled there. NULL on -ENOMEM.
 * Until something is committed an empty buffer keeps its storage: give it
 * back with aio_buf_destroy if the read brought nothing.
 */
char *aio_buf_reserve(struct aio_buf *b, size_t n);
/* What aio_buf_reserve hands out without moving or growing anything. */
static inline size_t aio_buf_room(const struct aio_buf *b)
{
	return b->cap - b->head - b->len;
}
static inline void aio_buf_commit(struct aio_buf *b, size_t n)
{
	b->len += n;
}

/* Takes block (from malloc, cap bytes, the first len of them filled) as the
 * storage of b, which must have none. */
static inline void aio_buf_adopt(struct aio_buf *b, char *block, size_t cap, size_t len)
{
	b->data = block;
	b->head = 0;
	b->len = len;
	b->cap = cap;
}

/* Drops the first n bytes (at most len). */
void aio_buf_consume(struct aio_buf *b, size_t n);

/* Offset of the first sep (seplen > 0) at or after from, or -1. */
ssize_t aio_buf_find(const struct aio_buf *b, const char *sep, size_t seplen,
		     size_t from);

/*
 * Sends as much of the buffer to fd as it takes (send with MSG_NOSIGNAL on
 * sockets, write on other descriptors) and consumes it. Returns the bytes
 * sent (0 when fd is full) or -errno (what was sent before the error is
 * consumed all the same).
 */
ssize_t aio_buf_write_fd(struct aio_buf *b, int fd, int is_socket);

#endif
