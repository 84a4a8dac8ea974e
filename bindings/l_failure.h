/* l_failure.h -- the text that shows a person where an error came from, through the tasks it passed */
#ifndef L_FAILURE_H
#define L_FAILURE_H

#include "l_core.h"

/*
 * [-0, +1, m] The text that shows a person where the error at err_idx came
 * from: its tostring, then its frames, then, for an error re-raised out of
 * awaited tasks, each of those tasks by name with its frames, and for an
 * ExceptionGroup each error it holds, indented as a tree. task_idx (the
 * task whose error it is) and tb_idx (a traceback string taken where it was
 * caught) may each be 0.
 */
void laio_push_failure(lua_State *L, int err_idx, int task_idx, int tb_idx);
int laio_describe_error(lua_State *L);	/* internals.describe_error */

#endif
