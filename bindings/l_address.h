/* l_address.h -- a socket's own or its peer's address as Lua values, for streams, listeners and endpoints */
#ifndef L_ADDRESS_H
#define L_ADDRESS_H

#include "l_core.h"

/* [-0, +n] fd's own (peer 0) or its peer's address: host, port, or a
 * path; n, 0 when there is none. */
int laio_push_socket_address(lua_State *L, int fd, int peer);
/* [-0, +(0|1)] The same as one string, for aiod ps: "10.0.0.5:443",
 * "[::1]:53", a path, or "fd N" for what has no address (a pipe); 0 when
 * fd is -1. */
int laio_push_address_text(lua_State *L, int fd, int peer);

#endif
