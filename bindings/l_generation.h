/* l_generation.h -- internals for aiod's generations */
#ifndef L_GENERATION_H
#define L_GENERATION_H

#include "l_core.h"

extern const luaL_Reg laio_generation_functions[];

#endif
