/* pool.c -- a header-free small-object allocator for a single-threaded heap (Lua's) */
#include "pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define GRAIN 16
#define CLASSES (AIO_POOL_MAX_SMALL / GRAIN)
#define ARENA_SIZE (2u << 20)	/* one huge page */
#define FIRST_TOUCH (64u << 10)	/* what a hello world uses of the first */

struct arena {
	struct arena *next;
};

struct free_block {
	struct free_block *next;
};

struct aio_pool {
	struct free_block *free[CLASSES];
	char *bump;		/* unused tail of the newest arena */
	char *end;
	struct arena *arenas;
	size_t arena_bytes;
	void *user;
};

struct aio_pool *aio_pool_new(void)
{
	return calloc(1, sizeof(struct aio_pool));
}

void **aio_pool_user(struct aio_pool *pool)
{
	return &pool->user;
}

void aio_pool_free(struct aio_pool *pool)
{
	if (!pool)
		return;
	while (pool->arenas) {
		struct arena *a = pool->arenas;
		pool->arenas = a->next;
		munmap(a, ARENA_SIZE);
	}
	free(pool);
}

size_t aio_pool_arena_bytes(const struct aio_pool *pool)
{
	return pool->arena_bytes;
}

/* Maps size bytes aligned to size, so huge pages can back them. */
static char *map_aligned(size_t size)
{
	size_t span = 2 * size;
	char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	char *base = (char *)(((uintptr_t)raw + size - 1) & ~(uintptr_t)(size - 1));
	if (base > raw)
		munmap(raw, (size_t)(base - raw));
	if (base + size < raw + span)
		munmap(base + size, (size_t)(raw + span - (base + size)));
	return base;
}

static int new_arena(struct aio_pool *pool)
{
	/* The first arena is left to small pages: a short script touches only
	 * a few of them, where a huge page would be cleared whole (~0.4 ms of a
	 * 4 ms hello world). The arenas after it are huge pages: 100,000 tasks
	 * take a third less CPU than on small pages (one fault per 2 MiB, not
	 * 512). The slow runs seen on the test VMs are not compaction (no
	 * compact_stall in /proc/vmstat): the VM hands free 2 MiB blocks back
	 * to its host a few seconds after they are freed, and the first touch
	 * of one costs a host fault; small pages pay that too, less at once.
	 * See docs/benchmarks.md, "Huge pages". */
	int huge = pool->arenas != NULL;
	char *base = huge ? map_aligned(ARENA_SIZE)
		: mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!base || base == MAP_FAILED)
		return -1;
#ifdef MADV_HUGEPAGE
	if (huge)
		madvise(base, ARENA_SIZE, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
	/* The part of it every start-up touches is made at once, not a page
	 * a fault: on a VM a fault's trap costs more than its page (17 of
	 * them were 2 % of a hello world's time). */
	if (!huge)
		madvise(base, FIRST_TOUCH, MADV_POPULATE_WRITE);
#endif
	struct arena *a = (struct arena *)(void *)base;
	a->next = pool->arenas;
	pool->arenas = a;
	pool->arena_bytes += ARENA_SIZE;
	pool->bump = base + GRAIN;	/* the arena header takes the first grain */
	pool->end = base + ARENA_SIZE;
	return 0;
}

/* The newest arena's tail is too short for rounded bytes: files it under
 * smaller classes and starts a new arena. Apart from small_alloc, so that
 * the common paths need no stack frame. */
static __attribute__((noinline)) void *refill(struct aio_pool *pool, size_t rounded)
{
	while ((size_t)(pool->end - pool->bump) >= GRAIN) {
		size_t left = (size_t)(pool->end - pool->bump);
		size_t c = (left > AIO_POOL_MAX_SMALL ? AIO_POOL_MAX_SMALL : left) / GRAIN - 1;
		struct free_block *tail = (struct free_block *)(void *)pool->bump;
		tail->next = pool->free[c];
		pool->free[c] = tail;
		pool->bump += (c + 1) * GRAIN;
	}
	if (new_arena(pool) != 0)
		return NULL;
	void *p = pool->bump;
	pool->bump += rounded;
	return p;
}

static void *small_alloc(struct aio_pool *pool, size_t size)
{
	size_t cls = (size - 1) / GRAIN;
	struct free_block *b = pool->free[cls];
	if (b) {
		pool->free[cls] = b->next;
		return b;
	}
	size_t rounded = (cls + 1) * GRAIN;
	if ((size_t)(pool->end - pool->bump) < rounded)
		return refill(pool, rounded);
	void *p = pool->bump;
	pool->bump += rounded;
	return p;
}

static void small_free(struct aio_pool *pool, void *ptr, size_t size)
{
	size_t cls = (size - 1) / GRAIN;
	struct free_block *b = ptr;
	b->next = pool->free[cls];
	pool->free[cls] = b;
}

static int is_small(size_t size)
{
	return size > 0 && size <= AIO_POOL_MAX_SMALL;
}

/* A block that changes class or heap: a copy, the rare path of a realloc. */
static __attribute__((noinline)) void *move_block(struct aio_pool *pool, void *ptr,
						  size_t osize, size_t nsize)
{
	void *fresh = is_small(nsize) ? small_alloc(pool, nsize) : malloc(nsize);
	if (!fresh)
		return NULL;
	memcpy(fresh, ptr, osize < nsize ? osize : nsize);
	if (is_small(osize))
		small_free(pool, ptr, osize);
	else
		free(ptr);
	return fresh;
}

void *aio_pool_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct aio_pool *pool = ud;
	if (!ptr) {
		/* osize is the new object's type then, not a size. */
		if (is_small(nsize))
			return small_alloc(pool, nsize);
		return nsize ? malloc(nsize) : NULL;
	}
	if (nsize == 0) {
		if (is_small(osize))
			small_free(pool, ptr, osize);
		else
			free(ptr);
		return NULL;
	}
	if (!is_small(nsize) && !is_small(osize))
		return realloc(ptr, nsize);
	if (is_small(osize) && is_small(nsize) &&
	    (osize - 1) / GRAIN == (nsize - 1) / GRAIN)
		return ptr;	/* same class: the block already fits */
	return move_block(pool, ptr, osize, nsize);
}
