/* aiod.c -- the aiod program: runs a Lua script's main chunk as the main task of an event loop */
#include "laio.h"
#include "notify.h"
#include "reload.h"
#include "pool.h"
#include "signals.h"

#include <errno.h>
#include <limits.h>
#include <lualib.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AIOD_VERSION "aiod 0.1.0"

static const char usage_text[] =
	"usage: aiod [options] script.lua [args...]\n"
	"  -e CODE         run CODE before the script (as lua -e)\n"
	"  -c, --check     compile the script and exit (0 if it compiles, 2 if not)\n"
	"  -w, --watch     reload when the script or a module it loaded from its folder changes\n"
	"  --grace SEC     how long an old generation's connections may drain after a reload (default 30)\n"
	"  --ready-timeout SEC  roll a reload back when not ready by then (default 10)\n"
	"  --log-level L   debug, info, warn or error: the least aiod.log prints (default info)\n"
	"  --pidfile FILE  write the pid there while running\n"
	"  --debug         warn when a task runs over 100 ms without suspending\n"
	"  -v, --version   print the version and exit\n"
	"  -h, --help      print this help and exit\n";

struct options opts;

/* Set by the first SIGINT or SIGTERM; the exit status it asks for. */
static int stop_status = -1;

static void usage_error(const char *fmt, const char *what)
{
	fprintf(stderr, "aiod: ");
	fprintf(stderr, fmt, what);
	fprintf(stderr, "\n%s", usage_text);
	exit(2);
}

/* The script's folder as an absolute path (the current one for stdin). */
static void script_folder(const char *script, char *dir, size_t size)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof copy, "%s", strcmp(script, "-") == 0 ? "." : script);
	char *slash = strrchr(copy, '/');
	if (strcmp(script, "-") != 0) {
		if (slash)
			*(slash == copy ? slash + 1 : slash) = '\0';
		else
			strcpy(copy, ".");
	}
	char buf[PATH_MAX];
	snprintf(dir, size, "%s", realpath(copy, buf) ? buf : copy);
}

/* Options followed by a value. */
static int takes_value(const char *a)
{
	return strcmp(a, "-e") == 0 || strcmp(a, "--pidfile") == 0 ||
	       strcmp(a, "--grace") == 0 || strcmp(a, "--log-level") == 0 ||
	       strcmp(a, "--ready-timeout") == 0;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof *o);
	o->grace = 30;
	o->ready_timeout = 10;
	o->log_level = "info";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			exit(0);
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
			printf("%s (%s, %s)\n", AIOD_VERSION, LUA_RELEASE,
			       aio_backend_version());
			exit(0);
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--check") == 0) {
			o->check = 1;
		} else if (strcmp(a, "--debug") == 0) {
			o->debug = 1;
		} else if (strcmp(a, "-w") == 0 || strcmp(a, "--watch") == 0) {
			o->watch = 1;
		} else if (takes_value(a)) {
			if (++i >= argc)
				usage_error("option '%s' needs an argument", a);
			if (strcmp(a, "--pidfile") == 0) {
				o->pidfile = argv[i];
			} else if (strcmp(a, "--grace") == 0 || strcmp(a, "--ready-timeout") == 0) {
				char *end;
				double secs = strtod(argv[i], &end);
				if (*end || end == argv[i] || !(secs >= 0))
					usage_error("option needs seconds, not '%s'", argv[i]);
				*(a[2] == 'g' ? &o->grace : &o->ready_timeout) = secs;
			} else if (strcmp(a, "--log-level") == 0) {
				o->log_level = argv[i];
				if (strcmp(a = argv[i], "debug") && strcmp(a, "info") &&
				    strcmp(a, "warn") && strcmp(a, "error"))
					usage_error("--log-level is debug, info, warn or error, not '%s'", a);
			}
		} else if (strcmp(a, "--") == 0) {
			if (i + 1 < argc)
				o->script = i + 1;
			return;
		} else if (a[0] == '-' && a[1] != '\0') {
			usage_error("unknown option '%s'", a);
		} else {
			o->script = i;
			return;
		}
	}
	usage_error("%s", "no script given");
}

/* The global 'arg', as lua.c makes it: arg[0] is the script. */
static void make_arg_table(lua_State *L, int argc, char **argv, int script)
{
	lua_createtable(L, argc - script, script + 1);
	for (int i = 0; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i - script);
	}
	lua_setglobal(L, "arg");
}

static int run_e_chunks(lua_State *L, char **argv, int script)
{
	for (int i = 1; i < script; i++) {
		if (!takes_value(argv[i]))
			continue;
		if (argv[i][1] == 'e' && (luaL_loadbuffer(L, argv[i + 1],
				strlen(argv[i + 1]), "=(command line)") != LUA_OK ||
		    lua_pcall(L, 0, 0, 0) != LUA_OK)) {
			fprintf(stderr, "aiod: %s\n", lua_tostring(L, -1));
			return 0;
		}
		i++;
	}
	return 1;
}

static void cancel_all(lua_State *L, struct l_loop *loop)
{
	lua_pushnil(L);		/* no message */
	int msg = lua_gettop(L);
	for (struct l_link *k = loop->tasks.next; k != &loop->tasks; k = k->next) {
		struct l_task *t = aio_container_of(k, struct l_task, link);
		lua_rawgeti(L, LUA_REGISTRYINDEX, t->fut.ref);
		laio_task_cancel(L, lua_gettop(L), msg);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/*
 * A server holds a descriptor per connection: take every descriptor the
 * hard limit allows, as Go's runtime and most servers do, instead of the
 * 1024 a login shell often leaves.
 */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Every server stops listening, as API.md's graceful stop says. */
static void close_servers(lua_State *L)
{
	int top = lua_gettop(L);
	lua_getfield(L, LUA_REGISTRYINDEX, LAIO_INTERNALS);
	lua_getfield(L, -1, "close_servers");
	if (lua_isfunction(L, -1) && lua_pcall(L, 0, 0, 0) != LUA_OK)
		laio_report(L, "aiod: closing the servers failed:", -1);
	lua_settop(L, top);
}

/* A graceful stop: servers close, every task is cancelled, and the loop
 * ends with the last task (a timer far ahead must not hold the exit). */
static void stop_all(lua_State *L, struct l_loop *loop)
{
	close_servers(L);
	cancel_all(L, loop);
	loop->until_tasks_done = 1;
}

static void exit_now(int signum)
{
	_exit(128 + signum);
}

static struct {
	struct aio_signal *intr;
	struct aio_signal *term;
	struct aio_signal *dump;
	struct aio_signal *hup;
} watched;

/* SIGHUP: a hot reload, queued behind one in progress. */
static void on_reload_signal(struct aio_signal *sig, void *udata)
{
	struct l_loop *loop = udata;
	(void)sig;
	reload_request(loop->L);
}



static void stop_watching(void)
{
	aio_signal_free(watched.intr);
	aio_signal_free(watched.term);
	watched.intr = watched.term = NULL;
}

/* SIGUSR1: every unfinished task, its state and where it is suspended. */
static void on_dump_signal(struct aio_signal *sig, void *udata)
{
	struct l_loop *loop = udata;
	(void)sig;
	laio_dump_tasks(loop->L, loop);
}

/*
 * Done callback of generation 1's main task: an uncaught error ends the
 * program as a stop signal does, so it exits with 1 instead of serving on
 * without its main task.
 */
static int on_main_done(lua_State *L)
{
	struct l_task *t = lua_touserdata(L, 1);
	if (t->fut.state == FUT_FINISHED && !t->fut.failed)
		reload_generation_one_ready();
	if (t->fut.failed)
		stop_all(L, t->fut.loop);
	return 0;
}

/* First SIGINT/SIGTERM: cancel every task and let cleanup run; the next exits. */
static void on_stop_signal(struct aio_signal *sig, void *udata)
{
	struct l_loop *loop = udata;
	stop_status = aio_signal_signum(sig) == SIGINT ? 130 : 0;
	aiod_notify("STOPPING=1");
	stop_watching();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = exit_now;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	stop_all(loop->L, loop);
}

static int main_status(lua_State *L, int task)
{
	struct l_task *t = lua_touserdata(L, task);
	if (t->fut.state == FUT_PENDING) {
		fprintf(stderr, "aiod: the main task can never finish: nothing is "
				"left that could wake it\n");
		return 1;
	}
	if (t->fut.state == FUT_CANCELLED) {
		if (stop_status >= 0)
			return stop_status;
		fprintf(stderr, "aiod: the main task was cancelled\n");
		return 1;
	}
	if (t->fut.failed) {
		t->fut.unretrieved = 0;
		lua_getiuservalue(L, task, UV_RESULT);
		laio_push_failure(L, -1, task, 0);
		fprintf(stderr, "aiod: %s\n", lua_tostring(L, -1));
		lua_pop(L, 2);
		return 1;
	}
	if (stop_status >= 0)
		return stop_status;
	if (t->fut.nresults > 0 && lua_isinteger(t->co, 1))
		return (int)(lua_tointeger(t->co, 1) & 0xff);
	return 0;
}

/* Protected: [debug, chunk, args...] -> exit status. */
static int run_main(lua_State *L)
{
	int debug = lua_toboolean(L, 1);
	lua_remove(L, 1);
	int nargs = lua_gettop(L) - 1;
	luaL_requiref(L, "asyncio", luaopen_asyncio, 0);
	int module = lua_gettop(L);
	lua_getfield(L, module, "new_event_loop");
	lua_call(L, 0, 1);
	int loop_idx = lua_gettop(L);
	struct l_loop *loop = laio_check_loop(L, loop_idx);
	loop->debug = (unsigned char)debug;
	lua_getfield(L, module, "set_event_loop");
	lua_pushvalue(L, loop_idx);
	lua_call(L, 1, 0);

	lua_pushvalue(L, loop_idx);
	for (int i = 1; i <= nargs + 1; i++)
		lua_pushvalue(L, i);
	laio_new_task(L, loop, nargs);
	int task = lua_gettop(L);
	lua_pushliteral(L, "main");
	laio_set_extra(L, task, "name");
	/* The main task is not numbered: the script's first task is Task-1. */
	laio_state(L)->task_counter = 0;
	lua_pushcfunction(L, on_main_done);
	laio_future_add_callback(L, task, -1);
	lua_pop(L, 1);

	int err;
	watched.intr = aio_signal_new(loop->rt, SIGINT, on_stop_signal, loop, 0, &err);
	watched.term = aio_signal_new(loop->rt, SIGTERM, on_stop_signal, loop, 0, &err);
	watched.dump = aio_signal_new(loop->rt, SIGUSR1, on_dump_signal, loop, 0, &err);
	watched.hup = aio_signal_new(loop->rt, SIGHUP, on_reload_signal, loop, 0, &err);

	reload_setup(L, task, 2, nargs);
	lua_pop(L, 1);	/* the task: reload.c keeps the serving generation's */

	/* Run while anything can happen; then cancel what is stuck, so its
	 * cleanup runs, and run that out too. */
	lua_getfield(L, loop_idx, "run_forever");
	lua_pushvalue(L, loop_idx);
	lua_call(L, 1, 0);
	if (loop->tasks.next != &loop->tasks) {
		cancel_all(L, loop);
		lua_getfield(L, loop_idx, "run_forever");
		lua_pushvalue(L, loop_idx);
		lua_call(L, 1, 0);
	}
	int status = reload_push_main_task(L) ? main_status(L, lua_gettop(L)) : 1;
	stop_watching();
	aio_signal_free(watched.dump);
	aio_signal_free(watched.hup);
	watched.dump = watched.hup = NULL;
	lua_getfield(L, loop_idx, "close");
	lua_pushvalue(L, loop_idx);
	lua_call(L, 1, 0);
	lua_pushinteger(L, status);
	return 1;
}

static int panic(lua_State *L)
{
	fprintf(stderr, "aiod: PANIC: unprotected error: %s\n", lua_tostring(L, -1));
	return 0;
}

/* Lua's warn(): off until "@on", as in the lua program. */
static void warnf(void *ud, const char *msg, int tocont)
{
	static int on, midline;
	(void)ud;
	if (!midline && *msg == '@') {
		if (strcmp(msg, "@on") == 0)
			on = 1;
		else if (strcmp(msg, "@off") == 0)
			on = 0;
		return;
	}
	if (on)
		fprintf(stderr, "%s%s%s", midline ? "" : "Lua warning: ", msg,
			tocont ? "" : "\n");
	midline = tocont;
}

#if defined(__SANITIZE_ADDRESS__)
/* Under AddressSanitizer plain malloc is kept, so it sees every block. */
static void *plain_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	(void)ud;
	(void)osize;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, nsize);
}
#define STATE_ALLOC plain_alloc
#define NEW_POOL() NULL
#else
#define STATE_ALLOC aio_pool_alloc
#define NEW_POOL() aio_pool_new()
#endif

/*
 * The Lua state, on the pool allocator: tasks come and go by the thousand
 * and the pool serves them without malloc's headers or page-fault storms.
 */
static lua_State *new_state(struct aio_pool **pool)
{
	*pool = NEW_POOL();
	lua_State *L = lua_newstate(STATE_ALLOC, *pool);
	if (L) {
		lua_atpanic(L, panic);
		lua_setwarnf(L, warnf, NULL);
	}
	return L;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
		fprintf(stderr, "aiod: cannot write pidfile %s: %s\n", path, strerror(errno));
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct options *o = &opts;
	parse_options(argc, argv, o);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();

	struct aio_pool *pool;
	lua_State *L = new_state(&pool);
	if (!L) {
		fprintf(stderr, "aiod: not enough memory\n");
		return 1;
	}
	luaL_openlibs(L);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(L, luaopen_asyncio);
	lua_setfield(L, -2, "asyncio");
	lua_pop(L, 1);

	const char *script = argv[o->script];
	o->script_path = script;
	script_folder(script, o->script_dir, sizeof o->script_dir);
	if (luaL_loadfilex(L, strcmp(script, "-") == 0 ? NULL : script, "t") != LUA_OK) {
		fprintf(stderr, "aiod: %s\n", lua_tostring(L, -1));
		lua_close(L);
		aio_pool_free(pool);
		return 2;
	}
	if (o->check) {
		lua_close(L);
		aio_pool_free(pool);
		return 0;
	}
	make_arg_table(L, argc, argv, o->script);
	if (!run_e_chunks(L, argv, o->script)) {
		lua_close(L);
		aio_pool_free(pool);
		return 1;
	}
	if (o->pidfile && !write_pidfile(o->pidfile)) {
		lua_close(L);
		aio_pool_free(pool);
		return 2;
	}

	int status;
	lua_pushcfunction(L, run_main);
	lua_insert(L, 1);
	lua_pushboolean(L, o->debug);
	lua_insert(L, 2);
	luaL_checkstack(L, argc, "too many arguments");
	for (int i = o->script + 1; i < argc; i++)
		lua_pushstring(L, argv[i]);
	if (lua_pcall(L, argc - o->script + 1, 1, 0) != LUA_OK) {
		fprintf(stderr, "aiod: %s\n", luaL_tolstring(L, -1, NULL));
		status = 1;
	} else {
		status = (int)lua_tointeger(L, -1);
	}
	lua_close(L);
	aio_pool_free(pool);
	if (o->pidfile)
		unlink(o->pidfile);
	return status;
}
