/* repl.h -- aiod -i's terminal front end: readline (or plain lines from a pipe) feeding bindings/repl.lua's engine */
#ifndef AIOD_REPL_H
#define AIOD_REPL_H

#include <lua.h>

struct l_loop;

/*
 * Call before the Lua state opens its io library (io.stdout keeps the
 * FILE it finds then). With interactive set and a terminal on stdin, stdout
 * and stderr become streams that take the prompt line off the screen
 * before they print and put it back after, so a log line or a background
 * task's print never lands inside what the user is typing.
 */
void repl_prepare(int interactive);

/*
 * [-0, +0] Starts the prompt on loop (the main chunk has returned): each
 * entry runs as a task of the loop. ended runs once the REPL has ended
 * (Ctrl-D, the input's end, repl_stop). Failures are reported on stderr
 * and end the REPL at once; nothing is raised.
 */
void repl_start(lua_State *L, struct l_loop *loop, void (*ended)(void));

/* [-1, +0] The same with another engine: the function on top makes it
 * from {write =, idle =} as repl.lua's does (aiod attach's remote one). */
void repl_start_with(lua_State *L, struct l_loop *loop, void (*ended)(void));

/* In a signal handler, before the process exits at once: the terminal's
 * modes as they were (only tcsetattr, which is async-signal-safe). */
void repl_restore_terminal_now(void);

/* [-0, +0] Ends the REPL if it runs: the terminal is as it was before,
 * the history file bounded, stdin no longer watched. Idempotent. */
void repl_stop(lua_State *L);

#endif
