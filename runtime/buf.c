/* buf.c -- growable byte buffer: append at the tail, consume from the head, search */
#define _GNU_SOURCE /* memmem */
#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void aio_buf_destroy(struct aio_buf *b)
{
	free(b->data);
	aio_buf_init(b);
}

char *aio_buf_reserve(struct aio_buf *b, size_t n)
{
	if (n > aio_buf_room(b)) {
		if (b->len + n <= b->cap / 2 + b->cap / 4) {
			/* Mostly consumed: sliding down is cheaper than growing. */
			memmove(b->data, b->data + b->head, b->len);
		} else {
			size_t cap = b->cap ? b->cap : 64;
			while (cap < b->len + n)
				cap *= 2;
			char *data = malloc(cap);
			if (!data)
				return NULL;
			if (b->len)
				memcpy(data, b->data + b->head, b->len);
			free(b->data);
			b->data = data;
			b->cap = cap;
		}
		b->head = 0;
	}
	return b->data + b->head + b->len;
}

int aio_buf_append(struct aio_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	char *tail = aio_buf_reserve(b, n);
	if (!tail)
		return -ENOMEM;
	memcpy(tail, p, n);
	b->len += n;
	return 0;
}

void aio_buf_consume(struct aio_buf *b, size_t n)
{
	if (n >= b->len) {
		aio_buf_destroy(b);
		return;
	}
	b->head += n;
	b->len -= n;
}

/*
 * Separators up to this long are found with memchr on their first byte:
 * glibc's memmem first builds a 256-entry shift table, which costs more
 * than the search itself in a short request head ("\r\n\r\n" in ~100
 * bytes). Each candidate costs at most SHORT_SEP more bytes compared.
 */
#define SHORT_SEP 8

ssize_t aio_buf_find(const struct aio_buf *b, const char *sep, size_t seplen,
		     size_t from)
{
	if (seplen == 0 || from + seplen > b->len)
		return -1;
	const char *base = b->data + b->head;
	if (seplen > SHORT_SEP) {
		const char *at = memmem(base + from, b->len - from, sep, seplen);
		return at ? at - base : -1;
	}
	const char *p = base + from, *last = base + b->len - seplen;
	while (p <= last && (p = memchr(p, sep[0], (size_t)(last - p) + 1))) {
		if (memcmp(p + 1, sep + 1, seplen - 1) == 0)
			return p - base;
		p++;
	}
	return -1;
}

ssize_t aio_buf_write_fd(struct aio_buf *b, int fd, int is_socket)
{
	size_t done = 0;
	while (done < b->len) {
		const char *p = b->data + b->head + done;
		size_t n = b->len - done;
		ssize_t r = is_socket ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			int err = errno;
			aio_buf_consume(b, done);
			return -err;
		}
		done += (size_t)r;
	}
	aio_buf_consume(b, done);
	return (ssize_t)done;
}
