/* l_thread.h -- to_thread, run_coroutine_threadsafe, loop:run_in_executor */
#ifndef L_THREAD_H
#define L_THREAD_H

#include "l_core.h"

/* Into the module at -1 and the loop class (state at index state). */
void laio_open_thread(lua_State *L, int state);

#endif
