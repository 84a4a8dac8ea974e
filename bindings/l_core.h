/* l_core.h -- the bindings' leaf: class making, lists, argument checks, constants and error objects, depending on nothing else of ours */
#ifndef L_CORE_H
#define L_CORE_H

#include <lauxlib.h>
#include <lua.h>

/* Registry field: the table of internals the Lua parts share; the
 * program may call its close_servers() (there once streams loaded). */
#define LAIO_INTERNALS "asyncio.internals"
/* Registry field: the module's table, once luaopen_asyncio made it (a
 * capability that runs only under a running loop finds it there). */
#define LAIO_MODULE "asyncio.module"
/* Registry field: the error classes by name. */
#define LAIO_ERRORS "asyncio.errors"

/* The most user values a userdata holds: Lua keeps their count in an
 * unsigned short and silently drops the rest. Objects that keep a call's
 * arguments there (Handle, coroutine object) refuse more. */
#define LAIO_MAX_USER_VALUES 65000

struct l_loop;

/* Module-wide state; upvalue 1 of every C function of the module. */
struct l_state {
	struct l_loop *running;	/* loop running in this Lua state, or NULL */
	unsigned long task_counter;	/* for default names, Task-1, ... */
	int task_metatable;	/* a registry ref: a task is made without a lookup by name */
	/* Unfinished tasks, the most there ever were, and what one costs the
	 * heap: the collector's credit for a burst of them (see l_task.c). */
	unsigned long tasks_unfinished, tasks_peak;
	int task_bytes, gc_credit;
	int anchor_free;	/* the first free slot of laio_anchor's, or 0 */
	lua_CFunction own_body;	/* the C function that is its task's body (laio_task_own_body) */
};

/* l_core.c */
/* [-0, +1] Makes the module state, kept in the registry for laio_state. */
struct l_state *laio_new_state(lua_State *L);
struct l_state *laio_state(lua_State *L);	/* NULL before the module opened */
/*
 * [-0, +0] Makes the metatable tname: its __index table holds the methods
 * of each list in the NULL-ended array (each sharing the module state at
 * index state as upvalue 1 and the metatable as upvalue 2, for
 * laio_checkself); metamethods go in the metatable itself.
 */
void laio_new_class(lua_State *L, const char *tname, int state,
		    const luaL_Reg *const methods[], const luaL_Reg *metamethods);
/*
 * luaL_checkudata(L, 1, tname) in a method laio_new_class made for class
 * tname: self's metatable is compared with upvalue 2 instead of being looked
 * up by name (a method checks its self on every call). Not for a function
 * listed in another class too: there it would take that class's objects.
 * Errors are luaL_checkudata's.
 */
void *laio_checkself(lua_State *L, const char *tname);
/* [-1, +0] Names the method table on top after tname for error messages
 * (see l_core.c), for classes made outside laio_new_class. */
void laio_name_methods(lua_State *L, const char *tname);
/*
 * [-1, +0] Anchors the value on top in the registry until laio_unanchor;
 * returns its slot, for lua_rawgeti(L, LUA_REGISTRYINDEX, slot). As
 * luaL_ref and luaL_unref (whose slots it never takes), for objects
 * anchored and released by the hundred thousand (tasks); not for nil.
 */
int laio_anchor(lua_State *L, struct l_state *S);
/* [-0, +0] Releases the slot *ref and sets it to LUA_NOREF; none (< 0): nothing. */
void laio_unanchor(lua_State *L, struct l_state *S, int *ref);
/* [-0, +1] registry[key], a table whose __mode is mode ("k", "v"), made on first use. */
void laio_push_weak_table(lua_State *L, const char *key, const char *mode);
/* An integer a C part hands its Lua part, by name. */
struct laio_constant {
	const char *name;
	lua_Integer value;
};
/* [-0, +0] Sets each of the NULL-ended constants in the table at -1. */
void laio_set_constants(lua_State *L, const struct laio_constant *c);
/* A delay or a time at idx: a number, not NaN (NaN would freeze every
 * timer of the loop). */
lua_Number laio_check_time(lua_State *L, int idx);
/* A function or a value with __call at idx; returns idx. */
int laio_check_callable(lua_State *L, int idx);

/* A node of an intrusive doubly linked list (a loop's tasks, the tasks
 * parked on an object); a head is a node linked to itself when empty. */
struct l_link {
	struct l_link *prev;
	struct l_link *next;
};
static inline void laio_list_init(struct l_link *head)
{
	head->next = head->prev = head;
}
static inline int laio_list_empty(const struct l_link *head)
{
	return head->next == head;
}

/* l_errors.c: asyncio's error objects */
void laio_push_error(lua_State *L, const char *cls, const char *msg);	/* [-0,+1,e] */
int laio_raise(lua_State *L, const char *cls, const char *msg);	/* never returns */
/* [-0, +1] OSError, or the subclass Python picks for err (a positive errno),
 * with fields errno and strerror; context (may be NULL) joins the message. */
void laio_push_oserror(lua_State *L, int err, const char *context);
int laio_is_error(lua_State *L, int idx, const char *cls);	/* [-0, +0, e] */
int laio_traceback_handler(lua_State *L);
void laio_report(lua_State *L, const char *what, int idx);	/* to stderr */

#endif
