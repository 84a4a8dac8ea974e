/* repl.c -- aiod -i's terminal front end: readline's callback interface (or plain lines from a pipe) feeding bindings/repl.lua's engine on the loop */
#define _GNU_SOURCE	/* fopencookie */
#include "repl.h"
#include "laio.h"
#include "buf.h"
#include "fdwatch.h"
#include "signals.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

/* Entries kept in ~/.aiod_history. */
#define HISTORY_SIZE 1000

/* One REPL per process: it owns the terminal. */
static struct {
	int tty;		/* readline reads stdin (a terminal), else plain lines */
	int active;
	int showing;		/* readline's prompt is on the screen */
	int eof;		/* (plain lines) the input has ended */
	int engine;		/* registry ref of repl.lua's engine */
	struct l_loop *loop;
	struct aio_fdwatch *in;
	struct aio_signal *sigint, *sigwinch;
	struct aio_buf input;	/* (plain lines) read, not yet fed */
	FILE *out;		/* the real stdout, readline's own */
	struct termios saved;
	int have_saved;
	char history[PATH_MAX];	/* empty: no history */
	void (*ended)(void);
	/* An entry that never suspends: the SIGINT handler hooks its
	 * coroutine, and the loop's own SIGINT call then has nothing to do. */
	lua_State *volatile entry;
	volatile sig_atomic_t hooked;
	struct sigaction chained;	/* the loop's SIGINT handler */
	int chaining;
} repl = {.engine = LUA_NOREF};

static void show_prompt(void);
static void feed_lines(void);

/*
 * stdout and stderr, once repl_prepare has replaced them: while the prompt
 * shows, the line is cleared before the text and drawn anew after it, as
 * readline's manual says for output that arrives while it reads.
 */
static ssize_t cookie_write(void *cookie, const char *data, size_t n)
{
	int fd = (int)(intptr_t)cookie;
	/* readline's own bell (rl_ding writes it to stderr) needs no redraw. */
	int hide = repl.showing && !(n == 1 && data[0] == '\a');
	if (hide) {
		fflush(repl.out);
		rl_clear_visible_line();
		fflush(repl.out);
	}
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (hide) {
		rl_on_new_line();
		rl_redisplay();
	}
	return done || !n ? (ssize_t)done : -1;
}

void repl_prepare(int interactive)
{
	if (!interactive || !isatty(STDIN_FILENO))
		return;
	cookie_io_functions_t fns = {.write = cookie_write};
	FILE *out = fopencookie((void *)(intptr_t)STDOUT_FILENO, "w", fns);
	FILE *err = fopencookie((void *)(intptr_t)STDERR_FILENO, "w", fns);
	if (!out || !err) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		return;
	}
	setvbuf(out, NULL, _IOLBF, BUFSIZ);
	setvbuf(err, NULL, _IOLBF, BUFSIZ);
	repl.tty = 1;
	repl.out = stdout;
	stdout = out;
	stderr = err;
}

void repl_restore_terminal_now(void)
{
	if (repl.have_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &repl.saved);
}

/* The terminal as it was, the history file bounded; also at exit
 * (os.exit, an error), so idempotent. */
static void restore_terminal(void)
{
	if (repl.history[0]) {
		history_truncate_file(repl.history, HISTORY_SIZE);
		repl.history[0] = '\0';
	}
	if (repl.showing) {
		repl.showing = 0;
		rl_callback_handler_remove();
	}
	if (repl.have_saved) {
		repl.have_saved = 0;
		fflush(stdout);
		fflush(repl.out);
		tcsetattr(STDIN_FILENO, TCSADRAIN, &repl.saved);
	}
}

/* [-0, +(0|n)] engine:method(args on top) with nresults, protected: 0
 * (reported, nothing pushed) on failure. */
static int call_engine(lua_State *L, const char *method, int nargs, int nresults)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, repl.engine);
	lua_getfield(L, -1, method);
	lua_insert(L, -2 - nargs);
	lua_insert(L, -1 - nargs);	/* method, engine, args */
	if (lua_pcall(L, nargs + 1, nresults, 0) != LUA_OK) {
		laio_report(L, "aiod: repl:", -1);
		lua_pop(L, 1);
		return 0;
	}
	return 1;
}

static void on_stdin(struct aio_fdwatch *w, int err, void *udata);

static void listen_stdin(void)
{
	if (repl.in || !repl.active)
		return;
	int err;
	repl.in = aio_fdwatch_new(repl.loop->rt, STDIN_FILENO, AIO_FDWATCH_READ, on_stdin, NULL,
				  &err);
	if (!repl.in) {
		fprintf(stderr, "aiod: repl: cannot watch stdin: %s\n", strerror(-err));
		repl_stop(repl.loop->L);
	}
}

/* While an entry runs, typing waits in the terminal's own buffer. */
static void pause_stdin(void)
{
	aio_fdwatch_free(repl.in);
	repl.in = NULL;
}

static void add_history_entry(const char *entry)
{
	if (!repl.history[0] || !*entry)
		return;
	add_history(entry);
	append_history(1, repl.history);
}

/* The running entry's coroutine, for the SIGINT handler. */
static void note_entry(lua_State *L)
{
	if (!call_engine(L, "running", 0, 1))
		return;
	struct l_task *t = luaL_testudata(L, -1, LAIO_TASK);
	repl.entry = t ? t->co : NULL;
	lua_pop(L, 1);
}

/* Feeds one line (on top, popped): 1 when an entry now runs. */
static int feed(lua_State *L)
{
	if (!call_engine(L, "feed", 1, 2))
		return 0;
	int busy = strcmp(lua_tostring(L, -2), "busy") == 0;
	if (repl.tty && lua_isstring(L, -1))
		add_history_entry(lua_tostring(L, -1));
	lua_pop(L, 2);
	if (busy)
		note_entry(L);
	return busy;
}

/* The input has ended: an incomplete entry says why, and the REPL ends,
 * unless the engine says it will end it itself (a remote one, whose last
 * words are still to come). */
static void end_of_input(lua_State *L)
{
	if (call_engine(L, "eof", 0, 1)) {
		int later = lua_toboolean(L, -1);
		lua_pop(L, 1);
		if (later) {
			pause_stdin();
			return;
		}
	}
	repl_stop(L);
}

/* readline's line handler: line is NULL at Ctrl-D on an empty line. */
static void on_line(char *line)
{
	lua_State *L = repl.loop->L;
	repl.showing = 0;
	rl_callback_handler_remove();
	if (!line) {
		end_of_input(L);
		return;
	}
	lua_pushstring(L, line);
	free(line);
	if (feed(L))
		pause_stdin();
	else
		show_prompt();
}

static void show_prompt(void)
{
	if (!repl.active)
		return;
	lua_State *L = repl.loop->L;
	fflush(stdout);
	fflush(stderr);
	if (!call_engine(L, "prompt", 0, 1))
		return;
	rl_callback_handler_install(lua_tostring(L, -1), on_line);
	lua_pop(L, 1);
	repl.showing = 1;
}

/* Plain lines (no terminal): each read is one read(), so a pipe that has
 * less than asked for never blocks the loop. */
static void read_plain(void)
{
	char *room = aio_buf_reserve(&repl.input, 4096);
	if (!room) {
		repl.eof = 1;
		return;
	}
	ssize_t n = read(STDIN_FILENO, room, 4096);
	if (n > 0)
		aio_buf_commit(&repl.input, (size_t)n);
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		repl.eof = 1;
}

static void on_stdin(struct aio_fdwatch *w, int err, void *udata)
{
	(void)w;
	(void)udata;
	if (err) {
		pause_stdin();
		repl.eof = 1;
	}
	if (repl.tty && !err) {
		rl_callback_read_char();
		return;
	}
	if (!err)
		read_plain();
	feed_lines();
}

/* Feeds whole lines read (the last may lack its newline) until an entry
 * runs; at the end of the input, ends. */
static void feed_lines(void)
{
	lua_State *L = repl.loop->L;
	while (repl.active) {
		size_t len = aio_buf_len(&repl.input);
		ssize_t nl = aio_buf_find(&repl.input, "\n", 1, 0);
		if (nl < 0 && !repl.eof) {
			listen_stdin();
			return;
		}
		if (nl < 0 && len == 0) {
			end_of_input(L);
			return;
		}
		size_t line = nl < 0 ? len : (size_t)nl;
		lua_pushlstring(L, aio_buf_peek(&repl.input), line);
		aio_buf_consume(&repl.input, line + (nl >= 0));
		if (feed(L)) {
			pause_stdin();
			return;
		}
	}
}

/* engine's idle(): the entry has ended; read on. */
static int l_idle(lua_State *L)
{
	(void)L;
	repl.entry = NULL;
	if (!repl.active)
		return 0;
	if (repl.tty) {
		show_prompt();
		listen_stdin();
	} else {
		feed_lines();
	}
	return 0;
}

/* engine's write(text, is_error) */
static int l_write(lua_State *L)
{
	size_t len;
	const char *text = luaL_checklstring(L, 1, &len);
	FILE *f = lua_toboolean(L, 2) ? stderr : stdout;
	fwrite(text, 1, len, f);
	fflush(f);
	return 0;
}

/* Ctrl-C: cancels the running entry, or at the prompt drops the line. */
static void on_interrupt(struct aio_signal *sig, void *udata)
{
	(void)sig;
	(void)udata;
	lua_State *L = repl.loop->L;
	if (repl.hooked) {
		repl.hooked = 0;
		return;
	}
	/* Keys typed before the Ctrl-C come first, though this call may run
	 * before stdin's in the turn: an Enter just before it starts the
	 * entry, which the Ctrl-C then interrupts. */
	int unread = 0;
	while (repl.tty && repl.showing && ioctl(STDIN_FILENO, FIONREAD, &unread) == 0 && unread > 0)
		rl_callback_read_char();
	if (!call_engine(L, "interrupt", 0, 1))
		return;
	int cancelled = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (!repl.tty)
		return;
	if (cancelled) {
		fputs("\n", stdout);	/* after the ^C the terminal echoed */
	} else if (repl.showing) {
		/* As a shell does: "^C" after the whole line, then a fresh prompt. */
		rl_callback_sigcleanup();
		rl_free_line_state();
		rl_point = rl_end;
		rl_redisplay();
		fputs("^C\n", repl.out);
		rl_replace_line("", 0);
		repl.showing = 0;
		rl_callback_handler_remove();
		show_prompt();
	}
}

static void on_winch(struct aio_signal *sig, void *udata)
{
	(void)sig;
	(void)udata;
	if (repl.showing)
		rl_resize_terminal();
}

/* readline's generator: the engine's candidates for text, one a call
 * (state 0 asks anew), each a malloc'd copy readline frees. */
static char *next_candidate(const char *text, int state)
{
	static int index, count;
	lua_State *L = repl.loop->L;
	if (state == 0) {
		index = count = 0;
		lua_pushstring(L, text);
		if (!call_engine(L, "complete", 1, 1))
			return NULL;
		count = (int)luaL_len(L, -1);
		lua_setfield(L, LUA_REGISTRYINDEX, "aiod.repl.candidates");
	}
	if (index >= count)
		return NULL;
	lua_getfield(L, LUA_REGISTRYINDEX, "aiod.repl.candidates");
	lua_rawgeti(L, -1, ++index);
	const char *name = lua_tostring(L, -1);
	char *copy = name ? strdup(name) : NULL;
	lua_pop(L, 2);
	return copy;
}

/* Tab: Lua names (globals, fields along a path), never file names. */
static char **complete(const char *text, int start, int end)
{
	(void)start;
	(void)end;
	rl_attempted_completion_over = 1;
	rl_completion_append_character = '\0';	/* "asyncio.sleep" then "(" */
	return rl_completion_matches(text, next_candidate);
}

/* Set on a running entry by the SIGINT handler: raises CancelledError at
 * its next instruction, as lua.c's hook stops a chunk at Ctrl-C. */
static void interrupt_hook(lua_State *co, lua_Debug *ar)
{
	(void)ar;
	lua_sethook(co, NULL, 0, 0);
	if (co != repl.entry || !repl.loop->current || repl.loop->current->co != co)
		return;
	lua_rawgeti(co, LUA_REGISTRYINDEX, repl.engine);
	lua_pushboolean(co, 1);
	lua_setfield(co, -2, "interrupted");
	lua_pop(co, 1);
	if (repl.tty)
		fputs("\n", stdout);	/* after the ^C the terminal echoed */
	laio_push_error(co, "CancelledError", "interrupted");
	lua_error(co);
}

/* In the signal handler, before the loop's own: only lua_sethook, which
 * Lua allows there, on the entry if it is what runs now (and no script's
 * handler has taken SIGINT over). */
static void on_sigint_raw(int signum, siginfo_t *info, void *context)
{
	lua_State *co = repl.entry;
	struct l_task *t = repl.loop->current;
	if (co && t && t->co == co && !aio_signal_taken(SIGINT)) {
		repl.hooked = 1;
		lua_sethook(co, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
	}
	if (repl.chained.sa_flags & SA_SIGINFO)
		repl.chained.sa_sigaction(signum, info, context);
	else if (repl.chained.sa_handler != SIG_DFL && repl.chained.sa_handler != SIG_IGN)
		repl.chained.sa_handler(signum);
}

static void chain_sigint(void)
{
	struct sigaction ours;
	if (sigaction(SIGINT, NULL, &repl.chained) != 0)
		return;
	ours = repl.chained;
	ours.sa_sigaction = on_sigint_raw;
	ours.sa_flags |= SA_SIGINFO;
	repl.chaining = sigaction(SIGINT, &ours, NULL) == 0;
}

static void unchain_sigint(void)
{
	if (repl.chaining)
		sigaction(SIGINT, &repl.chained, NULL);
	repl.chaining = 0;
}

/* The local engine's constructor: repl.lua's; asyncio a global at the
 * prompt, as with -e alone. */
static int push_local_engine(lua_State *L)
{
	luaL_requiref(L, "asyncio", luaopen_asyncio, 0);
	if (lua_getglobal(L, "asyncio") == LUA_TNIL) {
		lua_pushvalue(L, -2);
		lua_setglobal(L, "asyncio");
	}
	lua_pop(L, 2);
	return laio_push_repl(L);
}

/* [-1, +0] Makes the engine with the constructor on top and keeps it in
 * the registry; 0 (reported) on failure. */
static int make_engine(lua_State *L)
{
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, l_write);
	lua_setfield(L, -2, "write");
	lua_pushcfunction(L, l_idle);
	lua_setfield(L, -2, "idle");
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		laio_report(L, "aiod: repl:", -1);
		lua_pop(L, 1);
		return 0;
	}
	repl.engine = luaL_ref(L, LUA_REGISTRYINDEX);
	return 1;
}

/* ~/.aiod_history (HOME honoured), made if missing so entries append. */
static void open_history(void)
{
	const char *home = getenv("HOME");
	if (!home || !*home)
		return;
	snprintf(repl.history, sizeof repl.history, "%s/.aiod_history", home);
	using_history();
	stifle_history(HISTORY_SIZE);
	if (read_history(repl.history) == ENOENT && write_history(repl.history) != 0)
		repl.history[0] = '\0';
}

static void start_readline(void)
{
	static int registered;
	if (tcgetattr(STDIN_FILENO, &repl.saved) == 0)
		repl.have_saved = 1;
	if (!registered && atexit(restore_terminal) == 0)
		registered = 1;
	rl_readline_name = "aiod";
	/* Words for Tab: "asyncio.sl" and "t:aw" are one word each. */
	rl_attempted_completion_function = complete;
	rl_basic_word_break_characters = " \t\n\"\\'`><=;+-*/%^~#&|,{}()[]";
	rl_instream = stdin;
	rl_outstream = repl.out;
	/* Signals are the loop's: readline must neither catch them nor see
	 * them, or its handlers would race aiod's. */
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	open_history();
	int err;
	repl.sigwinch = aio_signal_new(repl.loop->rt, SIGWINCH, on_winch, NULL,
				       AIO_SIGNAL_DEFAULT, &err);
	show_prompt();
}

void repl_start(lua_State *L, struct l_loop *loop, void (*ended)(void))
{
	lua_pushcfunction(L, push_local_engine);
	if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
		laio_report(L, "aiod: repl:", -1);
		lua_pop(L, 1);
		if (ended)
			ended();
		return;
	}
	repl_start_with(L, loop, ended);
}

void repl_start_with(lua_State *L, struct l_loop *loop, void (*ended)(void))
{
	if (repl.active) {
		lua_pop(L, 1);
		return;
	}
	repl.loop = loop;
	repl.ended = ended;
	if (!make_engine(L)) {
		if (ended)
			ended();
		return;
	}
	repl.active = 1;
	repl.eof = 0;
	aio_buf_init(&repl.input);
	/* SIGINT ignored when aiod started (a background job, nohup) stays so. */
	struct sigaction now;
	int err;
	if (sigaction(SIGINT, NULL, &now) == 0 && now.sa_handler != SIG_IGN)
		repl.sigint = aio_signal_new(loop->rt, SIGINT, on_interrupt, NULL,
					     AIO_SIGNAL_DEFAULT, &err);
	if (repl.sigint)
		chain_sigint();
	if (repl.tty)
		start_readline();
	listen_stdin();
}

void repl_stop(lua_State *L)
{
	if (!repl.active)
		return;
	repl.active = 0;
	pause_stdin();
	unchain_sigint();
	repl.entry = NULL;
	repl.hooked = 0;
	aio_signal_free(repl.sigint);
	aio_signal_free(repl.sigwinch);
	repl.sigint = repl.sigwinch = NULL;
	if (repl.tty)
		restore_terminal();
	aio_buf_destroy(&repl.input);
	call_engine(L, "close", 0, 0);
	luaL_unref(L, LUA_REGISTRYINDEX, repl.engine);
	repl.engine = LUA_NOREF;
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "aiod.repl.candidates");
	if (repl.ended)
		repl.ended();
}
