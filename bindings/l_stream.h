/* l_stream.h -- StreamReader and StreamWriter over a connection, and how a task waits on one */
#ifndef L_STREAM_H
#define L_STREAM_H

#include "l_task.h"
#include "stream.h"
#include "tls.h"

#define LAIO_READER "asyncio.StreamReader"
#define LAIO_WRITER "asyncio.StreamWriter"

/* What few connections need, allocated the first time one does. */
struct l_conn_aside {
	struct aio_buf rest;	/* input still unread when the stream closed */
	unsigned long tls_err;	/* OpenSSL's error when error is AIO_ETLS */
	int shared_fd;		/* connect_*_pipe on 0-2: kept open, its flags given back; else -1 */
	int shared_flags;	/* its file status flags before the stream made it non-blocking */
};

/*
 * A connection: the StreamReader userdata is this; the StreamWriter points
 * at it and keeps it alive through its user value. Every idle connection
 * holds one, so what only some need is aside.
 */
struct l_conn {
	struct aio_stream *s;	/* NULL once closed */
	struct l_link readers;	/* the task in a read, or connecting */
	struct l_link drainers;	/* and the tasks in wait_closed */
	struct l_conn_aside *aside;	/* NULL until needed */
	size_t limit;
	int error;		/* the errno that broke the connection */
	unsigned char closing;	/* writer:close() was called */
	unsigned char read_only;	/* a pipe's read end: closed at end of file */
	unsigned char accepted;	/* a server's connection: start_tls serves */
};

struct l_writer {
	struct l_conn *conn;
};

struct l_conn *laio_push_conn(lua_State *L, size_t limit);	/* +1, no stream yet */
/* Give the connection a stream on fd, or on a socket connecting to addr
 * (from local when given); 0 or -errno (fd stays the caller's then). */
int laio_conn_open(struct l_conn *c, struct aio_loop *rt, int fd, unsigned flags);
int laio_conn_connect(struct l_conn *c, struct aio_loop *rt,
		      const struct sockaddr *addr, socklen_t len,
		      const struct sockaddr *local, socklen_t local_len);
void laio_conn_release(struct l_conn *c);	/* closes gracefully, lets go */
void laio_conn_close(struct l_conn *c);		/* closes; its readers wake to the end */
unsigned long laio_conn_tls_err(const struct l_conn *c);	/* 0: none kept */
/* laio_park for a wait on a connection: holds the loop until resumed, and
 * the continuation starts with laio_conn_resumed instead of
 * laio_resume_check. */
int laio_conn_park(lua_State *L, struct l_task *t, struct l_link *list,
		   const struct laio_park_kind *kind, lua_KFunction k, lua_KContext ctx);
/* What a task waits on in a connection's lists: the label, then the
 * peer's address, a Unix path, or "fd N". */
extern const struct laio_park_kind laio_wait_read, laio_wait_connect;
struct l_task *laio_conn_resumed(lua_State *L);
void laio_push_writer(lua_State *L, int reader_idx);	/* +1 */
void laio_open_stream(lua_State *L, int state);
/* open_pipe(fd, reading, fname, limit) -> reader or writer: streams.lua's
 * connect_read_pipe and connect_write_pipe (upvalue 1: the state) */
int laio_open_pipe(lua_State *L);

/*
 * TLS lives with OpenSSL in asyncio_tls.so, loaded the first time a
 * script uses asyncio.ssl. The streams reach it through these hooks,
 * which it sets as it opens; NULL until then (no stream is TLS before).
 */
struct laio_tls_hooks {
	void (*push_error)(lua_State *L, const struct aio_tls_failure *f, const char *hostname);
	int (*push_extra)(lua_State *L, struct l_conn *c, int writer, const char *name);
};
extern const struct laio_tls_hooks *laio_tls;
void laio_set_tls_hooks(const struct laio_tls_hooks *hooks);

#endif
