/* control.h -- the control socket's server: a thread that takes requests for the loop and answers even while the loop is stuck */
#ifndef AIO_CONTROL_H
#define AIO_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

#include "loop.h"

struct aio_control;

/*
 * One client's request: a line of text (without its "\n"). Handed to the
 * loop by ops->request; the loop answers it once, now or later, with
 * aio_control_reply or aio_control_detach. The control object owns it.
 */
struct aio_control_request {
	const char *line;	/* NUL-terminated */
	size_t len;
	uid_t uid;		/* the peer, as SO_PEERCRED gave it */
	pid_t pid;
	void *udata;		/* the loop side's own */
};

struct aio_control_ops {
	/* On the loop's thread, from the ready queue: a new request. */
	void (*request)(struct aio_control *ctl, struct aio_control_request *req, void *udata);
	/* On the loop's thread, from the ready queue: a peer of another user
	 * connected and was turned away (for the log). */
	void (*refused)(struct aio_control *ctl, uid_t uid, pid_t pid, void *udata);
	/*
	 * In a signal handler on the loop's thread: a request has waited
	 * stall_after seconds, so the loop is not turning. Only what is
	 * async-signal-safe may be done here (lua_sethook is, as lua.c
	 * uses it for Ctrl-C); whatever runs next on the loop's thread may
	 * then take the waiting requests with aio_control_take. NULL: none.
	 */
	void (*stalled)(struct aio_control *ctl, void *udata);
	/*
	 * On the loop's thread, just before the thread starts, when
	 * aio_control_new was given no descriptor: the listening socket's
	 * (ctl takes it), or -errno (the thread then never starts). So a
	 * script that ends before the thread would start never puts its
	 * socket on disk.
	 */
	int (*listen)(struct aio_control *ctl, void *udata);
};

/*
 * Serves the listening Unix socket fd (it now belongs to ctl; -1: the one
 * ops->listen makes as the thread starts) on a thread
 * of its own: it accepts, turns away peers whose uid is neither ours nor
 * root's, reads one request line from each client (at most
 * AIO_CONTROL_LINE_MAX bytes, within AIO_CONTROL_READ_TIMEOUT seconds) and
 * hands it to the loop. Clients are served side by side, so a slow or
 * silent one delays no other. Call on the loop's thread: that is the thread
 * ops->stalled interrupts. Returns NULL and sets *err on failure (fd is
 * then closed).
 *
 * The thread starts once the program has run AIO_CONTROL_START_AFTER
 * seconds, or (fd listening already) on the turn that sees a client at the
 * door: a short script never pays for it. Its descriptors are all taken
 * here (those it makes later take numbers it holds from now on), so that
 * the process's count of them is the same from the start.
 * When the loop has not turned by then, ops->stalled is called from the
 * signal (as for a request that waits), and whatever runs next on the
 * loop's thread must call aio_control_start.
 */
struct aio_control *aio_control_new(struct aio_loop *loop, int fd,
				    const struct aio_control_ops *ops, void *udata,
				    double stall_after, int *err);

#define AIO_CONTROL_START_AFTER 0.02
#define AIO_CONTROL_LINE_MAX 4096
#define AIO_CONTROL_READ_TIMEOUT 5.0
/* A client that takes no reply bytes for this long is dropped. */
#define AIO_CONTROL_WRITE_TIMEOUT 10.0

/* On the loop's thread: starts the thread now if it has not started; 0,
 * or -errno (the start is tried once: later calls give -ENOTCONN). */
int aio_control_start(struct aio_control *ctl);

/*
 * On the loop's thread: the next request not yet handed to the loop,
 * taken out of the way of the ready queue (ops->request will not see it),
 * or NULL. For code that answers while the loop is stalled.
 */
struct aio_control_request *aio_control_take(struct aio_control *ctl);

/*
 * On the loop's thread: answers req with len bytes of data (copied); the
 * thread sends them and closes the connection. req is gone after this.
 * Returns 0 or -ENOMEM (req is then closed unanswered).
 */
int aio_control_reply(struct aio_control *ctl, struct aio_control_request *req,
		      const char *data, size_t len);

/* The same with data a malloc'd buffer that ctl now owns (and frees);
 * NULL closes the connection unanswered. */
void aio_control_send(struct aio_control *ctl, struct aio_control_request *req,
		      char *data, size_t len);

/*
 * On the loop's thread: takes the client's connection out of the thread's
 * hands, for a conversation on the loop (aiod attach). Returns its
 * descriptor (blocking mode unchanged: non-blocking); bytes the client sent
 * after its request line are copied to *rest (malloc'd, *rest_len bytes,
 * NULL when none). req is gone after this. -ENOMEM on failure (req is then
 * closed).
 */
int aio_control_detach(struct aio_control *ctl, struct aio_control_request *req,
		       char **rest, size_t *rest_len);

/*
 * On the loop's thread, for a process about to exit: the thread stops
 * taking requests and is neither woken nor waited for (waking a thread
 * and joining it costs some 0.1 ms, a tenth of a short script's run). The loop
 * gets no more mail from it, so it may be freed. Nothing is freed: ctl
 * must not be used again.
 */
void aio_control_abandon(struct aio_control *ctl);

/*
 * On the loop's thread: stops the thread, closes the listening socket and
 * every connection, frees every request (requests the loop holds must not
 * be used afterwards) and ctl. NULL is harmless. The socket's path is the
 * caller's to unlink.
 */
void aio_control_free(struct aio_control *ctl);

#endif
