/* notify.h -- tells systemd about readiness over $NOTIFY_SOCKET (no libsystemd) */
#ifndef AIOD_NOTIFY_H
#define AIOD_NOTIFY_H

/*
 * Sends state ("READY=1", "STOPPING=1", ...) as one datagram to the socket
 * named by $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).
 * Does nothing when the variable is unset; a failure is not reported, as
 * systemd's own sd_notify leaves the service running when nobody listens.
 */
void aiod_notify(const char *state);

#endif
