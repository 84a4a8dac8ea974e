/* process.h -- child processes: started with posix_spawn (no copy of a large parent), each reaped through its own pidfd */
#ifndef AIO_PROCESS_H
#define AIO_PROCESS_H

#include "loop.h"

#include <sys/types.h>

/* What a child's descriptor 0, 1 or 2 is. */
enum aio_stdio_kind {
	AIO_STDIO_INHERIT,	/* aiod's own */
	AIO_STDIO_PIPE,		/* a pipe to the parent; its parent end is returned */
	AIO_STDIO_DEVNULL,	/* /dev/null */
	AIO_STDIO_FD,		/* a descriptor of the parent's, given in fd */
	AIO_STDIO_STDOUT,	/* for 2 only: where 1 goes */
};

struct aio_stdio {
	enum aio_stdio_kind kind;
	int fd;
};

struct aio_spawn {
	const char *file;	/* run as is when it has a '/', else searched in PATH */
	char *const *argv;	/* argv[0] first, NULL-ended */
	char *const *envp;	/* the whole environment, NULL-ended; NULL: aiod's */
	const char *cwd;	/* NULL: aiod's */
	struct aio_stdio stdio[3];
	int new_session;	/* setsid(): a session and process group of its own */
	int set_pgroup;		/* setpgid(0, pgroup): pgroup 0 is a group of its own */
	pid_t pgroup;
	const int *pass_fds;	/* kept open in the child under their numbers (0-2: as stdio says) */
	size_t n_pass_fds;
};

struct aio_process;

/* Called from the ready queue once the child ended; status as waitpid's. */
typedef void (*aio_exit_fn)(struct aio_process *p, int status);

/*
 * Starts a child with only descriptors 0, 1, 2 and pass_fds open (every
 * other one is closed in the child, close-on-exec or not), every signal at its default
 * disposition and an empty signal mask. pipes[i] gets the parent's end
 * (close-on-exec, non-blocking) of descriptor i's pipe, or -1. The child is
 * watched from loop through a pidfd (any loop may watch children) and
 * reaped alone: children that aiod did not start (os.execute, io.popen) are
 * never reaped here. A running child does not hold the loop: an owner whose
 * task waits for it does. Returns NULL and sets *err to -errno when the
 * child cannot start: the program is missing or not executable, cwd does
 * not exist, a descriptor of pass_fds is not open (-EBADF), or no pidfd
 * can be had (the child is then killed and reaped); no descriptor is left
 * open then.
 */
struct aio_process *aio_process_spawn(struct aio_loop *loop, const struct aio_spawn *how,
				      int pipes[3], aio_exit_fn fn, void *udata, int *err);

/* The first descriptor of how->pass_fds that is not open, or -1. */
int aio_process_closed_fd(const struct aio_spawn *how);

pid_t aio_process_pid(const struct aio_process *p);
void *aio_process_udata(const struct aio_process *p);

/* Sends sig; 0, or -errno (-ESRCH once the child was reaped). */
int aio_process_kill(struct aio_process *p, int sig);

/*
 * Sends sig to all the child has started that can be reached: its whole
 * process group when the child leads one (started with new_session, or
 * set_pgroup with pgroup 0); else the child and, while it runs, the
 * descendants it has at this moment (a shell's commands), parents first.
 * A group is signalled only while its leader is unreaped (a held child
 * that ended included): -ESRCH after. A descendant that left the tree (a
 * daemon's double fork) is not reached, nor what it started.
 */
int aio_process_kill_tree(struct aio_process *p, int sig);

/*
 * Holds the child's reaping: once it ends, its exit is reported as usual
 * but it stays a zombie, so that its pid, and the id of the group it
 * leads, are nobody else's while the owner may still signal that group.
 * aio_process_release lets go: an ended child is reaped at once, a
 * running one when it ends. Both do nothing once the loop went away.
 */
void aio_process_hold(struct aio_process *p);
void aio_process_release(struct aio_process *p);

/* Whether the child ended and its status (as waitpid's) when it did. */
int aio_process_exited(const struct aio_process *p, int *status);

/*
 * Frees p; fn is not called after. A child still running goes on and is
 * reaped (and p freed) when it ends; once the loop went away, it is left
 * unreaped (a zombie until aiod exits). After the loop went away, this only frees.
 */
void aio_process_free(struct aio_process *p);

#endif
