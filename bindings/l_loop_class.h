/* l_loop_class.h -- the Loop class and the module's loop functions */
#ifndef L_LOOP_CLASS_H
#define L_LOOP_CLASS_H

#include "l_core.h"

/* The Loop class, and new_event_loop and kin into the module at -1 (state
 * at index state is their upvalue 1). */
void laio_open_loop(lua_State *L, int state);

#endif
