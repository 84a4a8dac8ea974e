/* l_net.h -- sockets for streams.lua: connect, listen, resolve, and loop:getaddrinfo */
#ifndef L_NET_H
#define L_NET_H

#include "l_core.h"

/* loop:getaddrinfo, set on the loop class (state at index state) */
void laio_open_getaddrinfo(lua_State *L, int state);
/* internals.open_net, the primitives of streams.lua */
int laio_open_net(lua_State *L);

#endif
