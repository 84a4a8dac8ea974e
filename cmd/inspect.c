/* inspect.c -- aiod ps, pstree, stack, stats and reload: the commands that look inside a running aiod */
#include "inspect.h"
#include "control_path.h"
#include "laio.h"
#include "repl.h"

#include <errno.h>
#include <limits.h>
#include <lualib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const char laio_inspect_lua[], laio_attach_lua[];
extern const unsigned laio_inspect_lua_size, laio_attach_lua_size;

/* aiod attach's ending, a Lua function, called when the front end ends. */
static lua_State *attach_state;
static int attach_on_end = LUA_NOREF;

static const char *const commands[] = {"ps", "pstree", "stack", "stats", "reload", "attach", NULL};

int inspect_is_command(const char *name)
{
	for (int i = 0; commands[i]; i++)
		if (strcmp(name, commands[i]) == 0)
			return 1;
	return 0;
}

/* /proc/PID/file's first size - 1 bytes into data, NUL-terminated: how
 * many (0 when it cannot be read). */
static size_t read_proc(long pid, const char *file, char *data, size_t size)
{
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/%ld/%s", pid, file);
	FILE *f = fopen(proc, "re");
	size_t n = f ? fread(data, 1, size - 1, f) : 0;
	if (f)
		fclose(f);
	data[n] = '\0';
	return n;
}

/* How proc_item matches an item of a NUL-separated /proc file. */
enum { ITEM_FLAG, ITEM_ARG, ITEM_ENV };

/*
 * In data (n bytes of a NUL-separated /proc file), the first item that is
 * key (ITEM_FLAG: returns it; ITEM_ARG: returns the item after it, the
 * option's value) or is key=value (ITEM_ENV: returns the value); NULL if
 * none.
 */
static const char *proc_item(const char *data, size_t n, const char *key, int how)
{
	size_t keylen = strlen(key);
	for (size_t at = 0; at < n; at += strlen(data + at) + 1) {
		const char *item = data + at;
		if (how == ITEM_ENV) {
			if (strncmp(item, key, keylen) == 0 && item[keylen] == '=')
				return item + keylen + 1;
		} else if (strcmp(item, key) == 0) {
			if (how == ITEM_FLAG)
				return item;
			return at + keylen + 1 < n ? item + keylen + 1 : NULL;
		}
	}
	return NULL;
}

/* The sockets that may be a process's, in the order control_paths gives
 * them (see there). */
#define CANDIDATES 6
struct candidates {
	char path[CANDIDATES][PATH_MAX];
	int n;
};

static void add_default(struct candidates *c, long pid, uid_t uid, const char *runtime_dir)
{
	if (aio_control_default_path(c->path[c->n], PATH_MAX, pid, uid, runtime_dir) == 0)
		c->n++;
}

/*
 * What the process itself was told, from its command line and environment
 * (only its owner and root may read them): the socket after "--control"
 * (relative to its working folder) and its XDG_RUNTIME_DIR. Fixed for the
 * process's life, so found once. Returns whether it was started with
 * --no-control, anywhere on its command line: a script's own argument of
 * that spelling only spares the wait for a young process's socket.
 */
static int find_candidates(long pid, struct candidates *c)
{
	char data[8192];
	c->n = 0;
	size_t n = read_proc(pid, "cmdline", data, sizeof data);
	const char *given = proc_item(data, n, "--control", ITEM_ARG);
	if (given) {
		if (given[0] == '/')
			snprintf(c->path[c->n++], PATH_MAX, "%s", given);
		else
			snprintf(c->path[c->n++], PATH_MAX, "/proc/%ld/cwd/%s", pid, given);
	}
	int no_control = proc_item(data, n, "--no-control", ITEM_FLAG) != NULL;
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/%ld", pid);
	struct stat st;
	uid_t owner = stat(proc, &st) == 0 ? st.st_uid : geteuid();
	n = read_proc(pid, "environ", data, sizeof data);
	const char *runtime_dir = proc_item(data, n, "XDG_RUNTIME_DIR", ITEM_ENV);
	if (runtime_dir && runtime_dir[0])
		add_default(c, pid, owner, runtime_dir);
	add_default(c, pid, geteuid(), getenv("XDG_RUNTIME_DIR"));
	add_default(c, pid, 0, NULL);
	char xdg[64];
	snprintf(xdg, sizeof xdg, "/run/user/%lu", (unsigned long)owner);
	add_default(c, pid, owner, xdg);
	add_default(c, pid, owner, NULL);
	return no_control;
}

/* [-0, +1] The table control_paths returns: the candidates that are
 * sockets now. */
static void push_sockets(lua_State *L, const struct candidates *c)
{
	lua_newtable(L);
	lua_Integer n = 0;
	for (int i = 0; i < c->n; i++) {
		struct stat st;
		if (lstat(c->path[i], &st) == 0 && S_ISSOCK(st.st_mode)) {
			lua_pushstring(L, c->path[i]);
			lua_rawseti(L, -2, ++n);
		}
	}
}

/* When process pid started, in seconds of CLOCK_BOOTTIME, from
 * /proc/PID/stat; -1 if unknown. */
static double process_start(long pid)
{
	char data[1024];
	read_proc(pid, "stat", data, sizeof data);
	/* starttime is field 22; the name (field 2) may hold anything. */
	char *at = strrchr(data, ')');
	for (int field = 3; at && field <= 22; field++)
		at = strchr(at + 1, ' ');
	return at ? strtod(at + 1, NULL) / (double)sysconf(_SC_CLK_TCK) : -1;
}

static double boot_time_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_BOOTTIME, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/*
 * aiod puts its default socket on disk once it has run
 * AIO_CONTROL_START_AFTER (control.h), so a process this young may not have
 * one yet: it is looked for again until then, with room for a slow start.
 */
#define YOUNG 1.0

/*
 * control_paths(pid) -> the sockets there that may be that process's: the
 * one its --control names, the default one its own XDG_RUNTIME_DIR gives
 * (a systemd unit's), then by the rules aiod opens them by: ours
 * ($XDG_RUNTIME_DIR), root's /run/aiod, those of the process's own user,
 * whom root may reach. For a process that has just started, waits for
 * one to appear.
 */
static int l_control_paths(lua_State *L)
{
	long pid = (long)luaL_checkinteger(L, 1);
	struct candidates c;
	int no_control = find_candidates(pid, &c);
	push_sockets(L, &c);
	if (lua_rawlen(L, -1) > 0 || no_control)
		return 1;
	double started = process_start(pid);
	while (started >= 0 && boot_time_now() - started < YOUNG) {
		struct timespec pause = {0, 5 * 1000 * 1000};
		nanosleep(&pause, NULL);
		lua_pop(L, 1);
		push_sockets(L, &c);
		if (lua_rawlen(L, -1) > 0 || (kill(pid, 0) < 0 && errno == ESRCH))
			break;
	}
	return 1;
}

/* pid_alive(pid) -> whether such a process exists (ours or not). */
static int l_pid_alive(lua_State *L)
{
	lua_Integer pid = luaL_checkinteger(L, 1);
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/%lld", (long long)pid);
	lua_pushboolean(L, pid > 0 && access(proc, F_OK) == 0);
	return 1;
}

/* load_attach(path, reader, writer, id, prompt, ended) -> attach.lua's
 * engine constructor for that session */
static int l_load_attach(lua_State *L)
{
	lua_settop(L, 6);
	if (luaL_loadbufferx(L, laio_attach_lua, laio_attach_lua_size, "=attach.lua", "b") != LUA_OK)
		return lua_error(L);
	lua_insert(L, 1);
	luaL_requiref(L, "asyncio", luaopen_asyncio, 0);
	lua_insert(L, 2);
	lua_call(L, 7, 1);
	return 1;
}

static void front_end_ended(void)
{
	lua_State *L = attach_state;
	lua_rawgeti(L, LUA_REGISTRYINDEX, attach_on_end);
	if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
		laio_report(L, "aiod attach:", -1);
		lua_pop(L, 1);
	}
}

/* start_front_end(constructor, on_end): the terminal's REPL, with the
 * engine the constructor makes; on_end() once it ends. */
static int l_start_front_end(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	struct l_loop *loop = laio_push_running_loop(L);
	lua_pop(L, 1);
	attach_state = loop->L;
	lua_pushvalue(L, 2);
	attach_on_end = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushvalue(L, 1);
	repl_start_with(L, loop, front_end_ended);
	return 0;
}

static int l_stop_front_end(lua_State *L)
{
	repl_stop(L);
	return 0;
}

static int run(lua_State *L)
{
	int argc = (int)lua_tointeger(L, 1);
	char **argv = lua_touserdata(L, 2);
	luaL_requiref(L, "asyncio", luaopen_asyncio, 1);
	lua_getfield(L, -1, "run");
	if (luaL_loadbufferx(L, laio_inspect_lua, laio_inspect_lua_size, "=inspect.lua", "b") != LUA_OK)
		return lua_error(L);
	lua_pushvalue(L, -3);
	lua_pushcfunction(L, l_control_paths);
	lua_pushcfunction(L, l_pid_alive);
	lua_createtable(L, argc - 1, 0);
	for (int i = 1; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i);
	}
	static const luaL_Reg attach[] = {
		{"load", l_load_attach}, {"start", l_start_front_end}, {"stop", l_stop_front_end},
		{NULL, NULL}
	};
	luaL_newlib(L, attach);
	lua_call(L, 6, 0);
	return 0;
}

int inspect_main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	/* Before the io library takes stdout: the prompt's guard (repl.h). */
	if (strcmp(argv[1], "attach") == 0)
		repl_prepare(1);
	lua_State *L = luaL_newstate();
	if (!L) {
		fprintf(stderr, "aiod: not enough memory\n");
		return 1;
	}
	luaL_openlibs(L);
	lua_pushcfunction(L, run);
	lua_pushinteger(L, argc);
	lua_pushlightuserdata(L, argv);
	int status = 0;
	if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
		fprintf(stderr, "aiod %s: %s\n", argv[1], luaL_tolstring(L, -1, NULL));
		status = 1;
	}
	lua_close(L);
	return status;
}
