/* l_inspect.h -- internals for aiod ps and stack */
#ifndef L_INSPECT_H
#define L_INSPECT_H

#include "l_core.h"

extern const luaL_Reg laio_inspect_functions[];
/* SIGUSR1: every unfinished task, its state, wait and traceback, to stderr. */
void laio_dump_tasks(lua_State *L, struct l_loop *loop);

#endif
