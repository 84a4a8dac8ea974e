/* l_control.h -- the control socket that aiod ps, stack and attach talk to, and the REPL engine */
#ifndef L_CONTROL_H
#define L_CONTROL_H

#include "l_core.h"

struct l_loop;

/*
 * The control socket at path, served while loop runs (private_dir: the
 * folder is aiod's own, see control_path.h); 0 or -errno. Stop closes it and
 * removes the path, for a process about to exit (its thread is let go,
 * not waited for). One a process.
 */
int laio_control_start(lua_State *L, struct l_loop *loop, const char *path, int private_dir);
void laio_control_stop(lua_State *L);
const char *laio_control_path(void);	/* NULL while none is open */
/* [-0, +1, e] The REPL engine's constructor (bindings/repl.lua). */
int laio_push_repl(lua_State *L);

#endif
