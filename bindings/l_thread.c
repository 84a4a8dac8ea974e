/* l_thread.c -- to_thread and run_coroutine_threadsafe: Lua functions run by the worker threads, each in its own Lua state */
#include "l_thread.h"
#include "l_copy.h"
#include "l_task.h"
#include "mailbox.h"
#include "workers.h"

#include <lualib.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))
#define HANDLE "asyncio.ThreadsafeHandle"

/* One to_thread call: the function's bytecode and arguments go in, the
 * results (or the error) come back, in io. */
struct l_call {
	struct aio_job job;
	struct aio_buf io;
	struct l_link waiters;
	struct l_job tracked;
	struct l_threads *threads;
	unsigned char failed;
	unsigned char done;
	unsigned char abandoned;	/* its task went away: done frees it */
};

/* A run_coroutine_threadsafe request from a worker to the loop. Shared by
 * the worker's handle and the loop's task: the last of the two frees it. */
struct l_request {
	struct aio_mail mail;
	struct l_request *next;	/* in threads->pending, under threads->lock */
	struct l_threads *threads;
	struct aio_buf io;
	pthread_cond_t cond;
	int state;		/* REQ_PENDING, then REQ_OK or REQ_FAILED */
	int refs;
};

enum { REQ_PENDING, REQ_OK, REQ_FAILED };

/* Per loop: what the worker threads share with it. */
struct l_threads {
	struct l_loop_part part;	/* on the loop, which closes it with close_threads */
	struct aio_workers *workers;
	struct aio_mailbox *mailbox;
	struct l_loop *loop;
	pthread_mutex_t lock;
	struct l_request *pending;	/* requests not answered yet */
	struct l_request *dropped;	/* answered by the loop's close, its share still held */
	int closed;
};

/* ---------------------------------------------------------------- common */

/* As lstrlib's string.dump: the buffer starts inside the first write,
 * once lua_dump no longer needs the function on top. */
struct dump {
	luaL_Buffer b;
	int started;
};

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud)
{
	struct dump *d = ud;
	if (!d->started) {
		d->started = 1;
		luaL_buffinit(L, &d->b);
	}
	luaL_addlstring(&d->b, p, n);
	return 0;
}

/* [-0, +1] The function at idx as bytecode, for another state; raises, as
 * argument 1 of fname, when it cannot run there. */
static void push_bytecode(lua_State *L, int idx, const char *fname)
{
	if (lua_type(L, idx) != LUA_TFUNCTION || lua_iscfunction(L, idx))
		luaL_error(L, "bad argument #1 to '%s' (Lua function expected, got %s)", fname,
			   lua_iscfunction(L, idx) ? "C function" : luaL_typename(L, idx));
	const char *name;
	for (int i = 1; (name = lua_getupvalue(L, idx, i)) != NULL; i++) {
		lua_pop(L, 1);
		if (strcmp(name, "_ENV") != 0)
			luaL_error(L, "bad argument #1 to '%s' (the function has upvalue '%s': "
				   "only _ENV can go to another thread; pass values as arguments)",
				   fname, *name ? name : "?");
	}
	struct dump d = {.started = 0};
	lua_pushvalue(L, idx);
	lua_dump(L, dump_writer, &d, 0);
	luaL_pushresult(&d.b);
	lua_remove(L, -2);
}

static int try_encode(lua_State *L, int n, struct aio_buf *b);

/* Replaces the function at first with its bytecode and encodes it with the
 * arguments after it, up to the top, which it pops. */
static void encode_call(lua_State *L, int first, struct aio_buf *b, const char *fname)
{
	push_bytecode(L, first, fname);
	lua_replace(L, first);
	if (try_encode(L, lua_gettop(L) - first + 1, b) < 0)
		luaL_error(L, "%s: %s", fname, lua_tostring(L, -1));
}

/* [-0, +n] Decodes a call: loads the bytecode and leaves fn, args. */
static int decode_call(lua_State *L, struct aio_buf *b)
{
	int base = lua_gettop(L);
	int n = laio_decode(L, aio_buf_peek(b), aio_buf_len(b));
	size_t len;
	const char *code = lua_tolstring(L, base + 1, &len);
	if (!code || luaL_loadbufferx(L, code, len, "=(thread function)", "b") != LUA_OK)
		luaL_error(L, "cannot load the function: %s", lua_tostring(L, -1));
	lua_replace(L, base + 1);
	return n - 1;
}

static int protected_encode(lua_State *L)
{
	struct aio_buf *b = lua_touserdata(L, 1);
	laio_encode(L, 2, lua_gettop(L) - 1, b);
	return 0;
}

/* Encodes and pops the n values at the top without raising; 0, or -1
 * with the error message on top instead. */
static int try_encode(lua_State *L, int n, struct aio_buf *b)
{
	lua_pushcfunction(L, protected_encode);
	lua_insert(L, -n - 1);
	lua_pushlightuserdata(L, b);
	lua_insert(L, -n - 1);
	if (lua_pcall(L, n + 1, 0, 0) == LUA_OK)
		return 0;
	aio_buf_destroy(b);
	return -1;
}

/* Encodes and pops the error at the top: itself when it can be copied,
 * else its text. */
static void encode_error(lua_State *L, struct aio_buf *b)
{
	lua_pushvalue(L, -1);
	if (try_encode(L, 1, b) == 0) {
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	luaL_tolstring(L, -1, NULL);
	lua_remove(L, -2);
	if (try_encode(L, 1, b) < 0)
		lua_pop(L, 1);
}

/* ---------------------------------------------------------------- workers */

/* Each worker thread has its own Lua state, made on its first call and
 * closed when the thread ends. */
static pthread_key_t state_key;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;
static _Thread_local struct l_call *current_call;

static void close_state(void *L)
{
	lua_close(L);
}

static void make_key(void)
{
	pthread_key_create(&state_key, close_state);
}

static int l_run_coroutine_threadsafe(lua_State *W);
static void open_handle_class(lua_State *W);

/* package.preload.asyncio of a worker: what asyncio offers there. */
static int worker_asyncio(lua_State *W)
{
	lua_newtable(W);
	lua_pushcfunction(W, l_run_coroutine_threadsafe);
	lua_setfield(W, -2, "run_coroutine_threadsafe");
	return 1;
}

static lua_State *worker_state(void)
{
	pthread_once(&state_once, make_key);
	lua_State *W = pthread_getspecific(state_key);
	if (W)
		return W;
	W = luaL_newstate();
	if (!W)
		return NULL;
	luaL_openlibs(W);
	open_handle_class(W);
	luaL_getsubtable(W, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(W, worker_asyncio);
	lua_setfield(W, -2, "asyncio");
	lua_pop(W, 1);
	pthread_setspecific(state_key, W);
	return W;
}

/* In the worker's state, under pcall: decode, call, encode the results. */
static int run_call(lua_State *W)
{
	struct l_call *call = lua_touserdata(W, 1);
	lua_settop(W, 0);
	int nargs = decode_call(W, &call->io);
	aio_buf_destroy(&call->io);
	if (lua_pcall(W, nargs, LUA_MULTRET, 0) != LUA_OK) {
		call->failed = 1;
		encode_error(W, &call->io);
		return 0;
	}
	int nres = lua_gettop(W);
	if (try_encode(W, nres, &call->io) < 0) {
		call->failed = 1;
		lua_pushfstring(W, "to_thread: cannot return the results: %s", lua_tostring(W, -1));
		encode_error(W, &call->io);
	}
	return 0;
}

static void call_work(struct aio_job *job)
{
	struct l_call *call = aio_container_of(job, struct l_call, job);
	lua_State *W = worker_state();
	if (!W) {
		call->failed = 2;	/* no state, no message: the loop says it */
		return;
	}
	current_call = call;
	lua_pushcfunction(W, run_call);
	lua_pushlightuserdata(W, call);
	if (lua_pcall(W, 1, 0, 0) != LUA_OK) {
		call->failed = 1;
		encode_error(W, &call->io);
	}
	lua_settop(W, 0);
	current_call = NULL;
}

/* ---------------------------------------------------------------- to_thread */

static void call_release(struct l_job *job)
{
	struct l_call *call = aio_container_of(job, struct l_call, tracked);
	aio_buf_destroy(&call->io);
	free(call);
}

static void call_free(struct l_call *call)
{
	laio_job_untrack(&call->tracked);
	call_release(&call->tracked);
}

static void call_done(struct aio_job *job)
{
	struct l_call *call = aio_container_of(job, struct l_call, job);
	call->done = 1;
	if (call->abandoned)
		call_free(call);
	else
		laio_unpark_all(&call->waiters);
}

static const struct laio_park_kind wait_thread = {"to_thread", 0, NULL};

static int to_thread_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	struct l_call *call = (struct l_call *)ctx;
	struct l_task *t = laio_state(L)->running->current;
	if (t->must_cancel) {
		/* The thread cannot be stopped; its results are dropped. */
		if (call->done || aio_workers_cancel(call->threads->workers, &call->job) == 0)
			call_free(call);
		else
			call->abandoned = 1;
	}
	laio_resume_check(L);
	lua_settop(L, 0);
	if (call->failed == 2) {
		call_free(call);
		return luaL_error(L, "to_thread: cannot make a Lua state for the worker");
	}
	int n = laio_decode(L, aio_buf_peek(&call->io), aio_buf_len(&call->io));
	int failed = call->failed;
	call_free(call);
	if (failed)
		return lua_error(L);
	return n;
}

static struct l_threads *threads_of(lua_State *L, struct l_loop *loop);

/* A buffer owned by a userdata while an error could still come, so that
 * the error cannot leak it. */
#define BUFBOX "asyncio.EncodedValues"

static int bufbox_gc(lua_State *L)
{
	aio_buf_destroy(luaL_checkudata(L, 1, BUFBOX));
	return 0;
}

/* [-0, +1] Encodes fn (at first) and its arguments up to the top, into a
 * boxed buffer pushed on the stack. */
static struct aio_buf *push_encoded_call(lua_State *L, int first, const char *fname)
{
	struct aio_buf *b = lua_newuserdatauv(L, sizeof *b, 0);
	aio_buf_init(b);
	luaL_setmetatable(L, BUFBOX);
	lua_insert(L, first);
	encode_call(L, first + 1, b, fname);
	lua_settop(L, first);
	return b;
}

/* asyncio.to_thread(fn, ...) */
static int l_to_thread(lua_State *L)
{
	struct l_task *t = laio_current_task(L, STATE(L));
	struct l_threads *threads = threads_of(L, t->fut.loop);
	struct aio_buf *b = push_encoded_call(L, 1, "to_thread");
	struct l_call *call = calloc(1, sizeof *call);
	if (!call)
		return luaL_error(L, "not enough memory");
	call->io = *b;
	aio_buf_init(b);
	laio_list_init(&call->waiters);
	call->threads = threads;
	laio_job_track(threads->loop, &call->tracked, call_release);
	int err = aio_workers_submit(threads->workers, &call->job, call_work, call_done);
	if (err < 0) {
		call_free(call);
		return luaL_error(L, "to_thread: cannot start a worker thread: %s", strerror(-err));
	}
	return laio_park(L, t, &call->waiters, &wait_thread, to_thread_k, (lua_KContext)call);
}

/* ---------------------------------------------------------------- run_coroutine_threadsafe */

/* Called with threads->lock held. */
static void request_unref_locked(struct l_request *req)
{
	if (--req->refs == 0) {
		pthread_cond_destroy(&req->cond);
		aio_buf_destroy(&req->io);
		free(req);
	}
}

static void request_unref(struct l_request *req)
{
	struct l_threads *threads = req->threads;
	pthread_mutex_lock(&threads->lock);
	request_unref_locked(req);
	pthread_mutex_unlock(&threads->lock);
}

/* Called with threads->lock held: answers the worker, takes req off the
 * pending list. io holds the results or the error. */
static void request_answer_locked(struct l_request *req, int state)
{
	struct l_request **p = &req->threads->pending;
	while (*p && *p != req)
		p = &(*p)->next;
	if (*p)
		*p = req->next;
	req->state = state;
	pthread_cond_broadcast(&req->cond);
}

/* On the loop: hands out (the results or the error) to the worker and lets
 * go of the loop's share of req. The lock is kept in a local: the worker
 * may have dropped its share already, so the unref can free req. */
static void request_finish(struct l_request *req, int state, struct aio_buf *out)
{
	struct l_threads *threads = req->threads;
	pthread_mutex_lock(&threads->lock);
	aio_buf_destroy(&req->io);
	req->io = *out;
	request_answer_locked(req, state);
	request_unref_locked(req);
	pthread_mutex_unlock(&threads->lock);
}

/* [-1, +0] The task of a request is done: its results or error go back. */
static int request_task_done(lua_State *L)
{
	struct l_request *req = lua_touserdata(L, lua_upvalueindex(1));
	int task = 1;
	struct aio_buf out;
	aio_buf_init(&out);
	int state = REQ_OK;
	struct l_future *f = laio_check_future(L, task);
	if (f->state == FUT_CANCELLED) {
		laio_push_cancelled_error(L, task);
		state = REQ_FAILED;
	} else if (f->failed) {
		lua_getfield(L, task, "exception");
		lua_pushvalue(L, task);
		lua_call(L, 1, 1);
		state = REQ_FAILED;
	}
	if (state == REQ_FAILED) {
		encode_error(L, &out);
	} else {
		lua_getfield(L, task, "result");
		lua_pushvalue(L, task);
		lua_call(L, 1, LUA_MULTRET);
		if (try_encode(L, lua_gettop(L) - task, &out) < 0) {
			state = REQ_FAILED;
			lua_pushfstring(L, "run_coroutine_threadsafe: cannot return the results: %s",
					lua_tostring(L, -1));
			encode_error(L, &out);
		}
	}
	request_finish(req, state, &out);
	return 0;
}

/* On the loop: decode the function and run it as a task. */
static int request_start(lua_State *L)
{
	struct l_request *req = lua_touserdata(L, 1);
	struct l_loop *loop = req->threads->loop;
	lua_settop(L, 0);
	laio_push_running_loop(L);
	int nargs = decode_call(L, &req->io);
	laio_new_task(L, loop, nargs);
	lua_pushlightuserdata(L, req);
	lua_pushcclosure(L, request_task_done, 1);
	laio_future_add_callback(L, 1, 2);
	return 0;
}

static void request_arrived(struct aio_call *c)
{
	struct l_request *req = aio_container_of(c, struct l_request, mail.call);
	lua_State *L = req->threads->loop->L;
	lua_pushcfunction(L, request_start);
	lua_pushlightuserdata(L, req);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
		struct aio_buf out;
		aio_buf_init(&out);
		encode_error(L, &out);
		request_finish(req, REQ_FAILED, &out);
	}
}

/* In a worker: asyncio.run_coroutine_threadsafe(fn, ...) -> handle */
static int l_run_coroutine_threadsafe(lua_State *W)
{
	struct l_call *call = current_call;
	if (!call)
		return luaL_error(W, "run_coroutine_threadsafe: only a to_thread worker can call it "
				  "(a task uses create_task)");
	struct l_threads *threads = call->threads;
	struct aio_buf *b = push_encoded_call(W, 1, "run_coroutine_threadsafe");
	struct l_request **handle = lua_newuserdatauv(W, sizeof *handle, 0);
	*handle = NULL;
	luaL_setmetatable(W, HANDLE);
	struct l_request *req = calloc(1, sizeof *req);
	if (!req || pthread_cond_init(&req->cond, NULL) != 0) {
		free(req);
		return luaL_error(W, "not enough memory");
	}
	req->io = *b;
	aio_buf_init(b);
	req->threads = threads;
	req->refs = 2;
	*handle = req;
	pthread_mutex_lock(&threads->lock);
	if (threads->closed) {
		req->refs = 1;
		req->state = REQ_FAILED;
		aio_buf_destroy(&req->io);
		pthread_mutex_unlock(&threads->lock);
		return luaL_error(W, "run_coroutine_threadsafe: the event loop is closed");
	}
	req->next = threads->pending;
	threads->pending = req;
	pthread_mutex_unlock(&threads->lock);
	aio_mailbox_post(threads->mailbox, &req->mail, request_arrived);
	return 1;
}

/* handle:result([timeout]) in the worker: blocks until the task is done. */
static int l_handle_result(lua_State *W)
{
	struct l_request *req = *(struct l_request **)luaL_checkudata(W, 1, HANDLE);
	lua_Number timeout = luaL_optnumber(W, 2, -1);
	struct l_threads *threads = req->threads;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	if (timeout >= 0) {
		double whole = (double)(lua_Integer)timeout;
		until.tv_sec += (time_t)whole;
		until.tv_nsec += (long)((timeout - whole) * 1e9);
		if (until.tv_nsec >= 1000000000L)
			until.tv_sec++, until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&threads->lock);
	int r = 0;
	while (req->state == REQ_PENDING && r != ETIMEDOUT)
		r = timeout >= 0 ? pthread_cond_timedwait(&req->cond, &threads->lock, &until)
				 : pthread_cond_wait(&req->cond, &threads->lock);
	int state = req->state;
	pthread_mutex_unlock(&threads->lock);
	if (state == REQ_PENDING)
		return luaL_error(W, "TimeoutError: the task did not finish in %f s", (double)timeout);
	lua_settop(W, 0);
	int n = laio_decode(W, aio_buf_peek(&req->io), aio_buf_len(&req->io));
	if (state == REQ_FAILED)
		return lua_error(W);
	return n;
}

static int l_handle_done(lua_State *W)
{
	struct l_request *req = *(struct l_request **)luaL_checkudata(W, 1, HANDLE);
	pthread_mutex_lock(&req->threads->lock);
	lua_pushboolean(W, req->state != REQ_PENDING);
	pthread_mutex_unlock(&req->threads->lock);
	return 1;
}

static int l_handle_gc(lua_State *W)
{
	struct l_request **handle = luaL_checkudata(W, 1, HANDLE);
	if (*handle)
		request_unref(*handle);
	*handle = NULL;
	return 0;
}

static void open_handle_class(lua_State *W)
{
	static const luaL_Reg methods[] = {
		{"result", l_handle_result},
		{"done", l_handle_done},
		{NULL, NULL}
	};
	luaL_newmetatable(W, HANDLE);
	luaL_newlib(W, methods);
	lua_setfield(W, -2, "__index");
	lua_pushcfunction(W, l_handle_gc);
	lua_setfield(W, -2, "__gc");
	lua_pop(W, 1);
	luaL_newmetatable(W, BUFBOX);
	lua_pushcfunction(W, bufbox_gc);
	lua_setfield(W, -2, "__gc");
	lua_pop(W, 1);
}

/* ---------------------------------------------------------------- the loop's side */

static void close_threads(struct l_loop_part *part);
static void free_threads(struct l_loop_part *part);

static struct l_threads *threads_of(lua_State *L, struct l_loop *loop)
{
	struct l_loop_part *part = laio_loop_part(loop, free_threads);
	if (part)
		return aio_container_of(part, struct l_threads, part);
	struct l_threads *threads = calloc(1, sizeof *threads);
	if (!threads || pthread_mutex_init(&threads->lock, NULL) != 0) {
		free(threads);
		luaL_error(L, "not enough memory");
	}
	int err;
	threads->mailbox = aio_mailbox_new(loop->rt, &err);
	if (!threads->mailbox) {
		pthread_mutex_destroy(&threads->lock);
		free(threads);
		luaL_error(L, "cannot make the threads' mailbox: %s", strerror(-err));
	}
	threads->workers = laio_loop_workers(L, loop);
	threads->loop = loop;
	threads->part.close = close_threads;
	threads->part.free = free_threads;
	laio_loop_attach(loop, &threads->part);
	return threads;
}

/* Before the pool is freed (joined): answers the workers' pending requests. */
static void close_threads(struct l_loop_part *part)
{
	struct l_threads *threads = aio_container_of(part, struct l_threads, part);
	/* Workers waiting for an answer must not wait for ever: their threads
	 * are joined next. The loop's share of each request is let go only
	 * after the close has drained the calls its mail may have queued. */
	pthread_mutex_lock(&threads->lock);
	threads->closed = 1;
	while (threads->pending) {
		struct l_request *req = threads->pending;
		aio_buf_destroy(&req->io);
		laio_encode_string(&req->io, "the event loop was closed");
		request_answer_locked(req, REQ_FAILED);
		req->next = threads->dropped;
		threads->dropped = req;
	}
	pthread_mutex_unlock(&threads->lock);
}

/* After the pool and the loop's queue are gone: frees what is left. */
static void free_threads(struct l_loop_part *part)
{
	struct l_threads *threads = aio_container_of(part, struct l_threads, part);
	aio_mailbox_free(threads->mailbox);
	pthread_mutex_lock(&threads->lock);
	while (threads->dropped) {
		struct l_request *req = threads->dropped;
		threads->dropped = req->next;
		request_unref_locked(req);
	}
	pthread_mutex_unlock(&threads->lock);
	pthread_mutex_destroy(&threads->lock);
	free(threads);
}

/* loop:run_in_executor(nil, fn, ...) -> a Task running to_thread(fn, ...) */
static int l_loop_run_in_executor(lua_State *L)
{
	struct l_loop *loop = laio_check_open_loop(L, 1);
	luaL_argcheck(L, lua_isnil(L, 2), 2, "only the default executor (nil) is supported");
	luaL_checktype(L, 3, LUA_TFUNCTION);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushcclosure(L, l_to_thread, 1);
	lua_replace(L, 2);
	laio_new_task(L, loop, lua_gettop(L) - 2);
	return 1;
}

void laio_open_thread(lua_State *L, int state)
{
	luaL_newmetatable(L, BUFBOX);
	lua_pushcfunction(L, bufbox_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
	lua_pushvalue(L, state);
	lua_pushcclosure(L, l_to_thread, 1);
	lua_setfield(L, -2, "to_thread");
	lua_pushcfunction(L, l_run_coroutine_threadsafe);
	lua_setfield(L, -2, "run_coroutine_threadsafe");
	laio_loop_add_method(L, state, "run_in_executor", l_loop_run_in_executor);
}
