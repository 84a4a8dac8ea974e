/* pool.c -- a header-free small-object allocator for a single-threaded heap (Lua's) */
#include "pool.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define GRAIN 16
#define CLASSES (AIO_POOL_MAX_SMALL / GRAIN)
#define ARENA_SIZE (2u << 20)

struct arena {
	struct arena *next;
};

struct free_block {
	struct free_block *next;
};

struct aio_pool {
	struct free_block *free[CLASSES];
	char *bump;		/* unused tail of the newest arena */
	char *end;		/* where its populated steps end */
	char *arena_end;
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

/*
 * Arenas are small pages, made a step at a time: each step of an arena
 * is populated in one call (MADV_POPULATE_WRITE) when the pool first
 * hands out memory from it. On a VM a fault's trap costs more than its
 * page: 100,000 tasks took 0.86x the time they took with a fault a page,
 * and a step's stall stays short. Huge pages (MADV_HUGEPAGE) were a quarter
 * faster still when the host had just backed the memory, but these VMs
 * give free 2 MiB blocks back to their host within seconds, and a huge
 * page's first touch after that cost about 4 ms: a daemon whose heap
 * grew after a quiet spell stalled turns of 6-8 ms, small pages 1 ms.
 * See docs/benchmarks.md, "huge pages, measured again".
 */
#define STEP (256u << 10)
#define FIRST_STEP (64u << 10)	/* what a hello world uses of the first arena */

static void populate(char *from, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	madvise(from, len, MADV_POPULATE_WRITE);	/* else: faults, one a page */
#else
	(void)from;
	(void)len;
#endif
}

static int new_arena(struct aio_pool *pool)
{
	char *base = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -1;
	size_t first = pool->arenas ? STEP : FIRST_STEP;
	populate(base, first);
	struct arena *a = (struct arena *)(void *)base;
	a->next = pool->arenas;
	pool->arenas = a;
	pool->arena_bytes += ARENA_SIZE;
	pool->bump = base + GRAIN;	/* the arena header takes the first grain */
	pool->end = base + first;
	pool->arena_end = base + ARENA_SIZE;
	return 0;
}

/* The newest arena's populated part is too short for rounded bytes:
 * populates its next step, or files the tail under smaller classes and
 * starts a new arena. Apart from small_alloc, so that the common paths
 * need no stack frame. */
static __attribute__((noinline)) void *refill(struct aio_pool *pool, size_t rounded)
{
	if (pool->end < pool->arena_end) {
		size_t left = (size_t)(pool->arena_end - pool->end);
		size_t step = left < STEP ? left : STEP;	/* more than the largest block */
		populate(pool->end, step);
		pool->end += step;
	} else {
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
	}
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
