/* l_coro.h -- asyncio's coroutine objects: a function and its arguments, not started */
#ifndef L_CORO_H
#define L_CORO_H

#include "l_core.h"

#define LAIO_COROUTINE "asyncio.Coroutine"

int laio_coro_unpack(lua_State *L, int idx);	/* pushes fn, args; count */
/* Makes the class; await is its await method, the tasks' asyncio.await,
 * handed down so that this layer need not know tasks. */
void laio_open_coro(lua_State *L, int state, lua_CFunction await);

#endif
