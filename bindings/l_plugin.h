/* l_plugin.h -- loads the modules that carry big libraries the first time a script uses them */
#ifndef L_PLUGIN_H
#define L_PLUGIN_H

#include "l_core.h"

/*
 * TLS lives with OpenSSL in asyncio_tls.so (l_ssl*.c, l_stream_tls.c,
 * runtime/tlsconn.c), loaded the first time a script uses asyncio.ssl, so
 * that a program without TLS never loads OpenSSL. internals.open_ssl loads
 * it and returns what its laio_tls_open gives: the C side of asyncio.ssl.
 * asyncio.http lives with libcurl in asyncio_http.so (l_http*.c,
 * runtime/curl.c); internals.open_http loads it and returns its C side.
 * Both are found by name (dlsym), not linked.
 */
int laio_open_ssl(lua_State *L);
int laio_open_http(lua_State *L);

#endif
