/* l_watch.h -- internals for aiod --watch */
#ifndef L_WATCH_H
#define L_WATCH_H

#include "l_core.h"

extern const luaL_Reg laio_watch_functions[];

#endif
