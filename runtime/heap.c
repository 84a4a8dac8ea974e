/* heap.c -- binary min-heap of timers ordered by deadline, then start order */
#include "heap.h"
#include "loop.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

static int earlier(const struct aio_timer *a, const struct aio_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void place(struct aio_heap *heap, size_t i, struct aio_timer *timer)
{
	heap->items[i] = timer;
	timer->heap_index = i;
}

static void sift_up(struct aio_heap *heap, size_t i)
{
	struct aio_timer *timer = heap->items[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!earlier(timer, heap->items[parent]))
			break;
		place(heap, i, heap->items[parent]);
		i = parent;
	}
	place(heap, i, timer);
}

static void sift_down(struct aio_heap *heap, size_t i)
{
	struct aio_timer *timer = heap->items[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= heap->len)
			break;
		if (child + 1 < heap->len &&
		    earlier(heap->items[child + 1], heap->items[child]))
			child++;
		if (!earlier(heap->items[child], timer))
			break;
		place(heap, i, heap->items[child]);
		i = child;
	}
	place(heap, i, timer);
}

void aio_heap_destroy(struct aio_heap *heap)
{
	free(heap->items);
	heap->items = NULL;
	heap->len = heap->cap = 0;
}

int aio_heap_push(struct aio_heap *heap, struct aio_timer *timer)
{
	assert(timer->heap_index == AIO_TIMER_IDLE && "timer already armed");
	/* NaN compares false with everything: it would break the order of the
	 * whole heap, and no timer would come out of it again. */
	if (timer->when != timer->when)
		return -EINVAL;
	if (heap->len == heap->cap) {
		size_t cap = heap->cap ? heap->cap * 2 : 64;
		struct aio_timer **items = realloc(heap->items, cap * sizeof *items);
		if (!items)
			return -ENOMEM;
		heap->items = items;
		heap->cap = cap;
	}
	timer->seq = heap->next_seq++;
	heap->items[heap->len] = timer;
	sift_up(heap, heap->len++);
	return 0;
}

struct aio_timer *aio_heap_top(const struct aio_heap *heap)
{
	return heap->len ? heap->items[0] : NULL;
}

void aio_heap_remove(struct aio_heap *heap, struct aio_timer *timer)
{
	size_t i = timer->heap_index;
	assert(i < heap->len && heap->items[i] == timer && "timer not in this heap");
	timer->heap_index = AIO_TIMER_IDLE;
	struct aio_timer *last = heap->items[--heap->len];
	if (i == heap->len)
		return;
	place(heap, i, last);
	if (i > 0 && earlier(last, heap->items[(i - 1) / 2]))
		sift_up(heap, i);
	else
		sift_down(heap, i);
}
