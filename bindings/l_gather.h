/* l_gather.h -- asyncio.gather: a future over its children's results */
#ifndef L_GATHER_H
#define L_GATHER_H

#include "l_core.h"

void laio_open_gather(lua_State *L, int state);
int laio_gather_future(lua_State *L);	/* internal: gather without awaiting */
/* [-0, +(0|1)] When the future at idx is a gather's: pushes the list of its
 * children and returns 1; else 0. */
int laio_push_gather_children(lua_State *L, int idx);
/*
 * For a future f whose done callback at cb_idx is about to be scheduled:
 * when it is a gather's (each child has one), notes that its run is due,
 * and returns 0. When may_count and all that run would do is count f done
 * (see l_gather.c), counts it instead and returns 1: the callback must not
 * be scheduled then.
 */
struct l_future;
int laio_gather_child_done(lua_State *L, int cb_idx, struct l_future *f, int may_count);

#endif
