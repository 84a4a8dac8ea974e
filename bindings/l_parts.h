/* l_parts.h -- the entry points that l_module.c assembles into the module: the Loop class and each capability's opener */
#ifndef L_PARTS_H
#define L_PARTS_H

/*
 * Each file below includes this only for its own prototype; only
 * l_module.c (and the program, through laio.h) calls these.
 */
#include "l_loop.h"

/* l_loop_class.c: the Loop class and new_event_loop and kin into the module at -1 */
void laio_open_loop(lua_State *L, int state);

/* l_net.c: loop:getaddrinfo, set on the loop class (state at index state) */
void laio_open_getaddrinfo(lua_State *L, int state);
/* l_net.c: internals.open_net, the primitives of streams.lua */
int laio_open_net(lua_State *L);
/* l_fdwatch.c: loop:add_reader and kin, and wait_readable/wait_writable
 * into the module at -1 (state at index state) */
void laio_open_fdwatch(lua_State *L, int state);
/* l_thread.c: to_thread, run_coroutine_threadsafe, loop:run_in_executor,
 * into the module at -1 */
void laio_open_thread(lua_State *L, int state);
/* l_dgram.c: internals.open_dgram, DatagramEndpoint and the primitives of datagrams.lua */
int laio_open_dgram(lua_State *L);
/* l_process.c: internals.open_process, the primitives of processes.lua */
int laio_open_process(lua_State *L);
/* l_process.c: children spawned and not reaped yet */
unsigned long laio_children_running(void);
/* l_queue.c: internals.open_queue, the constructors for queues.lua */
int laio_open_queue(lua_State *L);

/* l_generation.c: internals for aiod's generations */
extern const luaL_Reg laio_generation_functions[];
/* l_watch.c: internals for aiod --watch */
extern const luaL_Reg laio_watch_functions[];
/* l_inspect.c: internals for aiod ps and stack */
extern const luaL_Reg laio_inspect_functions[];
/*
 * l_control.c: the control socket at path, served while loop runs
 * (private_dir: the folder is aiod's own, see control_path.h); 0 or
 * -errno. Stop closes it and removes the path. One a process.
 */
int laio_control_start(lua_State *L, struct l_loop *loop, const char *path, int private_dir);
void laio_control_stop(lua_State *L);
const char *laio_control_path(void);	/* NULL while none is open */
/* [-0, +1, e] The REPL engine's constructor (bindings/repl.lua). */
int laio_push_repl(lua_State *L);

/*
 * l_plugin.c: TLS lives with OpenSSL in asyncio_tls.so (l_ssl*.c,
 * l_stream_tls.c, runtime/tlsconn.c), loaded the first time a script
 * uses asyncio.ssl, so that a program without TLS never loads OpenSSL.
 * internals.open_ssl loads it and returns what its laio_tls_open gives:
 * the C side of asyncio.ssl. asyncio.http lives with libcurl in
 * asyncio_http.so (l_http*.c, runtime/curl.c); internals.open_http loads
 * it and returns its C side.
 */
int laio_open_ssl(lua_State *L);
int laio_open_http(lua_State *L);

#endif
