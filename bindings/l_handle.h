/* l_handle.h -- asyncio.Handle: a callback scheduled on a loop (call_soon, call_later, call_at) */
#ifndef L_HANDLE_H
#define L_HANDLE_H

#include "l_loop.h"

#define LAIO_HANDLE "asyncio.Handle"

/* [-(nargs+1), +0] schedule fn(args...) on the loop at loop_idx; pops fn,
 * args; raises "Event loop is closed" when it is */
void laio_call_soon(lua_State *L, int loop_idx, int nargs);
/* For a closing loop: releases the Handle whose call this is; 0 if none. */
int laio_handle_drop(lua_State *L, struct aio_call *call);
/* loop:call_soon(fn, ...), loop:call_later(delay, fn, ...), loop:call_at(when, fn, ...) */
int laio_loop_call_soon(lua_State *L);
int laio_loop_call_later(lua_State *L);
int laio_loop_call_at(lua_State *L);
void laio_open_handle(lua_State *L, int state);

#endif
