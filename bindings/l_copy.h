/* l_copy.h -- values copied between Lua states as bytes (see l_copy.c) */
#ifndef L_COPY_H
#define L_COPY_H

#include "buf.h"
#include "l_core.h"

/* [-0, +0, e] Appends n values from first on; raises on what cannot be copied. */
void laio_encode(lua_State *L, int first, int n, struct aio_buf *b);
int laio_encode_string(struct aio_buf *b, const char *s);	/* one string; 0 or -1 */
int laio_decode(lua_State *L, const char *p, size_t len);	/* [-0, +n, e]: n */

#endif
