/* check_process_util.h -- helpers the process unit tests share: spawning on the fixture loop, exits, outputs */
#ifndef CHECK_PROCESS_UTIL_H
#define CHECK_PROCESS_UTIL_H

#include "process.h"

#include <stddef.h>
#include <sys/types.h>

/* What a process's exit callback saw. */
struct exit_probe {
	struct aio_process *p;
	int calls;
	int status;
	int status_agrees;	/* aio_process_exited said the same in the callback */
};

#define PIPE_OUT ((struct aio_stdio){AIO_STDIO_PIPE, -1})
#define DEVNULL ((struct aio_stdio){AIO_STDIO_DEVNULL, -1})
#define FD_OF(fd) ((struct aio_stdio){AIO_STDIO_FD, fd})
#define TO_STDOUT ((struct aio_stdio){AIO_STDIO_STDOUT, -1})
#define ONLY_STDOUT {DEVNULL, PIPE_OUT, DEVNULL}

/* Sleeps ms milliseconds, whatever signals come. */
void sleep_ms(int ms);

/* The exit callback for spawns: records the exit in the exit_probe that is p's udata. */
void child_exited(struct aio_process *p, int status);

/* The descriptors open in this process. */
int fd_count(void);

/* A child of the fixture loop that must start; the probe records its exit. */
struct aio_process *spawn_ok(const struct aio_spawn *how, int pipes[3], struct exit_probe *e);

/* A child running argv (argv[0] a path), its stdio all /dev/null. */
struct aio_process *spawn_quiet(char *const *argv, struct exit_probe *e);

/* A child of target that must not start: returns the error, having checked
 * that no descriptor was left open. */
int spawn_error(struct aio_loop *target, const struct aio_spawn *how);

/* Turns the fixture loop until e's exit was reported, 1 s at most. */
void wait_exit(struct exit_probe *e);

/* Reads fd to its end, waiting up to a second for each piece, and closes
 * it; the text goes to out, NUL-ended. */
void read_all(int fd, char *out, size_t size);

/* read_all's text must be text. */
void expect_output(int fd, const char *text);

/* The child exited with code, or died by signal sig. */
void expect_exit_code(const struct exit_probe *e, int code);
void expect_killed(const struct exit_probe *e, int sig);

/* Waits for p to exit 0, then frees it. */
void expect_success(struct aio_process *p, struct exit_probe *e);

/* Runs how, whose stdout is a pipe, to its end: that pipe must read text
 * and the child exit 0. */
void expect_run(const struct aio_spawn *how, const char *text);

/* Whether pid is gone for good: reaped, not a zombie. Never reaps it. */
int reaped(pid_t pid);

#endif
