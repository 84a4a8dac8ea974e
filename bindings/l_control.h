/* l_control.h -- the control socket that aiod ps, stack and attach talk to, and the REPL engine */
#ifndef L_CONTROL_H
#define L_CONTROL_H

#include "l_core.h"

struct l_loop;

/*
 * The control socket at path, served while loop runs; 0 or -errno. The
 * default path (default_path: its folder is aiod's own, see
 * control_path.h) is put on disk only when the control thread starts, so
 * that a short script does not pay for it: failing then costs a warning
 * on stderr. Stop closes it and removes the path, for a process about to
 * exit (its thread is let go, not waited for). One a process.
 */
int laio_control_start(lua_State *L, struct l_loop *loop, const char *path, int default_path);
void laio_control_stop(lua_State *L);
const char *laio_control_path(void);	/* NULL while none is on disk */
/* [-0, +1, e] The REPL engine's constructor (bindings/repl.lua). */
int laio_push_repl(lua_State *L);

#endif
