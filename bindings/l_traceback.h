/* l_traceback.h -- tracebacks as luaL_traceback writes them, at a fraction of the cost */
#ifndef L_TRACEBACK_H
#define L_TRACEBACK_H

#include <lauxlib.h>
#include <lua.h>

/* [-0, +1] luaL_traceback(L, L1, msg, level): the same text (see l_traceback.c). */
void laio_traceback(lua_State *L, lua_State *L1, const char *msg, int level);

/* debug.traceback([thread,] [message [, level]]) over laio_traceback. */
int laio_l_traceback(lua_State *L);

#endif
