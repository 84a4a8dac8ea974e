/* l_dgram.h -- datagram endpoints for datagrams.lua */
#ifndef L_DGRAM_H
#define L_DGRAM_H

#include "l_core.h"

/* internals.open_dgram, DatagramEndpoint and the primitives of datagrams.lua */
int laio_open_dgram(lua_State *L);

#endif
