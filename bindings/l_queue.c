/* l_queue.c -- Queue, PriorityQueue, LifoQueue: CPython 3.13's asyncio.queues, with waiters parked in C */
#include "l_queue.h"
#include "l_task.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/*
 * A queue is a table that holds its own methods, so q:put and q:get find
 * them in the first table Lua probes (a userdata's methods sit behind its
 * metatable's __index: that lookup cost as much as the rest of a put). Its
 * array part holds the items: a put or a get is a few raw accesses and no
 * allocation. Its state, struct l_queue, is a userdata kept in the queue's
 * own metatable, which also holds q.maxsize behind __index (so it reads as
 * a field and, through __newindex, stays read-only as Python's property).
 * The struct names its table as its owner and keeps it alive, so no other
 * table can pass for the queue.
 *
 * Finding the struct from the table costs several API calls, so the
 * methods share a one-entry cache: the struct last found, which they take
 * at once when self is its owner. The cache holds it (the user value of
 * the cache's userdata), so the pointer never dangles; the price is that
 * the queue last used outlives its last reference until another queue is.
 */
enum { KIND_FIFO, KIND_LIFO, KIND_PRIORITY };

static const char *const kind_names[] = {"Queue", "LifoQueue", "PriorityQueue"};

#define QUEUE_MAGIC 0x61696f642d717565u	/* "aiod-que" */

struct l_queue {
	uint64_t magic;
	const void *owner;	/* the queue's table, the struct's user value */
	lua_Integer head;	/* FIFO: ring position of the oldest item */
	lua_Integer size;
	lua_Integer cap;	/* FIFO: ring positions, grown by doubling */
	lua_Integer bound;	/* full at this size; 0: unbounded */
	lua_Integer unfinished;	/* put and not yet task_done */
	lua_Integer seq;	/* PriorityQueue: puts so far, to keep ties in order */
	struct l_link getters, putters, joiners;	/* parked tasks, oldest first */
	unsigned char kind;
	unsigned char shutdown;
};

struct queue_cache {
	struct l_queue *last;	/* NULL, or the struct in the cache's user value */
};

/* Every method's and metamethod's upvalues: the module state, the cache
 * as a light userdata (cheaper to read) and the userdata that it is. */
#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))
#define CACHE(L) ((struct queue_cache *)lua_touserdata(L, lua_upvalueindex(2)))
#define CACHE_HOLDER lua_upvalueindex(3)
/* The constructors': */
#define METHODS lua_upvalueindex(1)	/* copied into each queue */
#define METAMETHODS lua_upvalueindex(2)	/* __tostring and __newindex, for each metatable */
#define KIND lua_upvalueindex(3)
#define METHODS_INDEX lua_upvalueindex(4)	/* {__index = methods} */
#define ITEMS 1		/* the queue's table, self */
#define FIRST_SLOT 1
#define STRUCT_KEY 1	/* the struct's key in the queue's metatable */
#define FIFO_START 16	/* ring positions of a new FIFO queue */
#define ENTRY 3		/* PriorityQueue slots per item: key, seq, item */

/* [-0, +1] Pushes the struct of self, which must be a queue: its metatable
 * holds a userdata of our size, with the magic, owned by self. */
static struct l_queue *push_struct(lua_State *L)
{
	if (lua_getmetatable(L, 1) && lua_rawgeti(L, -1, STRUCT_KEY) == LUA_TUSERDATA) {
		struct l_queue *q = lua_touserdata(L, -1);
		if (lua_rawlen(L, -1) == sizeof *q && q->magic == QUEUE_MAGIC &&
		    q->owner == lua_topointer(L, 1)) {
			lua_remove(L, -2);
			return q;
		}
	}
	/* A table given a queue's metatable, or a queue whose metatable lost
	 * its state, has the __name: say what is wrong, rather than
	 * "asyncio.Queue expected, got asyncio.Queue". */
	if (lua_type(L, 1) == LUA_TTABLE && luaL_getmetafield(L, 1, "__name") == LUA_TSTRING &&
	    strcmp(lua_tostring(L, -1), "asyncio.Queue") == 0)
		luaL_argerror(L, 1, "asyncio.Queue expected, got a table with a queue's metatable but not its state");
	return (struct l_queue *)(luaL_typeerror(L, 1, "asyncio.Queue"), NULL);
}

/* [-0, +0] check_queue's way when self is not the cached queue: the struct
 * found becomes the cache's. */
static __attribute__((noinline)) struct l_queue *cache_queue(lua_State *L, struct queue_cache *cache)
{
	cache->last = push_struct(L);
	lua_setiuservalue(L, CACHE_HOLDER, 1);
	return cache->last;
}

/* [-0, +0] Self's struct, from the cache when self is its owner (no other
 * live object has its owner's address: the cached struct keeps it alive;
 * only C could make a light userdata of that address). Inline: every
 * method starts here. */
static inline struct l_queue *check_queue(lua_State *L)
{
	struct queue_cache *cache = CACHE(L);
	if (cache->last && cache->last->owner == lua_topointer(L, 1))
		return cache->last;
	return cache_queue(L, cache);
}

/* Before a wait: the struct, whose lists hold the waiters, goes on the
 * waiter's stack above self and the argument, so it lives as long as the
 * wait whatever the script does to the queue's metatable meanwhile. */
static void pin_struct(lua_State *L, struct l_queue *q)
{
	if (lua_touserdata(L, 3) == q) {	/* a wait again, after a wake-up */
		lua_settop(L, 3);
		return;
	}
	lua_settop(L, 2);
	if (CACHE(L)->last == q)
		lua_getiuservalue(L, CACHE_HOLDER, 1);
	else
		push_struct(L);
}

static int is_full(const struct l_queue *q)
{
	return q->bound > 0 && q->size >= q->bound;
}

/* [-1, +0] Moves the value on top into slot. */
static void set_slot(lua_State *L, lua_Integer slot)
{
	lua_rawseti(L, ITEMS, slot);
}

/* [-0, +0] Copies slot from to slot to. */
static void copy_slot(lua_State *L, lua_Integer from, lua_Integer to)
{
	lua_rawgeti(L, ITEMS, from);
	set_slot(L, to);
}

static void clear_slot(lua_State *L, lua_Integer slot)
{
	lua_pushnil(L);
	set_slot(L, slot);
}

/* pos is below 2 * cap: a subtraction, not a division, on the hot path. */
static lua_Integer ring_pos(const struct l_queue *q, lua_Integer pos)
{
	return pos < q->cap ? pos : pos - q->cap;
}

/* A full ring grows: the run from head to the old end moves to the new end.
 * Out of line, as the heap's put and get: put_now and get_now, inlined into
 * the methods, then take a FIFO item without a stack frame. */
static __attribute__((noinline)) void fifo_grow(lua_State *L, struct l_queue *q)
{
	lua_Integer cap = q->cap * 2;
	if (q->bound > 0 && cap > q->bound)
		cap = q->bound;
	lua_Integer shift = cap - q->cap;
	if (q->head > 0) {
		for (lua_Integer pos = q->cap - 1; pos >= q->head; pos--) {
			copy_slot(L, FIRST_SLOT + pos, FIRST_SLOT + pos + shift);
			clear_slot(L, FIRST_SLOT + pos);
		}
		q->head += shift;
	}
	q->cap = cap;
}

/* PriorityQueue: a binary heap of entries; entry i starts at this slot. */
static lua_Integer entry_slot(lua_Integer i)
{
	return FIRST_SLOT + ENTRY * i;
}

/* Lua's own "attempt to compare" would name neither the queue nor the
 * priorities; an __lt of the script's decides for itself. */
static void check_orderable(lua_State *L, int ka, int kb)
{
	int ta = lua_type(L, ka), tb = lua_type(L, kb);
	if (ta == tb && (ta == LUA_TNUMBER || ta == LUA_TSTRING))
		return;
	if (luaL_getmetafield(L, ka, "__lt") != LUA_TNIL ||
	    luaL_getmetafield(L, kb, "__lt") != LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	luaL_error(L, "PriorityQueue cannot order a %s priority and a %s priority",
		   lua_typename(L, ta), lua_typename(L, tb));
}

/* Whether the entry keyed at index ka, put as number sa, comes out before
 * the one keyed at kb, put as sb. Lua's < may raise, so the heap code makes
 * every comparison before it moves anything: a put or a get that raises
 * leaves the queue as it was. */
static int key_before(lua_State *L, int ka, lua_Integer sa, int kb, lua_Integer sb)
{
	ka = lua_absindex(L, ka);
	kb = lua_absindex(L, kb);
	check_orderable(L, ka, kb);
	if (lua_compare(L, ka, kb, LUA_OPLT))
		return 1;
	if (lua_compare(L, kb, ka, LUA_OPLT))
		return 0;
	return sa < sb;
}

/* [-0, +1] Pushes entry i's key; returns its put number. */
static lua_Integer push_key(lua_State *L, lua_Integer i)
{
	lua_rawgeti(L, ITEMS, entry_slot(i) + 1);
	lua_Integer seq = lua_tointeger(L, -1);
	lua_pop(L, 1);
	lua_rawgeti(L, ITEMS, entry_slot(i));
	return seq;
}

static void move_entry(lua_State *L, lua_Integer from, lua_Integer to)
{
	for (int k = 0; k < ENTRY; k++)
		copy_slot(L, entry_slot(from) + k, entry_slot(to) + k);
}

/* [-1, +0] The item on top joins the heap, keyed by item[1] if it is a
 * table with one, else by itself. */
static __attribute__((noinline)) void heap_put(lua_State *L, struct l_queue *q)
{
	int item = lua_gettop(L), key = item + 1;
	if (lua_type(L, item) != LUA_TTABLE || lua_geti(L, item, 1) == LUA_TNIL) {
		lua_settop(L, item);
		lua_pushvalue(L, item);
	}
	lua_Integer seq = q->seq + 1, at = q->size;
	while (at > 0) {
		lua_Integer parent = (at - 1) / 2;
		lua_Integer parent_seq = push_key(L, parent);
		int up = key_before(L, key, seq, key + 1, parent_seq);
		lua_pop(L, 1);
		if (!up)
			break;
		at = parent;
	}
	for (lua_Integer i = q->size; i > at; i = (i - 1) / 2)
		move_entry(L, (i - 1) / 2, i);
	lua_pushinteger(L, seq);
	set_slot(L, entry_slot(at) + 1);
	set_slot(L, entry_slot(at));
	set_slot(L, entry_slot(at) + 2);
	q->seq = seq;
	q->size++;
}

/* [-0, +1] Takes the first entry's item; the last entry fills the hole,
 * sinking along the path of the smaller children. */
static __attribute__((noinline)) void heap_get(lua_State *L, struct l_queue *q)
{
	lua_Integer last = q->size - 1, path[64];
	int depth = 0;
	if (last > 0) {
		lua_Integer last_seq = push_key(L, last), at = 0;
		int last_key = lua_gettop(L);
		for (;;) {
			lua_Integer child = 2 * at + 1;
			if (child >= last)
				break;
			lua_Integer child_seq = push_key(L, child);
			if (child + 1 < last) {
				lua_Integer right_seq = push_key(L, child + 1);
				if (key_before(L, -1, right_seq, -2, child_seq)) {
					child++;
					child_seq = right_seq;
					lua_remove(L, -2);
				} else {
					lua_pop(L, 1);
				}
			}
			int down = key_before(L, -1, child_seq, last_key, last_seq);
			lua_pop(L, 1);
			if (!down)
				break;
			path[depth++] = at = child;
		}
		lua_pop(L, 1);
	}
	lua_rawgeti(L, ITEMS, entry_slot(0) + 2);
	lua_Integer hole = 0;
	for (int d = 0; d < depth; d++) {
		move_entry(L, path[d], hole);
		hole = path[d];
	}
	if (last > 0)
		move_entry(L, last, hole);
	for (int k = 0; k < ENTRY; k++)
		clear_slot(L, entry_slot(last) + k);
	q->size = last;
}

/* [-1, +0] Stores the item on top. */
static void put_item(lua_State *L, struct l_queue *q)
{
	switch (q->kind) {
	case KIND_FIFO:
		if (q->size == q->cap)
			fifo_grow(L, q);
		set_slot(L, FIRST_SLOT + ring_pos(q, q->head + q->size));
		q->size++;
		break;
	case KIND_LIFO:
		set_slot(L, FIRST_SLOT + q->size);
		q->size++;
		break;
	default:
		heap_put(L, q);
	}
}

/* [-0, +1] Removes the next item and pushes it. */
static void get_item(lua_State *L, struct l_queue *q)
{
	switch (q->kind) {
	case KIND_FIFO:
		lua_rawgeti(L, ITEMS, FIRST_SLOT + q->head);
		clear_slot(L, FIRST_SLOT + q->head);
		q->head = ring_pos(q, q->head + 1);
		q->size--;
		break;
	case KIND_LIFO:
		q->size--;
		lua_rawgeti(L, ITEMS, FIRST_SLOT + q->size);
		clear_slot(L, FIRST_SLOT + q->size);
		break;
	default:
		heap_get(L, q);
	}
}

/* put's checks: self, then the item, which cannot be nil. */
static struct l_queue *check_put(lua_State *L)
{
	struct l_queue *q = check_queue(L);
	if (lua_isnoneornil(L, 2))
		luaL_typeerror(L, 2, "value");
	return q;
}

/* put_nowait with self at 1 and the item at 2. */
static int put_now(lua_State *L, struct l_queue *q)
{
	if (q->shutdown)
		return laio_raise(L, "QueueShutDown", NULL);
	if (is_full(q))
		return laio_raise(L, "QueueFull", NULL);
	if (lua_gettop(L) != 2)
		lua_pushvalue(L, 2);	/* q:put(item) has it on top already */
	put_item(L, q);
	q->unfinished++;
	laio_unpark_first(&q->getters);
	return 0;
}

static int get_now(lua_State *L, struct l_queue *q)
{
	if (q->size == 0)
		return laio_raise(L, q->shutdown ? "QueueShutDown" : "QueueEmpty", NULL);
	get_item(L, q);
	laio_unpark_first(&q->putters);
	return 1;
}

/*
 * put and get wait in a loop, as Python's do: a woken waiter checks again.
 * A waiter that was woken and then cancelled before it ran passes its
 * wake-up on, so the next waiter does not miss the room or the item.
 */
static const struct laio_park_kind wait_put = {"Queue.put", 0, NULL};
static const struct laio_park_kind wait_get = {"Queue.get", 0, NULL};
static const struct laio_park_kind wait_join = {"Queue.join", 0, NULL};

static int put_wait(lua_State *L, struct l_queue *q);
static int get_wait(lua_State *L, struct l_queue *q);

static int put_k(lua_State *L, int status, lua_KContext ctx)
{
	struct l_queue *q = (struct l_queue *)ctx;
	(void)status;
	if (laio_lost_wakeup(L) && !is_full(q))
		laio_unpark_first(&q->putters);
	laio_resume_check(L);
	return put_wait(L, q);
}

static int put_wait(lua_State *L, struct l_queue *q)
{
	if (!is_full(q))
		return put_now(L, q);
	if (q->shutdown)
		return laio_raise(L, "QueueShutDown", NULL);
	pin_struct(L, q);
	return laio_park(L, laio_current_task(L, STATE(L)), &q->putters, &wait_put, put_k,
			 (lua_KContext)q);
}

static int get_k(lua_State *L, int status, lua_KContext ctx)
{
	struct l_queue *q = (struct l_queue *)ctx;
	(void)status;
	if (laio_lost_wakeup(L) && q->size > 0)
		laio_unpark_first(&q->getters);
	laio_resume_check(L);
	return get_wait(L, q);
}

static int get_wait(lua_State *L, struct l_queue *q)
{
	if (q->size > 0)
		return get_now(L, q);
	if (q->shutdown)
		return laio_raise(L, "QueueShutDown", NULL);
	pin_struct(L, q);
	return laio_park(L, laio_current_task(L, STATE(L)), &q->getters, &wait_get, get_k,
			 (lua_KContext)q);
}

/* q:put(item) */
static int l_queue_put(lua_State *L)
{
	struct l_queue *q = check_put(L);
	return put_wait(L, q);
}

/* q:get() */
static int l_queue_get(lua_State *L)
{
	struct l_queue *q = check_queue(L);
	return get_wait(L, q);
}

/* q:put_nowait(item) */
static int l_queue_put_nowait(lua_State *L)
{
	struct l_queue *q = check_put(L);
	return put_now(L, q);
}

/* q:get_nowait() */
static int l_queue_get_nowait(lua_State *L)
{
	struct l_queue *q = check_queue(L);
	return get_now(L, q);
}

static int l_queue_qsize(lua_State *L)
{
	lua_pushinteger(L, check_queue(L)->size);
	return 1;
}

static int l_queue_empty(lua_State *L)
{
	lua_pushboolean(L, check_queue(L)->size == 0);
	return 1;
}

static int l_queue_full(lua_State *L)
{
	lua_pushboolean(L, is_full(check_queue(L)));
	return 1;
}

/* q:task_done() */
static int l_queue_task_done(lua_State *L)
{
	struct l_queue *q = check_queue(L);
	if (q->unfinished <= 0)
		return luaL_error(L, "task_done() called too many times");
	if (--q->unfinished == 0)
		laio_unpark_all(&q->joiners);
	return 0;
}

static int join_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	laio_resume_check(L);
	return 0;
}

/* q:join(): one wait, as Python's Event.wait: woken when the count hits 0,
 * it returns even if a put came in between. */
static int l_queue_join(lua_State *L)
{
	struct l_queue *q = check_queue(L);
	if (q->unfinished == 0)
		return 0;
	pin_struct(L, q);
	return laio_park(L, laio_current_task(L, STATE(L)), &q->joiners, &wait_join, join_k, 0);
}

/* q:shutdown([immediate]) */
static int l_queue_shutdown(lua_State *L)
{
	struct l_queue *q = check_queue(L);
	q->shutdown = 1;
	if (lua_toboolean(L, 2)) {
		/* Dropping the items needs no comparisons: their slots are cleared. */
		lua_Integer used = q->kind == KIND_FIFO ? q->cap
			: q->kind == KIND_LIFO ? q->size : ENTRY * q->size;
		for (lua_Integer slot = FIRST_SLOT; slot < FIRST_SLOT + used; slot++)
			clear_slot(L, slot);
		q->unfinished = q->unfinished > q->size ? q->unfinished - q->size : 0;
		q->size = q->head = 0;
		if (q->unfinished == 0)
			laio_unpark_all(&q->joiners);
	}
	/* Every waiter checks again and sees the shutdown. */
	while (laio_unpark_first(&q->getters))
		;
	while (laio_unpark_first(&q->putters))
		;
	return 0;
}

static int l_queue_tostring(lua_State *L)
{
	struct l_queue *q = check_queue(L);
	lua_getfield(L, 1, "maxsize");	/* through the queue's own __index */
	lua_pushfstring(L, "<%s maxsize=%s qsize=%I%s>", kind_names[q->kind],
			luaL_tolstring(L, -1, NULL), (LUAI_UACINT)q->size,
			q->shutdown ? " shutdown" : "");
	return 1;
}

/* Assignments: maxsize is read-only, and a queue takes no new fields. */
static int l_queue_newindex(lua_State *L)
{
	const char *name = kind_names[check_queue(L)->kind];
	const char *key = luaL_tolstring(L, 2, NULL);
	if (strcmp(key, "maxsize") == 0)
		return luaL_error(L, "'%s' object attribute 'maxsize' is read-only", name);
	return luaL_error(L, "'%s' object has no attribute '%s'", name, key);
}

static const luaL_Reg queue_methods[] = {
	{"put", l_queue_put},
	{"get", l_queue_get},
	{"put_nowait", l_queue_put_nowait},
	{"get_nowait", l_queue_get_nowait},
	{"qsize", l_queue_qsize},
	{"empty", l_queue_empty},
	{"full", l_queue_full},
	{"task_done", l_queue_task_done},
	{"join", l_queue_join},
	{"shutdown", l_queue_shutdown},
	{NULL, NULL}
};

#define METHOD_COUNT ((int)(sizeof queue_methods / sizeof *queue_methods) - 1)

static const luaL_Reg queue_metamethods[] = {
	{"__tostring", l_queue_tostring},
	{"__newindex", l_queue_newindex},
	{NULL, NULL}
};

/* [-0, +0] Copies the fields of the table at from into the table at to. */
static void copy_fields(lua_State *L, int from, int to)
{
	to = lua_absindex(L, to);
	lua_pushnil(L);
	while (lua_next(L, from)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, to);
	}
}

/* Queue([maxsize]) and the others */
static int l_queue_new(lua_State *L)
{
	int kind = (int)lua_tointeger(L, KIND);
	lua_Integer bound = 0;
	if (lua_isnoneornil(L, 1)) {
		lua_settop(L, 0);
		lua_pushinteger(L, 0);
	} else if (lua_type(L, 1) != LUA_TNUMBER) {
		return luaL_typeerror(L, 1, "number");
	} else {
		lua_Number maxsize = lua_tonumber(L, 1);
		/* A bound past any reachable size is no bound (NaN is none too). */
		if (maxsize > 0 && maxsize < 0x1p62)
			bound = (lua_Integer)ceil(maxsize);
		lua_settop(L, 1);
	}
	lua_Integer start = kind != KIND_FIFO ? 0
		: bound > 0 && bound < FIFO_START ? bound : FIFO_START;
	lua_createtable(L, (int)start, METHOD_COUNT);	/* 2: the queue */
	copy_fields(L, METHODS, 2);
	lua_createtable(L, 1, 5);	/* 3: its metatable */
	struct l_queue *q = lua_newuserdatauv(L, sizeof *q, 1);
	*q = (struct l_queue){.magic = QUEUE_MAGIC, .owner = lua_topointer(L, 2), .cap = start,
			      .bound = bound, .kind = (unsigned char)kind};
	laio_list_init(&q->getters);
	laio_list_init(&q->putters);
	laio_list_init(&q->joiners);
	lua_pushvalue(L, 2);
	lua_setiuservalue(L, -2, 1);
	lua_rawseti(L, 3, STRUCT_KEY);
	/* Its __index: maxsize, then the methods again, through a metatable
	 * all queues share, so a method rawset to nil on the queue is still
	 * found, as Python finds a class's after an instance's is deleted. */
	lua_createtable(L, 0, 1);
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, "maxsize");
	lua_pushvalue(L, METHODS_INDEX);
	lua_setmetatable(L, -2);
	lua_setfield(L, 3, "__index");
	copy_fields(L, METAMETHODS, 3);
	lua_pushliteral(L, "asyncio.Queue");
	lua_setfield(L, 3, "__name");
	lua_setmetatable(L, 2);
	return 1;
}

/* internals.open_queue(): the three constructors, for queues.lua. */
int laio_open_queue(lua_State *L)
{
	lua_settop(L, 0);
	lua_pushvalue(L, lua_upvalueindex(1));	/* the module state */
	struct queue_cache *cache = lua_newuserdatauv(L, sizeof *cache, 1);
	cache->last = NULL;
	lua_pushlightuserdata(L, cache);
	lua_insert(L, 2);	/* 2: the cache's light userdata, 3: the cache */
	luaL_newlibtable(L, queue_methods);	/* 4 */
	for (int i = 1; i <= 3; i++)
		lua_pushvalue(L, i);
	luaL_setfuncs(L, queue_methods, 3);
	luaL_newlibtable(L, queue_metamethods);	/* 5 */
	for (int i = 1; i <= 3; i++)
		lua_pushvalue(L, i);
	luaL_setfuncs(L, queue_metamethods, 3);
	lua_createtable(L, 0, 1);	/* 6 */
	lua_pushvalue(L, 4);
	lua_setfield(L, 6, "__index");
	lua_createtable(L, 0, 3);
	for (int kind = KIND_FIFO; kind <= KIND_PRIORITY; kind++) {
		lua_pushvalue(L, 4);
		lua_pushvalue(L, 5);
		lua_pushinteger(L, kind);
		lua_pushvalue(L, 6);
		lua_pushcclosure(L, l_queue_new, 4);
		lua_setfield(L, -2, kind_names[kind]);
	}
	return 1;
}
