/* notify.h -- tells systemd about readiness, status and liveness over $NOTIFY_SOCKET (no libsystemd) */
#ifndef AIOD_NOTIFY_H
#define AIOD_NOTIFY_H

#include <lua.h>

struct l_loop;

/*
 * Sends state ("READY=1", "STOPPING=1", ...) as one datagram to the socket
 * named by $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).
 * Does nothing when the variable is unset; a failure is not reported, as
 * systemd's own sd_notify leaves the service running when nobody listens.
 */
void aiod_notify(const char *state);

/* [-0, +0] state followed by a STATUS= line: generation, tasks and
 * connections of the loop notify_start was given. */
void notify_with_status(lua_State *L, const char *state);

/*
 * With $NOTIFY_SOCKET set, sends the STATUS= line every few
 * seconds from loop; with $WATCHDOG_USEC set too (and $WATCHDOG_PID unset
 * or ours), WATCHDOG=1 at half that period, from the loop itself, so a
 * wedged loop stops sending and systemd restarts the service.
 */
void notify_start(struct l_loop *loop);
void notify_stop(void);

#endif
