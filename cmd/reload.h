/* reload.h -- the program's side of hot reload: loading daemon.lua's controller when needed, SIGHUP, readiness */
#ifndef AIOD_RELOAD_H
#define AIOD_RELOAD_H

#include <limits.h>
#include <lua.h>

/* The command line, parsed by aiod.c. */
struct options {
	int script;		/* index of the script in argv, 0 if none */
	int check;
	int debug;
	int watch;
	int no_reload;
	int e_chunks;		/* how many -e options */
	const char *pidfile;
	const char *control;	/* --control PATH; NULL: the default path */
	int no_control;
	const char *log_level;
	double grace;
	double ready_timeout;
	const char *script_path;	/* NULL with no script (-e only) */
	char script_dir[PATH_MAX];	/* absolute: modules from it load anew on reload */
};

extern struct options opts;

/*
 * [-0, +0] Readies the controller's loading: keeps the main task at
 * task (the caller need not) and the nargs script arguments from index
 * first, installs require "aiod" and internals.became_service, and loads
 * the controller at once for --watch.
 */
void reload_setup(lua_State *L, int task, int first, int nargs);

/* [-0, +0] SIGHUP: asks for a reload (loading the controller); errors are
 * reported, never raised. */
void reload_request(lua_State *L);

/* Generation 1 is ready: READY=1 (with a STATUS= line) to systemd, once. */
void reload_generation_one_ready(lua_State *L);

/* Whether the script has become a service: started a server (or a datagram
 * endpoint), or called aiod.ready() or serve_forever(). */
int reload_is_service(void);
/* 0-3 for "debug", "info", "warn", "error"; -1 for anything else. */
int reload_log_rank(const char *level);

/* Whether SIGHUP is a reload now (a service with a script, or --watch,
 * never with --no-reload), rather than a graceful stop. */
int reload_hup_reloads(void);

/* [-0, +(0|1)] Pushes the main task of the generation serving now and
 * returns 1 (0 if the controller failed to say). Only it is kept: an ended
 * generation's main task, and what its chunk returned, are let go. */
int reload_push_main_task(lua_State *L);

#endif
