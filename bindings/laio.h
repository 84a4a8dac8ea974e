/* laio.h -- shared declarations of the asyncio Lua bindings */
#ifndef LAIO_H
#define LAIO_H

#include "loop.h"
#include "stream.h"
#include "tls.h"

#include <lauxlib.h>
#include <lua.h>

#define LAIO_LOOP "asyncio.Loop"
#define LAIO_FUTURE "asyncio.Future"
#define LAIO_TASK "asyncio.Task"
#define LAIO_HANDLE "asyncio.Handle"
#define LAIO_COROUTINE "asyncio.Coroutine"
#define LAIO_READER "asyncio.StreamReader"
#define LAIO_WRITER "asyncio.StreamWriter"
#define LAIO_LISTENER "asyncio.Listener"
#define LAIO_CHILD "asyncio.Child"
#define LAIO_ENDPOINT "asyncio.DatagramEndpoint"
#define LAIO_SSLCONTEXT "asyncio.ssl.SSLContext"
/* Registry field: the table of internals the Lua parts share; the
 * program may call its close_servers() (there once streams loaded). */
#define LAIO_INTERNALS "asyncio.internals"
/* Registry field: the error classes by name. */
#define LAIO_ERRORS "asyncio.errors"

/* The most user values a userdata holds: Lua keeps their count in an
 * unsigned short and silently drops the rest. Objects that keep a call's
 * arguments there (Handle, coroutine object) refuse more. */
#define LAIO_MAX_USER_VALUES 65000

/* A node of the loop's list of unfinished tasks. */
struct l_link {
	struct l_link *prev;
	struct l_link *next;
};

/* Module-wide state; upvalue 1 of every C function of the module. */
struct l_state {
	struct l_loop *running;	/* loop running in this Lua state, or NULL */
	unsigned long task_counter;	/* for default names, Task-1, ... */
};

struct l_loop {
	struct aio_loop *rt;	/* NULL once closed */
	struct l_state *S;
	lua_State *L;		/* the thread running the loop, while it runs */
	struct l_task *current;	/* the task being stepped, or NULL */
	struct l_link tasks;	/* unfinished tasks */
	struct aio_workers *workers;	/* made on first use */
	struct aio_workers *resolvers;	/* host-name lookups' own pool, made on first use */
	struct l_link jobs;	/* the bindings' jobs on it, not freed yet */
	struct l_threads *threads;	/* to_thread's share of them, made on first use */
	unsigned gen;		/* the newest generation: tasks made outside a task join it */
	unsigned char running;
	unsigned char stopping;
	unsigned char debug;
	unsigned char until_tasks_done;	/* stop once no task is left, timers or not */
	unsigned char slow_seen;	/* debug: this step's slow point is recorded */
	double step_began;	/* when the current task's step began */
	double step_ended;	/* when the last one ended (0: none yet)... */
	uint64_t step_tick;	/* ...at this aio_loop_ticks: a step right after reuses it */
	unsigned char gc_noted;	/* a future failed unretrieved since the last cycle */
	struct aio_timer gc_timer;	/* drives the collector for the unretrieved */
	double gc_resume;	/* no collecting before then */
	double gc_pause;	/* the wait after a cycle that reported nothing */
};

enum { FUT_PENDING, FUT_CANCELLED, FUT_FINISHED };

/* User values of a Future or a Task userdata. */
enum {
	UV_CALLBACKS = 1,	/* nil, one callback, or a sequence of them */
	UV_RESULT,		/* Future: value or packed values; error value */
	UV_LOOP,		/* the loop userdata, kept alive */
	UV_EXTRA,		/* lazily made table: name, cancel message, ... */
	UV_FUTURE_COUNT = UV_EXTRA,
	UV_CORO,		/* Task: its coroutine */
	UV_WAITER,		/* Task: the Future or Task it awaits */
	UV_TASK_COUNT = UV_WAITER
};

/* The part common to Future and Task; a Task starts with it. */
struct l_future {
	struct l_loop *loop;
	int ref;		/* registry anchor while a task is unfinished */
	int nresults;		/* Future with several results: packed count */
	unsigned char state;
	unsigned char is_task;
	unsigned char failed;	/* finished by an error */
	unsigned char unretrieved;	/* failed and nobody looked yet */
	unsigned gather_mark;	/* the last gather that counted it */
};

/* What a suspended task waits for. */
enum { WAIT_NONE, WAIT_SLEEP, WAIT_FUTURE, WAIT_YIELD, WAIT_PARKED };

struct l_task {
	struct l_future fut;
	struct aio_call step;	/* queued to run the coroutine */
	struct aio_timer timer;	/* sleep's deadline */
	struct l_link link;	/* in loop->tasks while unfinished */
	struct l_link park;	/* in a C object's list while WAIT_PARKED */
	lua_State *co;
	unsigned long id;
	int cancel_requests;	/* Python's cancelling() */
	int nargs;		/* values to pass on the next resume */
	unsigned gen;		/* aiod's generation: its creator's (0: aiod's own) */
	unsigned char serving;	/* serves a connection: outlives a reload's commit */
	unsigned char must_cancel;
	unsigned char wait;
	unsigned char started;
	unsigned short session;	/* the aiod attach session that made it, inherited; 0: none */
	/* For aiod ps: what it waits on, while WAIT_PARKED; its resumes and
	 * the time spent in them, measured around each resume. */
	const struct laio_park_kind *park_kind;
	struct l_link *park_list;
	unsigned resumes;
	float busy;		/* seconds */
	double born;		/* the loop's monotonic time */
};

/*
 * What a task parked in an object's list waits on, for aiod ps: a label
 * ("read", "Queue.get") and, when the object can tell more, detail(L,
 * object) pushes a string about it (a peer's address) and returns 1, or
 * returns 0. The object is found from the list by offset.
 */
struct laio_park_kind {
	const char *label;
	size_t offset;		/* of the list in the object */
	int (*detail)(lua_State *L, const void *object);
};

/*
 * A connection: the StreamReader userdata is this; the StreamWriter points
 * at it and keeps it alive through its user value.
 */
struct l_conn {
	struct aio_stream *s;	/* NULL once closed */
	struct l_link readers;	/* the task in a read, or connecting */
	struct l_link drainers;
	struct l_link closers;	/* tasks in wait_closed */
	struct aio_buf rest;	/* input still unread when the stream closed */
	size_t limit;
	int error;		/* the errno that broke the connection */
	unsigned char closing;	/* writer:close() was called */
	unsigned char read_only;	/* a pipe's read end: closed at end of file */
	unsigned char accepted;	/* a server's connection: start_tls serves */
	unsigned long tls_err;	/* OpenSSL's error when error is AIO_ETLS */
	int shared_fd;		/* connect_*_pipe on 0-2: kept open, its flags given back; else -1 */
	int shared_flags;	/* its file status flags before the stream made it non-blocking */
};

struct l_writer {
	struct l_conn *conn;
};

/* l_module.c */
struct l_state *laio_state(lua_State *L);
/*
 * [-0, +0] Makes the metatable tname: its __index table holds the methods
 * of each list in the NULL-ended array (each sharing the module state at
 * index state as upvalue 1); metamethods go in the metatable itself.
 */
void laio_new_class(lua_State *L, const char *tname, int state,
		    const luaL_Reg *const methods[], const luaL_Reg *metamethods);
int luaopen_asyncio(lua_State *L);
/* [-0, +1] registry[key], a table with weak keys, made on first use. */
void laio_push_weak_table(lua_State *L, const char *key);
/* An integer a C part hands its Lua part, by name. */
struct laio_constant {
	const char *name;
	lua_Integer value;
};
/* [-0, +0] Sets each of the NULL-ended constants in the table at -1. */
void laio_set_constants(lua_State *L, const struct laio_constant *c);
/* [-0, +1] aiod's reload controller (daemon.lua's table), for the program. */
int laio_open_daemon(lua_State *L);

/* l_errors.c: asyncio's error objects */
void laio_push_error(lua_State *L, const char *cls, const char *msg);	/* [-0,+1,e] */
int laio_raise(lua_State *L, const char *cls, const char *msg);	/* never returns */
/* [-0, +1] OSError, or the subclass Python picks for err (a positive errno),
 * with fields errno and strerror; context (may be NULL) joins the message. */
void laio_push_oserror(lua_State *L, int err, const char *context);
int laio_is_error(lua_State *L, int idx, const char *cls);	/* [-0, +0, e] */
int laio_traceback_handler(lua_State *L);
void laio_report(lua_State *L, const char *what, int idx);	/* to stderr */
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

/* l_loop.c */
struct l_loop *laio_check_loop(lua_State *L, int idx);
struct l_loop *laio_check_open_loop(lua_State *L, int idx);	/* not closed */
struct l_loop *laio_push_running_loop(lua_State *L);	/* +1; raises if none */
void laio_open_loop(lua_State *L, int state);
/* [-0, +0] A method of the Loop class made in another file (state at
 * index state is its upvalue 1). */
void laio_loop_add_method(lua_State *L, int state, const char *name, lua_CFunction fn);
/* The loop's thread pool, made on first use; raises when it cannot be. */
struct aio_workers *laio_loop_workers(lua_State *L, struct l_loop *loop);
/* The pool for getaddrinfo, apart from to_thread's so lookups never wait
 * behind blocking work; made on first use, raises when it cannot be. */
struct aio_workers *laio_loop_resolvers(lua_State *L, struct l_loop *loop);
/* l_net.c: loop:getaddrinfo, set on the loop class (state at index state) */
void laio_open_getaddrinfo(lua_State *L, int state);
/* l_fdwatch.c: loop:add_reader and kin, and wait_readable/wait_writable
 * into the module at -1 (state at index state) */
void laio_open_fdwatch(lua_State *L, int state);
/*
 * A job the bindings gave the pool (a lookup, a to_thread call). Tracked
 * from submit until freed, so that a closing loop, whose pool drops the
 * done of jobs still out, frees them with free_job.
 */
struct l_job {
	struct l_link link;
	void (*free_job)(struct l_job *job);
};
void laio_job_track(struct l_loop *loop, struct l_job *job, void (*free_job)(struct l_job *));
void laio_job_untrack(struct l_job *job);

/* l_handle.c: a delay or a time at idx: a number, not NaN (NaN would
 * freeze every timer of the loop) */
lua_Number laio_check_time(lua_State *L, int idx);
/* l_handle.c: a function or a value with __call at idx; returns idx */
int laio_check_callable(lua_State *L, int idx);
/* l_handle.c: schedule fn(args...) on the loop at loop_idx; pops fn, args;
 * raises "Event loop is closed" when it is */
void laio_call_soon(lua_State *L, int loop_idx, int nargs);
/* For a closing loop: releases the Handle whose call this is; 0 if none. */
int laio_handle_drop(lua_State *L, struct aio_call *call);
void laio_open_handle(lua_State *L, int state);

/* l_future.c */
struct l_future *laio_test_future(lua_State *L, int idx);	/* Task or Future */
/* [-0, +0] Marks the class tname (Future, Task) as one laio_test_future takes. */
void laio_mark_future_class(lua_State *L, const char *tname);
struct l_future *laio_check_future(lua_State *L, int idx);
struct l_future *laio_new_future(lua_State *L, struct l_loop *loop);	/* +1 */
void laio_future_add_callback(lua_State *L, int fut_idx, int cb_idx);
/* Finish a pending future with the n values from first on, or an error. */
void laio_future_set_result(lua_State *L, int fut_idx, int first, int n);
void laio_future_set_exception(lua_State *L, int fut_idx, int err_idx);
/* [-0, +1]: the CancelledError a cancelled future raises. */
void laio_push_cancelled_error(lua_State *L, int fut_idx);
void laio_future_finish(lua_State *L, int fut_idx, int state);
int laio_future_cancel(lua_State *L, int fut_idx, int msg_idx);
int laio_push_results(lua_State *L, int fut_idx);	/* raises its error */
void laio_get_extra(lua_State *L, int idx, const char *field);	/* +1 */
void laio_set_extra(lua_State *L, int idx, const char *field);	/* pops 1 */
extern const luaL_Reg laio_future_common[];	/* Future's and Task's */
int laio_future_gc(lua_State *L);
/* Marks the failed future at idx as unretrieved, to be reported soon
 * after it is dropped (see l_future.c). */
void laio_future_unretrieved(lua_State *L, int idx);
void laio_open_future(lua_State *L, int state);

/* l_task.c */
struct l_task *laio_current_task(lua_State *L, struct l_state *S);	/* raises outside a task */
struct l_task *laio_new_task(lua_State *L, struct l_loop *loop, int nargs);
int laio_task_cancel(lua_State *L, int task_idx, int msg_idx);
int laio_suspend(lua_State *L, struct l_task *t, int wait, lua_KFunction k);
void laio_task_wakeup(struct l_task *t);
/*
 * Parking: the task waits in list, a list head kept by a C object (a
 * stream's readers), until the object wakes it with laio_unpark_all or it
 * is cancelled, which takes it off the list. k(L, LUA_YIELD, ctx) runs on
 * resumption and must start with laio_resume_check. kind says what the
 * wait is, for aiod ps.
 */
int laio_park(lua_State *L, struct l_task *t, struct l_link *list,
	      const struct laio_park_kind *kind, lua_KFunction k, lua_KContext ctx);
void laio_unpark_all(struct l_link *list);
/* In the continuation, before laio_resume_check: 1 when laio_unpark_first
 * woke this task and it was cancelled before it ran, so the wake-up must be
 * passed on or it is lost. */
int laio_lost_wakeup(lua_State *L);
/* The running task, after raising CancelledError if it was cancelled. */
struct l_task *laio_resume_check(lua_State *L);
static inline void laio_list_init(struct l_link *head)
{
	head->next = head->prev = head;
}
static inline int laio_list_empty(const struct l_link *head)
{
	return head->next == head;
}
void laio_unpark_head(struct l_link *list);	/* laio_unpark_first on a non-empty list */
/* Wakes the oldest task of list, for objects that hand out one thing per
 * wake-up (a queue's item); 0 if the list was empty. Inline: a queue asks
 * on every put and get, and the list is nearly always empty. */
static inline int laio_unpark_first(struct l_link *list)
{
	if (laio_list_empty(list))
		return 0;
	laio_unpark_head(list);
	return 1;
}
/* [-1, +0] Schedules the function on top as the finished task's callback. */
void laio_task_own_callback(lua_State *L, int task_idx);
/* For a closing loop: takes an unfinished task off every list and lets it
 * be collected; it never runs again. */
void laio_task_abandon(lua_State *L, struct l_task *t);
/* For a closing loop: releases a task whose own callback is this; 0 if not. */
int laio_task_drop(lua_State *L, struct aio_call *call);
/* What the awaitable at idx is; raises (bad argument) if it is none. */
enum { AWAITABLE_FUTURE, AWAITABLE_COROUTINE, AWAITABLE_FUNCTION };
int laio_check_awaitable(lua_State *L, int idx);
/* Replaces the awaitable at idx with a Future or Task (new tasks go on the
 * loop at loop_idx, or the running loop when 0); raises if not awaitable. */
int laio_ensure_future(lua_State *L, int idx, int loop_idx);
int laio_loop_all_tasks(lua_State *L);
void laio_push_task_name(lua_State *L, int task_idx);	/* [-0, +1] */
void laio_open_task(lua_State *L, int state);
void laio_dump_tasks(lua_State *L, struct l_loop *loop);	/* to stderr */

int laio_await(lua_State *L);	/* asyncio.await: the awaitable at 1 */

/* l_gather.c */
void laio_open_gather(lua_State *L, int state);
int laio_gather_future(lua_State *L);	/* internal: gather without awaiting */
/* [-0, +(0|1)] When the future at idx is a gather's: pushes the list of its
 * children and returns 1; else 0. */
int laio_push_gather_children(lua_State *L, int idx);

/* l_queue.c: internals.open_queue, the constructors for queues.lua */
int laio_open_queue(lua_State *L);

/* l_stream.c */
struct l_conn *laio_push_conn(lua_State *L, size_t limit);	/* +1, no stream yet */
/* Give the connection a stream on fd, or on a socket connecting to addr
 * (from local when given); 0 or -errno (fd stays the caller's then). */
int laio_conn_open(struct l_conn *c, struct aio_loop *rt, int fd, unsigned flags);
int laio_conn_connect(struct l_conn *c, struct aio_loop *rt,
		      const struct sockaddr *addr, socklen_t len,
		      const struct sockaddr *local, socklen_t local_len);
void laio_conn_release(struct l_conn *c);	/* closes gracefully, lets go */
void laio_conn_close(struct l_conn *c);		/* closes; its readers wake to the end */
/* net.start_tls(writer, ctx, server, hostname, check_hostname,
 * handshake_timeout, shutdown_timeout): suspends until the handshake ends. */
int laio_start_tls(lua_State *L);	/* l_stream_tls.c, in asyncio_tls.so */
/* get_extra_info's TLS names: pushes n values and returns n, or -1 when
 * name is none of them (l_stream_tls.c, in asyncio_tls.so). */
int laio_push_tls_extra(lua_State *L, struct l_conn *c, int writer, const char *name);
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

/* l_net.c: internals.open_net, the primitives of streams.lua */
int laio_open_net(lua_State *L);
/* [-0, +n] fd's own (peer 0) or its peer's address: host, port, or a
 * path; n, 0 when there is none. */
int laio_push_socket_address(lua_State *L, int fd, int peer);
/* [-0, +(0|1)] The same as one string, for aiod ps: "10.0.0.5:443",
 * "[::1]:53", a path, or "fd N" for what has no address (a pipe); 0 when
 * fd is -1. */
int laio_push_address_text(lua_State *L, int fd, int peer);

/* l_dgram.c: internals.open_dgram, DatagramEndpoint and the primitives of datagrams.lua */
int laio_open_dgram(lua_State *L);

/* l_process.c: internals.open_process, the primitives of processes.lua */
int laio_open_process(lua_State *L);

/* l_copy.c: values copied between Lua states as bytes (see there) */
/* [-0, +0, e] Appends n values from first on; raises on what cannot be copied. */
void laio_encode(lua_State *L, int first, int n, struct aio_buf *b);
int laio_encode_string(struct aio_buf *b, const char *s);	/* one string; 0 or -1 */
int laio_decode(lua_State *L, const char *p, size_t len);	/* [-0, +n, e]: n */

/* l_thread.c: to_thread, run_coroutine_threadsafe, loop:run_in_executor */
void laio_open_thread(lua_State *L, int state);	/* into the module at -1 */
/* For a closing loop: answers the workers' pending requests, before the
 * pool is freed (joined); then frees what is left, after it. */
void laio_threads_close(struct l_loop *loop);
void laio_threads_free(struct l_loop *loop);

/* l_generation.c: internals for aiod's generations */
extern const luaL_Reg laio_generation_functions[];
/* l_watch.c: internals for aiod --watch */
extern const luaL_Reg laio_watch_functions[];
/* l_process.c: children spawned and not reaped yet */
unsigned long laio_children_running(void);
/* l_inspect.c: internals for aiod ps and stack */
extern const luaL_Reg laio_inspect_functions[];
/*
 * l_control.c: the control socket at path, served while loop runs
 * (private_dir: the folder is aiod's own, see control_path.h); 0 or
 * -errno. Stop closes it and removes the path, for a process about to
 * exit (its thread is let go, not waited for). One a process.
 */
int laio_control_start(lua_State *L, struct l_loop *loop, const char *path, int private_dir);
void laio_control_stop(lua_State *L);
const char *laio_control_path(void);	/* NULL while none is open */
/* [-0, +1, e] The REPL engine's constructor (bindings/repl.lua). */
int laio_push_repl(lua_State *L);

/* l_ssl.c: asyncio.ssl's SSLContext, TLS errors, certificates as Lua values */
enum { LAIO_CERT_NONE, LAIO_CERT_OPTIONAL, LAIO_CERT_REQUIRED };
struct l_sslctx {
	SSL_CTX *ctx;		/* freed with the userdata; sessions hold references of their own */
	int check_hostname;
	int verify_mode;	/* LAIO_CERT_* */
	int server;		/* made for Purpose.CLIENT_AUTH: it serves */
};
struct l_sslctx *laio_check_sslctx(lua_State *L, int arg);	/* luaL_checkudata */
/*
 * [-0, +1] The error of a failed TLS stream: SSLCertVerificationError
 * (verify_code, verify_message) when f->verify is not X509_V_OK, else
 * SSLError (reason, library), with Python's messages; hostname (may be
 * NULL) names what a mismatched certificate was checked against.
 */
void laio_push_tls_error(lua_State *L, const struct aio_tls_failure *f, const char *hostname);
/* [-0, +1] The peer's certificate as Python's getpeercert() dict; {} when
 * it was not verified, nil when the peer sent none. */
void laio_push_peercert(lua_State *L, SSL *ssl);
/*
 * l_plugin.c: TLS lives with OpenSSL in asyncio_tls.so (l_ssl*.c,
 * l_stream_tls.c, runtime/tlsconn.c), loaded the first time a script
 * uses asyncio.ssl, so that a program without TLS never loads OpenSSL.
 * internals.open_ssl loads it and returns what its laio_tls_open gives:
 * the C side of asyncio.ssl. The streams reach it through these hooks,
 * NULL until then (no stream is TLS before).
 */
struct laio_tls_hooks {
	void (*push_error)(lua_State *L, const struct aio_tls_failure *f, const char *hostname);
	int (*push_extra)(lua_State *L, struct l_conn *c, int writer, const char *name);
};
extern const struct laio_tls_hooks *laio_tls;
void laio_set_tls_hooks(const struct laio_tls_hooks *hooks);
int laio_open_ssl(lua_State *L);
/* l_plugin.c: asyncio.http lives with libcurl in asyncio_http.so (l_http*.c,
 * runtime/curl.c); internals.open_http loads it and returns its C side. */
int laio_open_http(lua_State *L);
/* In asyncio_tls.so: its entry. */
int laio_tls_open(lua_State *L);
/* l_ssl_errors.c: raise SSLError for what failed on a file (path may be
 * NULL; text stands for OpenSSL's reason, hint follows in parentheses), or
 * with msg; library and reason from OpenSSL's error queue, then cleared. */
int laio_ssl_raise_file_error(lua_State *L, const char *what, const char *path,
			      const char *text, const char *hint);
int laio_ssl_raise_queue_error(lua_State *L, const char *msg);
/* l_ssl_cert.c: internals._decode_cert_file(path), for tests. */
int laio_decode_cert_file(lua_State *L);

/* l_coro.c */
int laio_coro_unpack(lua_State *L, int idx);	/* pushes fn, args; count */
void laio_open_coro(lua_State *L, int state);

#endif
