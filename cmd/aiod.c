/* aiod.c -- the aiod program: runs a Lua script's main chunk as the main task of an event loop */
#include "laio.h"
#include "control_path.h"
#include "inspect.h"
#include "notify.h"
#include "reload.h"
#include "repl.h"
#include "pool.h"
#include "signals.h"
#include "ticker.h"

#include <errno.h>
#include <limits.h>
#include <lualib.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AIOD_VERSION "aiod 0.1.0"

static const char usage_text[] =
	"usage: aiod [options] [script.lua [args...]]\n"
	"  -e CODE         run CODE before the script (as lua -e); with no script, CODE is the main task\n"
	"  -i              interactive: a prompt once the script (if any) has returned (as lua -i)\n"
	"  -c, --check     compile the script and exit (0 if it compiles, 2 if not)\n"
	"  -w, --watch     reload when the script or a module it loaded from its folder changes\n"
	"  --grace SEC     how long an old generation's connections may drain after a reload (default 30)\n"
	"  --ready-timeout SEC  roll a reload back when not ready by then (default 10)\n"
	"  --no-reload     SIGHUP is never a reload: it stops aiod (status 129)\n"
	"  --log-level L   debug, info, warn or error: the least aiod.log prints (default info)\n"
	"  --pidfile FILE  write the pid there while running\n"
	"  --control PATH  the control socket's path (default: see aiod ps --help)\n"
	"  --no-control    open no control socket\n"
	"  --debug         warn when a task runs over 100 ms without suspending\n"
	"  -v, --version   print the version and exit\n"
	"  -h, --help      print this help and exit\n"
	"\n"
	"       aiod ps | pstree | stats | reload | attach  (PID | --pidfile FILE) [--control PATH] [--json]\n"
	"       aiod stack (PID | --pidfile FILE) TASK [--control PATH] [--json]\n"
	"  look inside a running aiod through its control socket (aiod ps --help says more)\n";

struct options opts;
/* -i: a REPL once the main chunk has returned (cmd/repl.c). */
static int interactive;

/* The signal that began a graceful stop, 0 before one. The signal handler
 * sets it first when the loop is stuck, hence sig_atomic_t. */
static volatile sig_atomic_t stop_signal;
static int stop_begun;

__attribute__((format(printf, 1, 2)))
static void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "aiod: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
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
	return strcmp(a, "-e") == 0 || strcmp(a, "--pidfile") == 0 || strcmp(a, "--control") == 0 ||
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
		} else if (strcmp(a, "-i") == 0) {
			interactive = 1;
		} else if (strcmp(a, "-w") == 0 || strcmp(a, "--watch") == 0) {
			o->watch = 1;
		} else if (strcmp(a, "--no-reload") == 0) {
			o->no_reload = 1;
		} else if (strcmp(a, "--no-control") == 0) {
			o->no_control = 1;
		} else if (takes_value(a)) {
			if (++i >= argc)
				usage_error("option '%s' needs an argument", a);
			if (strcmp(a, "-e") == 0) {
				o->e_chunks++;
			} else if (strcmp(a, "--pidfile") == 0) {
				o->pidfile = argv[i];
			} else if (strcmp(a, "--control") == 0) {
				o->control = argv[i];
			} else if (strcmp(a, "--grace") == 0 || strcmp(a, "--ready-timeout") == 0) {
				char *end;
				double secs = strtod(argv[i], &end);
				if (*end || end == argv[i] || !(secs >= 0))
					usage_error("option '%s' needs seconds, not '%s'", a, argv[i]);
				*(a[2] == 'g' ? &o->grace : &o->ready_timeout) = secs;
			} else if (strcmp(a, "--log-level") == 0) {
				o->log_level = argv[i];
				if (reload_log_rank(argv[i]) < 0)
					usage_error("--log-level is debug, info, warn or error, not '%s'",
						    argv[i]);
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
	if (!o->e_chunks && !interactive)
		usage_error("%s", "no script given");
	/* -e chunks are the main task's upvalues in e_main. */
	if (o->e_chunks > 255)
		usage_error("%s", "more than 255 -e options");
	if (o->check || o->watch)
		usage_error("option '%s' needs a script", o->check ? "--check" : "--watch");
}

/* The global 'arg', as lua.c makes it: arg[0] is the script, or with no
 * script aiod itself, the options following it. */
static void make_arg_table(lua_State *L, int argc, char **argv, int script)
{
	lua_createtable(L, argc - script, script + 1);
	for (int i = 0; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i - script);
	}
	lua_setglobal(L, "arg");
}

/* The main task with no script: the -e chunks, its upvalues, in turn (any
 * may suspend); it returns what the last one returns. */
static int e_main_k(lua_State *L, int status, lua_KContext next)
{
	(void)status;
	for (int i = (int)next; !lua_isnone(L, lua_upvalueindex(i)); i++) {
		lua_pushvalue(L, lua_upvalueindex(i));
		lua_callk(L, 0, lua_isnone(L, lua_upvalueindex(i + 1)) ? LUA_MULTRET : 0,
			  i + 1, e_main_k);
	}
	return lua_gettop(L);
}

static int e_main(lua_State *L)
{
	lua_settop(L, 0);
	return e_main_k(L, LUA_OK, 1);
}

/*
 * [-0, +(0|1)] Loads each -e chunk among argv[1..end) and, with run, calls
 * it; without run, leaves e_main closed over them. 0 (reported) if one
 * fails.
 */
static int load_e_chunks(lua_State *L, char **argv, int end, int run)
{
	int n = 0;
	for (int i = 1; i < end; i++) {
		if (!takes_value(argv[i]))
			continue;
		if (argv[i][1] == 'e') {
			if (luaL_loadbuffer(L, argv[i + 1], strlen(argv[i + 1]),
					    "=(command line)") != LUA_OK ||
			    (run && lua_pcall(L, 0, 0, 0) != LUA_OK)) {
				fprintf(stderr, "aiod: %s\n", lua_tostring(L, -1));
				return 0;
			}
			n += !run;
		}
		i++;
	}
	/* One chunk is the main task itself, so tracebacks show no wrapper. */
	if (!run && n > 1)
		lua_pushcclosure(L, e_main, n);
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
 * glibc's malloc gives the top of its heap back to the system as soon as
 * 128 KiB lie free there, and a connection's reads and strings come and go
 * by the tens of KiB: an echo of 16 KiB made a brk call every third request
 * and faulted the pages in again (16.4 against 11.8 us of CPU a request).
 * Free memory is kept up to a fixed 2 MiB instead, blocks from 1 MiB up are
 * mapped on their own, and the loop trims the heap when it falls quiet
 * (bindings/l_idle_gc.c). A MALLOC_*_ variable or a glibc.malloc tunable
 * (GLIBC_TUNABLES) set by the user wins.
 */
static void steady_malloc(void)
{
	const char *tunables = getenv("GLIBC_TUNABLES");
	if (tunables && strstr(tunables, "glibc.malloc."))
		return;
	if (!getenv("MALLOC_MMAP_THRESHOLD_") && !getenv("MALLOC_TRIM_THRESHOLD_") &&
	    !getenv("MALLOC_TOP_PAD_") && !getenv("MALLOC_MMAP_MAX_")) {
		mallopt(M_MMAP_THRESHOLD, 1 << 20);
		mallopt(M_TRIM_THRESHOLD, 2 << 20);
	}
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

/* The exit status a graceful stop by signum asks for: as a shell reports a
 * command the signal stopped, but SIGTERM is a service's normal end. */
static int stop_status(int signum)
{
	if (signum == SIGTERM && reload_is_service())
		return 0;
	return 128 + signum;
}

/* The loop whose running task a first stop signal interrupts. */
static struct l_loop *main_loop;

/*
 * Hook set on the running task by the first stop signal, as lua.c does
 * for Ctrl-C: a task that never suspends is cancelled at its next
 * instruction, so its cleanup runs and the loop turns to see the signal.
 */
static void interrupt_hook(lua_State *co, lua_Debug *ar)
{
	(void)ar;
	lua_sethook(co, NULL, 0, 0);
	/* Once the loop has turned and begun the stop, the task is cancelled
	 * at its suspension point: raising again would cut its cleanup short. */
	if (!stop_begun && main_loop && main_loop->current &&
	    main_loop->current->co == co) {
		laio_push_error(co, "CancelledError", "interrupted by a signal");
		lua_error(co);
	}
}

/* In the signal handler: only lua_sethook, which Lua allows there. */
static void on_first_stop(int signum)
{
	if (!stop_signal)
		stop_signal = signum;
	struct l_task *t = main_loop ? main_loop->current : NULL;
	if (t)
		lua_sethook(t->co, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* In the signal handler, as a second stop signal exits at once: what
 * atexit would have done that is async-signal-safe. */
static void on_exit_now(int signum)
{
	(void)signum;
	const char *path = laio_control_path();
	if (path)
		unlink(path);
	repl_restore_terminal_now();
}

/* A graceful stop, begun once: the first signal's number decides the status. */
static void begin_stop(struct l_loop *loop, int signum)
{
	if (!stop_signal)
		stop_signal = signum;
	if (stop_begun)
		return;
	stop_begun = 1;
	repl_stop(loop->L);
	aiod_notify("STOPPING=1");
	stop_all(loop->L, loop);
}

static void on_stop_signal(struct aio_signal *sig, void *udata)
{
	begin_stop(udata, aio_signal_signum(sig));
}

/* SIGHUP: a hot reload for a service (or under --watch), else a stop. */
static void on_hup_signal(struct aio_signal *sig, void *udata)
{
	struct l_loop *loop = udata;
	if (reload_hup_reloads() && !stop_begun)
		reload_request(loop->L);
	else
		begin_stop(loop, aio_signal_signum(sig));
}

/* SIGUSR1: every unfinished task, its state and where it is suspended. */
static void on_dump_signal(struct aio_signal *sig, void *udata)
{
	struct l_loop *loop = udata;
	(void)sig;
	laio_dump_tasks(loop->L, loop);
}

/* aiod's own watchers (absent for a signal ignored at start); each stands
 * aside while a script's handler takes its signal over. */
static struct {
	int signum;
	aio_signal_fn fn;
	struct aio_signal *sig;
	int ignored;
} watched[] = {
	{SIGINT, on_stop_signal, NULL, 0}, {SIGTERM, on_stop_signal, NULL, 0},
	{SIGHUP, on_hup_signal, NULL, 0}, {SIGUSR1, on_dump_signal, NULL, 0},
};
#define NWATCHED (sizeof watched / sizeof *watched)

/* A signal ignored when aiod started (nohup, a background job's SIGINT)
 * stays ignored: asked before anything installs a handler. */
static void note_ignored_signals(void)
{
	for (size_t i = 0; i < NWATCHED; i++) {
		struct sigaction old;
		watched[i].ignored = sigaction(watched[i].signum, NULL, &old) == 0 &&
				     old.sa_handler == SIG_IGN;
	}
}

static void watch_signal(struct l_loop *loop, size_t i)
{
	int err;
	if (watched[i].ignored || watched[i].sig)
		return;
	watched[i].sig = aio_signal_new(loop->rt, watched[i].signum, watched[i].fn,
					loop, AIO_SIGNAL_DEFAULT | AIO_SIGNAL_CONTROL, &err);
	/* SIGHUP counts as a stop signal (a second one exits) only while
	 * it stops; reload.c turns that off when the script becomes a
	 * service. */
	if (watched[i].signum != SIGUSR1 &&
	    (watched[i].signum != SIGHUP || !reload_hup_reloads()))
		aio_signal_set_stop(watched[i].signum, 1);
}

static void watch_signals(struct l_loop *loop)
{
	main_loop = loop;
	aio_signal_on_first_stop(on_first_stop);
	aio_signal_on_exit_now(on_exit_now);
	for (size_t i = 0; i < NWATCHED; i++)
		watch_signal(loop, i);
}

/* While the REPL runs, SIGINT (watched[0]) is its Ctrl-C, not a stop;
 * once it has ended, a stop again. */
static void give_sigint_to_repl(void)
{
	aio_signal_set_stop(SIGINT, 0);
	aio_signal_free(watched[0].sig);
	watched[0].sig = NULL;
}

static void on_repl_ended(void)
{
	if (main_loop && !stop_begun)
		watch_signal(main_loop, 0);
}

static void stop_watching_signals(void)
{
	for (size_t i = 0; i < NWATCHED; i++) {
		aio_signal_set_stop(watched[i].signum, 0);
		aio_signal_free(watched[i].sig);
		watched[i].sig = NULL;
	}
	aio_signal_on_first_stop(NULL);
	aio_signal_on_exit_now(NULL);
	main_loop = NULL;
}

/*
 * Done callback of generation 1's main task: an uncaught error ends the
 * program as a stop signal does, so it exits with 1 instead of serving on
 * without its main task.
 */
static int on_main_done(lua_State *L)
{
	struct l_task *t = lua_touserdata(L, 1);
	if (t->fut.state == FUT_FINISHED && !t->fut.failed) {
		reload_generation_one_ready(L);
		if (interactive && !stop_begun) {
			give_sigint_to_repl();
			repl_start(L, t->fut.loop, on_repl_ended);
		}
	}
	if (t->fut.failed)
		stop_all(L, t->fut.loop);
	return 0;
}

/*
 * A deadlock: the loop ran dry with the main task still waiting. Names
 * what it waits on, following a chain of awaited tasks, and where.
 */
static void report_deadlock(lua_State *L, int task)
{
	int top = lua_gettop(L);
	struct l_task *t = lua_touserdata(L, task);
	luaL_traceback(L, t->co, NULL, 0);
	lua_pushliteral(L, "aiod: the main task can never finish: nothing is left "
			   "that could wake it");
	int pieces = 1;
	lua_pushvalue(L, task);	/* [traceback, pieces..., the task waiting] */
	for (int depth = 0; depth < 8 && t; depth++, pieces++) {
		const char *joint = depth ? ", which waits" : "; it waits";
		if (t->wait == WAIT_FUTURE) {
			laio_push_task_first(L, t);
			lua_pushfstring(L, "%s on %s", joint, luaL_tolstring(L, -1, NULL));
			lua_remove(L, -2);
			lua_replace(L, -3);
			t = luaL_testudata(L, -1, LAIO_TASK);
		} else if (t->wait == WAIT_PARKED) {
			lua_pushfstring(L, "%s for I/O, a queue or a thread", joint);
			lua_insert(L, -2);
			t = NULL;
		} else {
			break;
		}
	}
	lua_pop(L, 1);
	lua_concat(L, pieces);
	fprintf(stderr, "%s\n%s\n", lua_tostring(L, -1), lua_tostring(L, -2));
	lua_settop(L, top);
}

static int main_status(lua_State *L, int task)
{
	struct l_task *t = lua_touserdata(L, task);
	if (t->fut.state == FUT_PENDING) {
		report_deadlock(L, task);
		return 1;
	}
	if (t->fut.state == FUT_CANCELLED) {
		if (stop_signal)
			return stop_status(stop_signal);
		fprintf(stderr, "aiod: the main task was cancelled\n");
		return 1;
	}
	if (t->fut.failed) {
		t->fut.unretrieved = 0;
		laio_push_exception(L, task);
		laio_push_failure(L, -1, task, 0);
		fprintf(stderr, "aiod: %s\n", lua_tostring(L, -1));
		lua_pop(L, 2);
		return 1;
	}
	if (stop_signal)
		return stop_status(stop_signal);
	if (t->fut.nresults > 0 && lua_isinteger(t->co, 1))
		return (int)(lua_tointeger(t->co, 1) & 0xff);
	return 0;
}

static void run_loop(lua_State *L, int loop_idx)
{
	lua_getfield(L, loop_idx, "run_forever");
	lua_pushvalue(L, loop_idx);
	lua_call(L, 1, 0);
}

/* os.exit and the other ways out that skip run_main's end. */
static void remove_control_socket(void)
{
	const char *path = laio_control_path();
	if (path)
		unlink(path);
}

/*
 * [-0, +0, e] The control socket (aiod ps and the rest): --control PATH,
 * else the default path, whose folder is aiod's own. Failing to open the
 * default one costs a warning; an explicit path must open.
 */
static void open_control(lua_State *L, struct l_loop *loop)
{
	if (opts.no_control)
		return;
	char path[108];
	const char *where = opts.control;
	if (!where) {
		if (aio_control_default_path(path, sizeof path, (long)getpid(), geteuid(),
					     getenv("XDG_RUNTIME_DIR")) < 0) {
			fprintf(stderr, "aiod: warning: no control socket: its path is too long\n");
			return;
		}
		where = path;
	}
	int r = laio_control_start(L, loop, where, opts.control == NULL);
	if (r < 0 && opts.control)
		luaL_error(L, "control socket %s: %s", where, strerror(-r));
	if (r < 0)
		fprintf(stderr, "aiod: warning: no control socket %s: %s\n", where, strerror(-r));
	else
		atexit(remove_control_socket);
}

/*
 * The collector waits while the state is built, as lua.c has it wait for
 * the libraries: what is made then lives on, and each cycle would mark it
 * all again. Resumed as if a cycle had just ended (the next starts once
 * the heap has doubled), and only if it ran before (a -e chunk may have
 * stopped it).
 */
static int pause_collector(lua_State *L)
{
	int running = lua_gc(L, LUA_GCISRUNNING);
	lua_gc(L, LUA_GCSTOP);
	return running;
}

static void resume_collector(lua_State *L, int running)
{
	if (!running)
		return;
	lua_gc(L, LUA_GCRESTART);
	lua_gc(L, LUA_GCSTEP, -lua_gc(L, LUA_GCCOUNT));
}

/* Protected: [debug, chunk, args...] -> exit status. */
static int run_main(lua_State *L)
{
	int debug = lua_toboolean(L, 1);
	lua_remove(L, 1);
	int nargs = lua_gettop(L) - 1;
	int collecting = pause_collector(L);
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

	luaL_checkstack(L, nargs + 2, "too many arguments");
	lua_pushvalue(L, loop_idx);
	for (int i = 1; i <= nargs + 1; i++)
		lua_pushvalue(L, i);
	laio_new_task(L, loop, nargs);
	int first_main = lua_gettop(L);
	lua_pushliteral(L, "main");
	laio_set_extra(L, first_main, "name");
	/* The main task is task 0 (aiod ps): the script's first task is Task-1. */
	((struct l_task *)lua_touserdata(L, first_main))->id = 0;
	laio_state(L)->task_counter = 0;
	lua_pushcfunction(L, on_main_done);
	laio_future_add_callback(L, first_main, -1);
	lua_pop(L, 1);

	watch_signals(loop);
	open_control(L, loop);
	reload_setup(L, first_main, 2, nargs);
	lua_pop(L, 1);	/* the task: reload.c keeps the serving generation's */
	notify_start(loop);
	resume_collector(L, collecting);

	/* Run while anything can happen; then cancel what is stuck, so its
	 * cleanup runs, and run that out too. */
	run_loop(L, loop_idx);
	repl_stop(L);
	int task = reload_push_main_task(L) ? lua_gettop(L) : 0;
	struct l_task *main_task = task ? lua_touserdata(L, task) : NULL;
	int deadlock = main_task && main_task->fut.state == FUT_PENDING && !stop_signal &&
		       aio_loop_state(loop->rt) == AIO_LOOP_IDLE;
	if (deadlock)
		report_deadlock(L, task);
	if (loop->tasks.next != &loop->tasks) {
		cancel_all(L, loop);
		run_loop(L, loop_idx);
	}
	int status = deadlock || !task ? 1 : main_status(L, task);
	laio_control_stop(L);
	notify_stop();
	stop_watching_signals();
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

/* At exit the pool's arenas are unmapped whole, so lua_close freeing each
 * small object one by one is work nobody sees (large ones are malloc's,
 * freed still); the finalizers it runs may allocate. */
static void *exit_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	if (nsize == 0 && (!ptr || osize <= AIO_POOL_MAX_SMALL))
		return NULL;
	return aio_pool_alloc(ud, ptr, osize, nsize);
}
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

/* The script's folder goes first on package.path and package.cpath, so a
 * module next to the script is found whatever the working directory. */
static void put_folder_first(lua_State *L, const char *dir)
{
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "path");
	lua_pushfstring(L, "%s/?.lua;%s/?/init.lua;%s", dir, dir, lua_tostring(L, -1));
	lua_setfield(L, -3, "path");
	lua_getfield(L, -2, "cpath");
	lua_pushfstring(L, "%s/?.so;%s", dir, lua_tostring(L, -1));
	lua_setfield(L, -4, "cpath");
	lua_pop(L, 3);
}

static int finish(lua_State *L, struct aio_pool *pool, int status)
{
#if !defined(__SANITIZE_ADDRESS__)
	lua_setallocf(L, exit_alloc, pool);
#endif
	lua_close(L);
	aio_pool_free(pool);
	return status;
}

int main(int argc, char **argv)
{
	struct options *o = &opts;
	if (argc > 1 && inspect_is_command(argv[1]))
		return inspect_main(argc, argv);
	parse_options(argc, argv, o);
	repl_prepare(interactive);
	note_ignored_signals();
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	steady_malloc();

	struct aio_pool *pool;
	lua_State *L = new_state(&pool);
	if (!L) {
		fprintf(stderr, "aiod: not enough memory\n");
		return 1;
	}
	int collecting = pause_collector(L);
	luaL_openlibs(L);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(L, luaopen_asyncio);
	lua_setfield(L, -2, "asyncio");
	lua_pop(L, 1);

	const char *script = o->script ? argv[o->script] : NULL;
	if (script) {
		o->script_path = script;
		script_folder(script, o->script_dir, sizeof o->script_dir);
		if (luaL_loadfilex(L, strcmp(script, "-") == 0 ? NULL : script, "t") != LUA_OK) {
			fprintf(stderr, "aiod: %s\n", lua_tostring(L, -1));
			return finish(L, pool, 2);
		}
		if (o->check)
			return finish(L, pool, 0);
		put_folder_first(L, o->script_dir);
	} else {
		/* One-liners: aiod -e 'asyncio.sleep(1) print("done")' */
		luaL_requiref(L, "asyncio", luaopen_asyncio, 1);
		lua_pop(L, 1);
	}
	make_arg_table(L, argc, argv, o->script);
	resume_collector(L, collecting);
	/* Before the script, or with none, as the main task. */
	if (!load_e_chunks(L, argv, script ? o->script : argc, script != NULL))
		return finish(L, pool, 1);
	/* aiod -i alone: the prompt follows an empty main chunk. */
	if (!script && !o->e_chunks)
		luaL_loadstring(L, "");
	if (o->pidfile && !write_pidfile(o->pidfile))
		return finish(L, pool, 2);

	int status;
	int nargs = script ? argc - o->script - 1 : 0;
	lua_pushcfunction(L, run_main);
	lua_insert(L, 1);
	lua_pushboolean(L, o->debug);
	lua_insert(L, 2);
	luaL_checkstack(L, nargs, "too many arguments");
	for (int i = argc - nargs; i < argc; i++)
		lua_pushstring(L, argv[i]);
	if (lua_pcall(L, nargs + 2, 1, 0) != LUA_OK) {
		fprintf(stderr, "aiod: %s\n", luaL_tolstring(L, -1, NULL));
		status = 1;
	} else {
		status = (int)lua_tointeger(L, -1);
	}
	status = finish(L, pool, status);
	if (o->pidfile)
		unlink(o->pidfile);
	return status;
}
