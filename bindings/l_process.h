/* l_process.h -- child processes for processes.lua */
#ifndef L_PROCESS_H
#define L_PROCESS_H

#include "l_core.h"

/* internals.open_process, the primitives of processes.lua */
int laio_open_process(lua_State *L);
/* Children spawned and not reaped yet. */
unsigned long laio_children_running(void);

#endif
