/* pool.h -- a header-free small-object allocator for a single-threaded heap (Lua's) */
#ifndef AIO_POOL_H
#define AIO_POOL_H

#include <stddef.h>

struct aio_pool;

/*
 * Makes an empty pool. Blocks up to AIO_POOL_MAX_SMALL bytes come from
 * size-class free lists carved out of large arenas (populated a step at
 * a time, which saves most page faults when many tasks start at once);
 * larger ones go to malloc. Freed small blocks are kept for reuse, never
 * returned to the system. Not thread-safe: one pool per Lua state.
 * Returns NULL when out of memory.
 */
struct aio_pool *aio_pool_new(void);

/* Frees the pool and every block it handed out. */
void aio_pool_free(struct aio_pool *pool);

/*
 * Allocation function in the shape of lua_Alloc: ud is the pool; the caller
 * always says how big ptr was (osize), so blocks carry no header. With ptr
 * NULL, osize is ignored. nsize 0 frees ptr and returns NULL.
 */
void *aio_pool_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/*
 * A word kept with the pool for its owner, NULL at first. The Lua bindings
 * keep their module state there: code that holds only a lua_State finds it
 * through lua_getallocf without a lookup in the registry.
 */
void **aio_pool_user(struct aio_pool *pool);

/* Bytes of arena memory taken from the system, for tests and stats. */
size_t aio_pool_arena_bytes(const struct aio_pool *pool);

#define AIO_POOL_MAX_SMALL 1024

#endif
