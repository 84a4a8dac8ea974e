/* l_idle_gc.h -- the collector's work done while the loop would sleep (l_idle_gc.c) */
#ifndef L_IDLE_GC_H
#define L_IDLE_GC_H

#include "l_loop.h"

/* Has the loop run a collection cycle, in slices, once it has slept a while after its heap grew. */
void laio_idle_gc_attach(struct l_loop *loop);

#endif
