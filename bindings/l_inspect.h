/* l_inspect.h -- internals for aiod ps and stack */
#ifndef L_INSPECT_H
#define L_INSPECT_H

#include "l_core.h"

extern const luaL_Reg laio_inspect_functions[];

#endif
