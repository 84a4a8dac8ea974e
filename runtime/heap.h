/* heap.h -- binary min-heap of timers ordered by deadline, then start order */
#ifndef AIO_HEAP_H
#define AIO_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct aio_timer;

/* Caller-owned; zero-initialised storage is an empty heap. */
struct aio_heap {
	struct aio_timer **items;
	size_t len;
	size_t cap;
	uint64_t next_seq;
};

/* Frees the heap's array; the timers are the caller's. */
void aio_heap_destroy(struct aio_heap *heap);

/*
 * Inserts timer (its when must be set) and stamps it with the next sequence
 * number so equal deadlines keep insertion order. Returns 0, -ENOMEM, or
 * -EINVAL when its when is NaN (it stays out of the heap).
 */
int aio_heap_push(struct aio_heap *heap, struct aio_timer *timer);

/* The earliest timer, or NULL when empty. */
struct aio_timer *aio_heap_top(const struct aio_heap *heap);

/* Removes timer, which must be in this heap. */
void aio_heap_remove(struct aio_heap *heap, struct aio_timer *timer);

#endif
