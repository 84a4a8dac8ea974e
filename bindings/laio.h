/* laio.h -- the asyncio module's face to the program (cmd/), and the rule of how the bindings' files depend on each other */
#ifndef LAIO_H
#define LAIO_H

/*
 * The layers of bindings/, lowest first. A file includes the header of a
 * unit, and calls into it, only when that unit is below it: in a lower
 * layer, or earlier in its own layer's order. Nothing knows what is above
 * it; the one circle is the Future/Task pair (CPython keeps them in one
 * file, _asynciomodule.c). What a lower unit needs from above is handed
 * down: l_module.c gives the coroutine class its await method (l_task.c)
 * and the futures their failure text (l_failure.c); capabilities attach
 * parts to a loop for its close to end; TLS sets the streams' hooks.
 *
 * 1. core        l_core.c (module state, classes, weak tables, constants,
 *                argument checks, lists) and l_errors.c (error objects),
 *                both in l_core.h; it includes only Lua.
 * 2. basics      l_loop.c (checking a loop, the running loop, its pools,
 *                jobs and parts), l_coro.c, l_address.c, l_copy.c.
 * 3. scheduling  in order: l_handle.c; the pair l_future.c, l_task.c;
 *                l_failure.c, l_gather.c; l_idle_gc.c; l_loop_class.c (the
 *                Loop class, which closes tasks and handles).
 * 4. streams     l_stream.c, then l_net.c.
 * 5. capabilities, none calling another: queues (l_queue.c), to_thread
 *                (l_thread.c), fd watches (l_fdwatch.c), processes
 *                (l_process.c), datagrams (l_dgram.c), generations and
 *                --watch (l_generation.c, l_watch.c), the control socket
 *                (l_control.c, l_inspect.c), TLS (l_ssl*.c, l_stream_tls.c,
 *                sharing l_tls.h), HTTP (l_http*.c, sharing l_http.h), the
 *                loader of those two (l_plugin.c, which finds them by name).
 *                The one reach across: aiod ps (l_inspect.c) counts
 *                children through l_process.h.
 * 6. top         l_module.c assembles them all into the module. Nothing
 *                in bindings/ includes this header or calls into
 *                l_module.c; the program (cmd/) includes this header.
 *
 * Each unit l_X.c has its header l_X.h (but where noted), included by
 * the files that call it and by no other. l_embed.c is data (the Lua
 * parts' bytecode), declared extern where a part is loaded.
 */
#include "l_control.h"
#include "l_failure.h"
#include "l_inspect.h"
#include "l_task.h"

int luaopen_asyncio(lua_State *L);
/* [-0, +1] aiod's reload controller (daemon.lua's table), for the program. */
int laio_open_daemon(lua_State *L);

#endif
