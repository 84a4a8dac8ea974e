/* process.c -- child processes: started with posix_spawn (no copy of a large parent), each reaped through its own pidfd */
#define _GNU_SOURCE	/* posix_spawn_file_actions_addchdir_np, _addclosefrom_np, pipe2 */
#include "process.h"

#include <dirent.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/*
 * Each child is watched through a pidfd, readable once it ended, and
 * reaped by waitid on that pidfd alone: a SIGCHLD handler that reaps
 * whatever ended (libev's default loop does, with waitpid(-1)) would also
 * take the children of os.execute, io.popen and C libraries, whose own
 * waitpid then fails with ECHILD.
 */
struct aio_process {
	ev_io watcher;		/* on pidfd */
	struct aio_call call;	/* reports the exit from the ready queue */
	struct aio_resource res;
	struct aio_loop *loop;	/* NULL once the loop went away */
	aio_exit_fn fn;		/* NULL once the owner let go: reap, then free */
	void *udata;
	pid_t pid;
	int pidfd;		/* -1 once the child was reaped */
	int status;
	int exited;
	int leads_group;	/* its pid is its process group's id */
	int held;		/* once ended, left a zombie: see aio_process_hold */
};

static void report_exit(struct aio_call *call)
{
	struct aio_process *p = aio_container_of(call, struct aio_process, call);
	p->fn(p, p->status);
}

/* The status as waitpid gives it, from waitid's siginfo, so that owners
 * read it with WIFEXITED and the like (Linux's encoding). */
static int wait_status(const siginfo_t *info)
{
	switch (info->si_code) {
	case CLD_EXITED:
		return (info->si_status & 0xff) << 8;
	case CLD_DUMPED:
		return (info->si_status & 0x7f) | 0x80;
	default:
		return info->si_status & 0x7f;
	}
}

static void close_pidfd(struct aio_process *p)
{
	if (p->pidfd < 0)
		return;
	if (p->loop)
		ev_io_stop(aio_loop_ev(p->loop), &p->watcher);
	close(p->pidfd);
	p->pidfd = -1;
}

static void stop(struct aio_process *p)
{
	close_pidfd(p);
	aio_call_cancel(&p->call);
	aio_loop_untrack(&p->res);
}

/* Reaps a child that ended (a held one's zombie); ECHILD: someone else did. */
static void reap(struct aio_process *p)
{
	siginfo_t info;
	while (waitid(P_PIDFD, (id_t)p->pidfd, &info, WEXITED | WNOHANG) < 0 && errno == EINTR)
		;
	close_pidfd(p);
}

static void pidfd_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct aio_process *p = aio_container_of(w, struct aio_process, watcher);
	siginfo_t info;
	(void)revents;
	memset(&info, 0, sizeof info);
	int r = waitid(P_PIDFD, (id_t)p->pidfd, &info, WEXITED | WNOHANG | (p->held ? WNOWAIT : 0));
	if ((r < 0 && errno == EINTR) || (r == 0 && info.si_pid == 0))
		return;	/* not reapable yet: wait for the next event */
	/* Failed (ECHILD): someone else reaped it, a waitpid(-1) of a
	 * library; its status is lost, and it counts as exit 255, as in
	 * Python's PidfdChildWatcher. */
	p->status = r == 0 ? wait_status(&info) : 255 << 8;
	p->exited = 1;
	if (r == 0 && p->held)
		ev_io_stop(ev, &p->watcher);	/* the zombie keeps the pidfd readable */
	else
		close_pidfd(p);
	if (p->fn) {
		aio_call_soon(p->loop, &p->call, report_exit);
	} else {
		stop(p);
		free(p);
	}
}

/* The loop closes: a child still running is left to go on (a zombie once
 * it ends, until aiod exits); a process its owner let go is freed. */
static void loop_gone(struct aio_resource *res)
{
	struct aio_process *p = aio_container_of(res, struct aio_process, res);
	stop(p);
	p->loop = NULL;
	if (!p->fn)
		free(p);
}

static void close_pipes(int fds[3][2])
{
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			if (fds[i][j] >= 0)
				close(fds[i][j]);
}

/*
 * The child's 0, 1, 2 are set in that order, so a source that is itself
 * 0, 1 or 2 could be overwritten before it is copied: move it above 2
 * first (as Python's _posixsubprocess does). *fd is replaced; the copy
 * goes into moved for closing. 0 or -errno.
 */
static int above_stdio(int *fd, int *moved)
{
	if (*fd > 2)
		return 0;
	int copy = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (copy < 0)
		return -errno;
	*moved = *fd = copy;
	return 0;
}

/* The file actions that give the child its descriptors 0, 1, 2; pipes made
 * into fds (child's end at [i][i == 0 ? 0 : 1]), copies into moved. */
static int stdio_actions(posix_spawn_file_actions_t *fa, const struct aio_spawn *how,
			 int fds[3][2], int moved[3])
{
	int r = 0;
	for (int i = 0; i < 3; i++) {
		if (how->stdio[i].kind != AIO_STDIO_PIPE)
			continue;
		if (pipe2(fds[i], O_CLOEXEC) < 0)
			return -errno;
		/* Both ends: the parent's must not land on 0-2 either, where a
		 * later action of the child would replace it. */
		for (int j = 0; j < 2; j++) {
			int old = fds[i][j], unused = -1;
			if ((r = above_stdio(&fds[i][j], &unused)) < 0)
				return r;
			if (fds[i][j] != old)
				close(old);
		}
	}
	for (int i = 0; i < 3 && r == 0; i++) {
		const struct aio_stdio *s = &how->stdio[i];
		int src = s->fd;
		switch (s->kind) {
		case AIO_STDIO_INHERIT:
			break;
		case AIO_STDIO_PIPE:
			r = posix_spawn_file_actions_adddup2(fa, fds[i][i == 0 ? 0 : 1], i);
			break;
		case AIO_STDIO_DEVNULL:
			r = posix_spawn_file_actions_addopen(fa, i, "/dev/null",
							     i == 0 ? O_RDONLY : O_WRONLY, 0);
			break;
		case AIO_STDIO_FD:
			if (fcntl(src, F_GETFD) < 0)
				return -errno;
			if (src != i && (r = above_stdio(&src, &moved[i])) < 0)
				return r;
			r = posix_spawn_file_actions_adddup2(fa, src, i);
			break;
		case AIO_STDIO_STDOUT:
			r = i == 2 ? posix_spawn_file_actions_adddup2(fa, 1, 2) : EINVAL;
			break;
		}
	}
	return -r;
}

/*
 * glibc's sigfillset leaves out its two internal signals (32 and 33, for
 * thread cancellation and setxid), and its posix_spawn sets those to
 * SIG_IGN in the child unless they are in the default set: they then
 * stay ignored across exec, in every program the child runs (SigIgn:
 * 0000000180000000). sigaddset refuses them, so their bits are set in
 * the set posix_spawn copies; its child code tests them with its own
 * unchecked sigismember and gives them SIG_DFL.
 */
static void add_internal_signals(sigset_t *set)
{
	unsigned long *bits = (unsigned long *)set;
	for (int sig = 32; sig <= 33 && sig < SIGRTMIN; sig++)
		bits[(sig - 1) / (8 * sizeof *bits)] |= 1UL << ((sig - 1) % (8 * sizeof *bits));
}

static int compare_fds(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/*
 * Keeps pass_fds open in the child and closes every other descriptor
 * above 2. dup2(fd, fd) clears fd's close-on-exec flag in the child
 * (glibc 2.29 on, as POSIX issue 8 asks) and fails there with EBADF when
 * fd is not open, which posix_spawn then returns. The gaps between them
 * are closed one by one (glibc ignores EBADF there), the rest by
 * closefrom.
 */
static int pass_fd_actions(posix_spawn_file_actions_t *fa, const struct aio_spawn *how)
{
	int *fds = NULL, r = 0, next = 3;
	if (how->n_pass_fds) {
		fds = malloc(how->n_pass_fds * sizeof *fds);
		if (!fds)
			return ENOMEM;
		memcpy(fds, how->pass_fds, how->n_pass_fds * sizeof *fds);
		qsort(fds, how->n_pass_fds, sizeof *fds, compare_fds);
	}
	for (size_t i = 0; i < how->n_pass_fds && r == 0; i++) {
		if (fds[i] < next)
			continue;	/* 0-2, or given twice */
		while (next < fds[i] && r == 0)
			r = posix_spawn_file_actions_addclose(fa, next++);
		if (r == 0)
			r = posix_spawn_file_actions_adddup2(fa, fds[i], fds[i]);
		next = fds[i] + 1;
	}
	free(fds);
	return r ? r : posix_spawn_file_actions_addclosefrom_np(fa, next);
}

int aio_process_closed_fd(const struct aio_spawn *how)
{
	for (size_t i = 0; i < how->n_pass_fds; i++)
		if (how->pass_fds[i] > 2 && fcntl(how->pass_fds[i], F_GETFD) < 0)
			return how->pass_fds[i];
	return -1;
}

static int start(const struct aio_spawn *how, int fds[3][2], int moved[3], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	/* Before the pipes are made: one of them could take a closed
	 * descriptor's number and slip into the child under it. */
	if (aio_process_closed_fd(how) >= 0)
		return -EBADF;
	int r = posix_spawn_file_actions_init(&fa);
	if (r)
		return -r;
	r = posix_spawnattr_init(&attr);
	if (r) {
		posix_spawn_file_actions_destroy(&fa);
		return -r;
	}
	sigfillset(&all);
	add_internal_signals(&all);
	sigemptyset(&none);
	r = -stdio_actions(&fa, how, fds, moved);
	if (r == 0 && how->cwd)
		r = posix_spawn_file_actions_addchdir_np(&fa, how->cwd);
	if (r == 0)
		r = pass_fd_actions(&fa, how);
	if (r == 0)
		r = posix_spawnattr_setsigdefault(&attr, &all);
	if (r == 0)
		r = posix_spawnattr_setsigmask(&attr, &none);
	short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
	if (how->new_session)
		flags |= POSIX_SPAWN_SETSID;
	if (how->set_pgroup) {
		flags |= POSIX_SPAWN_SETPGROUP;
		if (r == 0)
			r = posix_spawnattr_setpgroup(&attr, how->pgroup);
	}
	if (r == 0)
		r = posix_spawnattr_setflags(&attr, flags);
	if (r == 0) {
		char *const *envp = how->envp ? how->envp : environ;
		r = strchr(how->file, '/')
			? posix_spawn(pid, how->file, &fa, &attr, how->argv, envp)
			: posix_spawnp(pid, how->file, &fa, &attr, how->argv, envp);
	}
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

struct aio_process *aio_process_spawn(struct aio_loop *loop, const struct aio_spawn *how,
				      int pipes[3], aio_exit_fn fn, void *udata, int *err)
{
	int fds[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
	struct aio_process *p = calloc(1, sizeof *p);
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	pid_t pid;
	int moved[3] = {-1, -1, -1};
	int r = start(how, fds, moved, &pid);
	for (int i = 0; i < 3; i++)
		if (moved[i] >= 0)
			close(moved[i]);
	/* The child is a zombie at worst, not reaped by anyone else: its
	 * pidfd can be had even if it has ended already. */
	int pidfd = r < 0 ? -1 : pidfd_open(pid, 0);
	if (r == 0 && pidfd < 0) {
		r = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (r < 0) {
		close_pipes(fds);
		free(p);
		*err = r;
		return NULL;
	}
	for (int i = 0; i < 3; i++) {
		int mine = fds[i][i == 0 ? 1 : 0];
		if (fds[i][0] >= 0) {
			close(fds[i][i == 0 ? 0 : 1]);
			fcntl(mine, F_SETFL, fcntl(mine, F_GETFL) | O_NONBLOCK);
		}
		pipes[i] = fds[i][0] >= 0 ? mine : -1;
	}
	p->loop = loop;
	p->fn = fn;
	p->udata = udata;
	p->pid = pid;
	p->pidfd = pidfd;
	p->leads_group = how->new_session || (how->set_pgroup && how->pgroup == 0);
	ev_io_init(&p->watcher, pidfd_cb, pidfd, EV_READ);
	ev_io_start(aio_loop_ev(loop), &p->watcher);
	aio_loop_track(loop, &p->res, loop_gone);
	return p;
}

pid_t aio_process_pid(const struct aio_process *p)
{
	return p->pid;
}

void *aio_process_udata(const struct aio_process *p)
{
	return p->udata;
}

int aio_process_kill(struct aio_process *p, int sig)
{
	/* Through the pidfd: the pid may be another process's once reaped. */
	if (p->exited || p->pidfd < 0)
		return -ESRCH;
	return pidfd_send_signal(p->pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

/* The parent of process pid, from /proc/PID/stat; -1 if unknown. */
static pid_t parent_of(pid_t pid)
{
	char path[64], data[512];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, data, sizeof data - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	data[n] = '\0';
	/* "pid (name) state ppid": the name may hold anything. */
	char *at = strrchr(data, ')');
	return at && at[1] == ' ' && at[2] && at[3] == ' ' ? (pid_t)atol(at + 4) : -1;
}

/* The descendants found, as pidfds, parents before their children. */
struct tree {
	int *fds;
	size_t len, cap;
};

#define TREE_DEPTH 32	/* deeper descendants are left alone */
#define TREE_MAX 4096	/* and so are more than these */

/*
 * Adds what pid has started to tree, each child followed by its own
 * descendants, read from each thread's /proc/PID/task/TID/children. A
 * number read there may be another process's by the time it is used: each
 * is opened as a pidfd and kept only if its parent is still pid, so the
 * pidfd is the process that was read, and stays it whatever ends first.
 */
static void find_descendants(pid_t pid, int depth, struct tree *tree)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
	DIR *tasks = depth < TREE_DEPTH ? opendir(path) : NULL;
	if (!tasks)
		return;
	for (struct dirent *task; (task = readdir(tasks)) && tree->len < TREE_MAX;) {
		if (task->d_name[0] == '.')
			continue;
		char file[sizeof path + sizeof task->d_name + 16];
		snprintf(file, sizeof file, "%s/%s/children", path, task->d_name);
		FILE *children = fopen(file, "re");
		if (!children)
			continue;
		for (long child; tree->len < TREE_MAX && fscanf(children, "%ld", &child) == 1;) {
			if (tree->len == tree->cap) {
				size_t cap = tree->cap ? 2 * tree->cap : 16;
				int *fds = realloc(tree->fds, cap * sizeof *fds);
				if (!fds)
					break;
				tree->fds = fds;
				tree->cap = cap;
			}
			int fd = pidfd_open((pid_t)child, 0);
			if (fd >= 0 && parent_of((pid_t)child) != pid) {
				close(fd);
				fd = -1;
			}
			if (fd >= 0) {
				tree->fds[tree->len++] = fd;
				find_descendants((pid_t)child, depth + 1, tree);
			}
		}
		fclose(children);
	}
	closedir(tasks);
}

/*
 * Why kill(-pid) is safe here: Linux gives a new process no number that a
 * live process, process group or session still uses, so while the leader
 * is unreaped (a zombie at worst) its pid is the group's and no one
 * else's. Once it is reaped, the number stays reserved only while a member
 * of its group lives; after the last one it may go to a newcomer that
 * leads a group of its own, which a late kill(-pid) would hit. Hence a
 * leader is held (aio_process_hold) while its group may still be
 * signalled, and never signalled as a group once reaped.
 */
int aio_process_kill_tree(struct aio_process *p, int sig)
{
	if (!p->leads_group) {
		/* Found first, then signalled from the top: a shell stopped
		 * before its commands runs no further one meanwhile. */
		struct tree tree = {0};
		if (!p->exited && p->pidfd >= 0)
			find_descendants(p->pid, 0, &tree);
		int r = aio_process_kill(p, sig);
		for (size_t i = 0; i < tree.len; i++) {
			pidfd_send_signal(tree.fds[i], sig, NULL, 0);
			close(tree.fds[i]);
		}
		free(tree.fds);
		return r;
	}
	if (p->pidfd < 0)
		return -ESRCH;
	return kill(-p->pid, sig) < 0 ? -errno : 0;
}

void aio_process_hold(struct aio_process *p)
{
	if (p->loop)
		p->held = 1;
}

void aio_process_release(struct aio_process *p)
{
	p->held = 0;
	if (p->exited && p->pidfd >= 0)
		reap(p);
}

int aio_process_exited(const struct aio_process *p, int *status)
{
	if (p->exited && status)
		*status = p->status;
	return p->exited;
}

void aio_process_free(struct aio_process *p)
{
	if (p->loop && !p->exited) {
		/* Still running: reaped when it ends, then freed. */
		p->fn = NULL;
		p->held = 0;
		return;
	}
	if (p->loop) {
		aio_process_release(p);
		stop(p);
	}
	free(p);
}
