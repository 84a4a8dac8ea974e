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
 * For a finished task's own callback, the function at cb_idx: when it is a
 * gather's and all it would do for the child f is count it (f succeeded,
 * other children are left, the gather is pending), counts it and returns
 * 1, so the callback need not be called; else 0.
 */
struct l_future;
int laio_gather_counted(lua_State *L, int cb_idx, struct l_future *f);

#endif
