/* l_queue.h -- the C side of asyncio.Queue */
#ifndef L_QUEUE_H
#define L_QUEUE_H

#include "l_core.h"

/* internals.open_queue, the constructors for queues.lua */
int laio_open_queue(lua_State *L);

#endif
