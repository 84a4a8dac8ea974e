/* check_process_util.c -- helpers the process unit tests share: spawning on the fixture loop, exits, outputs */
#include "check_process_util.h"
#include "check_util.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void child_exited(struct aio_process *p, int status)
{
	struct exit_probe *e = aio_process_udata(p);
	ck_assert_ptr_nonnull(e);
	ck_assert_msg(e->p == p, "an exit reported for a freed or foreign process");
	int seen = -1;
	e->calls++;
	e->status = status;
	e->status_agrees = aio_process_exited(p, &seen) == 1 && seen == status;
}

int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct aio_process *spawn_ok(const struct aio_spawn *how, int pipes[3], struct exit_probe *e)
{
	int err = 0;
	struct aio_process *p = aio_process_spawn(loop, how, pipes, child_exited, e, &err);
	ck_assert_msg(p != NULL, "aio_process_spawn(%s): %s", how->file, strerror(-err));
	ck_assert_int_gt(aio_process_pid(p), 0);
	ck_assert_ptr_eq(aio_process_udata(p), e);
	e->p = p;
	return p;
}

struct aio_process *spawn_quiet(char *const *argv, struct exit_probe *e)
{
	struct aio_spawn how = {.file = argv[0], .argv = argv, .stdio = {DEVNULL, DEVNULL, DEVNULL}};
	int pipes[3];
	return spawn_ok(&how, pipes, e);
}

int spawn_error(struct aio_loop *target, const struct aio_spawn *how)
{
	int before = fd_count();
	int pipes[3] = {-2, -2, -2}, err = 0;
	struct exit_probe e = {0};
	struct aio_process *p = aio_process_spawn(target, how, pipes, child_exited, &e, &err);
	ck_assert_ptr_null(p);
	ck_assert_int_lt(err, 0);
	ck_assert_int_eq(fd_count(), before);
	return err;
}

void wait_exit(struct exit_probe *e)
{
	RUN_UNTIL_WITHIN(500, e->calls > 0, );
	ck_assert_int_eq(e->calls, 1);
	ck_assert(e->status_agrees);
}

void read_all(int fd, char *out, size_t size)
{
	size_t len = 0;
	for (;;) {
		ck_assert_uint_lt(len, size - 1);
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
		ssize_t n = read(fd, out + len, size - 1 - len);
		if (n < 0 && errno == EAGAIN)
			continue;
		ck_assert_int_ge(n, 0);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	close(fd);
}

void expect_output(int fd, const char *text)
{
	char got[4096];
	read_all(fd, got, sizeof got);
	ck_assert_str_eq(got, text);
}

void expect_exit_code(const struct exit_probe *e, int code)
{
	ck_assert_msg(WIFEXITED(e->status) && WEXITSTATUS(e->status) == code,
		      "status 0x%x, expected exit code %d", e->status, code);
}

void expect_killed(const struct exit_probe *e, int sig)
{
	ck_assert_msg(WIFSIGNALED(e->status) && WTERMSIG(e->status) == sig,
		      "status 0x%x, expected death by signal %d", e->status, sig);
}

void expect_success(struct aio_process *p, struct exit_probe *e)
{
	wait_exit(e);
	expect_exit_code(e, 0);
	aio_process_free(p);
}

void expect_run(const struct aio_spawn *how, const char *text)
{
	int pipes[3];
	struct exit_probe e = {0};
	struct aio_process *p = spawn_ok(how, pipes, &e);
	expect_output(pipes[1], text);
	expect_success(p, &e);
}

int reaped(pid_t pid)
{
	siginfo_t info = {0};
	return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0 &&
	       errno == ECHILD;
}
