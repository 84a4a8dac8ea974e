/* l_fdwatch.h -- loop:add_reader and kin, and wait_readable/wait_writable */
#ifndef L_FDWATCH_H
#define L_FDWATCH_H

#include "l_core.h"

/* Into the module at -1 and the loop class (state at index state). */
void laio_open_fdwatch(lua_State *L, int state);

#endif
