/* l_future.h -- asyncio.Future, and the part of it a Task starts with */
#ifndef L_FUTURE_H
#define L_FUTURE_H

#include "l_loop.h"

#define LAIO_FUTURE "asyncio.Future"

enum { FUT_PENDING, FUT_CANCELLED, FUT_FINISHED };

/* User values of a Future or a Task userdata. */
enum {
	/* nil, one callback (a function or userdata), or a table: its
	 * sequence the callbacks, its fields the extras (laio_get_extra:
	 * name, cancel message, ...), made on first need. One slot for both
	 * saves every future 16 B; most have one callback and no extra. A
	 * finished Task: its own callback, while queued, alone or at [1]. */
	UV_CALLBACKS = 1,
	UV_LOOP,		/* the loop userdata, kept alive */
	/* A Future: its value, packed values or error. A Task needs no such
	 * slot, which saves every task 16 B: its results and its error stay
	 * on its finished coroutine, and while it awaits, the Future or Task
	 * it awaits is at index 1 of its suspended frame (laio_push_task_first). */
	UV_RESULT,
	UV_FUTURE_COUNT = UV_RESULT,
	UV_CORO = UV_RESULT,	/* Task: its coroutine */
	UV_TASK_COUNT = UV_CORO
};

/* The part common to Future and Task; a Task starts with it. */
struct l_future {
	struct l_loop *loop;
	int ref;		/* registry anchor while a task is unfinished */
	int nresults;		/* Future with several results: packed count */
	unsigned char state;
	unsigned char is_task;
	unsigned char failed;	/* finished by an error */
	unsigned char unretrieved;	/* failed and nobody looked yet */
	unsigned gather_mark;	/* the last gather that counted it */
};

/* l_future.c */
struct l_future *laio_test_future(lua_State *L, int idx);	/* Task or Future */
/* [-0, +0] Marks the class tname (Future, Task) as one laio_test_future takes. */
void laio_mark_future_class(lua_State *L, const char *tname);
struct l_future *laio_check_future(lua_State *L, int idx);
struct l_future *laio_new_future(lua_State *L, struct l_loop *loop);	/* +1 */
void laio_future_add_callback(lua_State *L, int fut_idx, int cb_idx);
/* Finish a pending future with the n values from first on, or an error. */
void laio_future_set_result(lua_State *L, int fut_idx, int first, int n);
void laio_future_set_exception(lua_State *L, int fut_idx, int err_idx);
/* [-0, +1]: the CancelledError a cancelled future raises. */
void laio_push_cancelled_error(lua_State *L, int fut_idx);
void laio_future_finish(lua_State *L, int fut_idx, int state);
int laio_future_cancel(lua_State *L, int fut_idx, int msg_idx);
int laio_push_results(lua_State *L, int fut_idx);	/* raises its error */
/* [-0, +1] The error of a future that failed (f->failed). */
void laio_push_exception(lua_State *L, int fut_idx);
void laio_get_extra(lua_State *L, int idx, const char *field);	/* +1 */
void laio_set_extra(lua_State *L, int idx, const char *field);	/* pops 1 */
extern const luaL_Reg laio_future_common[];	/* Future's and Task's */
/* Marks the failed future at idx as unretrieved, to be reported soon
 * after it is dropped (see l_future.c). */
void laio_future_unretrieved(lua_State *L, int idx);
/* Whether a future marked unretrieved is still so; drops those that are not. */
int laio_any_unretrieved(lua_State *L);
void laio_open_future(lua_State *L, int state);
/* How the report of an unretrieved error describes it: l_failure.c's
 * laio_push_failure, handed down by l_module.c so that futures need not
 * know the layer above them that walks tasks. Set before any future is. */
void laio_future_set_describer(void (*describe)(lua_State *L, int err_idx, int task_idx, int tb_idx));

#endif
