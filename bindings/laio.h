/* laio.h -- the asyncio module's face to the program (cmd/), and the rule of how the bindings' files depend on each other */
#ifndef LAIO_H
#define LAIO_H

/*
 * The layers of bindings/, lowest first. A file includes the header of a
 * unit, and calls into it, only when that unit is in its own layer or
 * below; nothing below knows what is above. Within a layer no two units
 * call each other, but for the Future/Task pair (CPython keeps them in one
 * file, _asynciomodule.c).
 *
 * 1. core        l_core.h: l_core.c (module state, classes, weak tables,
 *                constants, argument checks, lists), l_errors.c (error
 *                objects). Includes only Lua.
 * 2. loop        l_loop.h: l_loop.c (checking a loop, the running loop,
 *                its pools, jobs, and parts that capabilities attach to it
 *                for its close); l_coro.h: l_coro.c; l_address.h: l_address.c.
 * 3. scheduling  l_handle.h: l_handle.c; l_future.h, l_task.h: l_future.c,
 *                l_task.c (the pair); l_failure.h: l_failure.c; l_gather.h:
 *                l_gather.c; l_loop_class.c (the Loop class, which closes
 *                tasks and handles).
 * 4. streams     l_stream.h: l_stream.c, l_net.c (its TLS reached only
 *                through the hooks the TLS module sets).
 * 5. capabilities, each apart from the others, depending on the layers
 *                above: queues (l_queue.c), to_thread (l_thread.c, l_copy.h:
 *                l_copy.c), fd watches (l_fdwatch.c), processes
 *                (l_process.c), datagrams (l_dgram.c), generations and
 *                --watch (l_generation.c, l_watch.c), the control socket
 *                (l_control.c, l_inspect.c), TLS (l_tls.h: l_ssl*.c,
 *                l_stream_tls.c), HTTP (l_http.h: l_http*.c), the loader of
 *                the last two (l_plugin.c). Each has its own header (its
 *                entry points), included by itself and by l_module.c; only
 *                aiod ps reaches across, into l_process.h for its count.
 * 6. top         l_module.c assembles them all into the module. Nothing
 *                in bindings/ includes this header or calls into l_module.c;
 *                the program (cmd/) includes this header.
 */
#include "l_control.h"
#include "l_failure.h"
#include "l_task.h"

int luaopen_asyncio(lua_State *L);
/* [-0, +1] aiod's reload controller (daemon.lua's table), for the program. */
int laio_open_daemon(lua_State *L);

#endif
