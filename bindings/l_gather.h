/* l_gather.h -- asyncio.gather: a future over its children's results */
#ifndef L_GATHER_H
#define L_GATHER_H

#include "l_core.h"

void laio_open_gather(lua_State *L, int state);
int laio_gather_future(lua_State *L);	/* internal: gather without awaiting */
/* [-0, +(0|1)] When the future at idx is a gather's: pushes the list of its
 * children and returns 1; else 0. */
int laio_push_gather_children(lua_State *L, int idx);

#endif
