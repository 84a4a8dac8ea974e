/* check_process.c -- Check tests for runtime/process.c: exits, options, errors, stdio, the child's state, free (pass_fds and held children: check_process_stop.c) */
#define _GNU_SOURCE /* pipe2 */
#include "check_runtime.h"
#include "check_process_util.h"
#include "check_util.h"
#include "process.h"

/* Only to poll libev without running the queue; nothing else uses it. */
#include <ev.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Polls libev, never running the ready queue, until it saw p end. */
static void poll_until_exited(struct aio_process *p)
{
	for (int i = 0; !aio_process_exited(p, NULL); i++) {
		ck_assert_int_lt(i, 1000);
		sleep_ms(1);
		ev_run(aio_loop_ev(loop), EVRUN_NOWAIT);
	}
}

/* core */

START_TEST(test_process_echo_stdout_pipe)
{
	char *const argv[] = {"echo", "hello", "world", NULL};
	struct aio_spawn how = {.file = "/bin/echo", .argv = argv, .stdio = ONLY_STDOUT};
	int pipes[3] = {-2, -2, -2};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_ok(&how, pipes, &e);
	ck_assert_int_eq(pipes[0], -1);
	ck_assert_int_eq(pipes[2], -1);
	ck_assert_int_ge(pipes[1], 0);
	check_fd_flags(pipes[1]);
	ck_assert_int_eq(aio_process_exited(p, NULL), 0);
	expect_output(pipes[1], "hello world\n");
	expect_success(p, &e);
}
END_TEST

START_TEST(test_process_exit_code)
{
	char *const argv[] = {"/bin/sh", "-c", "exit 3", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	wait_exit(&e);
	expect_exit_code(&e, 3);
	int status = -1;
	ck_assert_int_eq(aio_process_exited(p, &status), 1);
	ck_assert_int_eq(status, e.status);
	aio_process_free(p);
}
END_TEST

START_TEST(test_process_killed_by_signal)
{
	char *const argv[] = {"/bin/sleep", "10", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	ck_assert_int_eq(aio_process_kill(p, SIGTERM), 0);
	wait_exit(&e);
	expect_killed(&e, SIGTERM);
	aio_process_free(p);
}
END_TEST

START_TEST(test_process_kill_after_reaped)
{
	char *const argv[] = {"/bin/true", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	wait_exit(&e);
	ck_assert(reaped(aio_process_pid(p)));
	ck_assert_int_eq(aio_process_kill(p, SIGTERM), -ESRCH);
	ck_assert_int_eq(aio_process_kill(p, 0), -ESRCH);
	aio_process_free(p);
}
END_TEST

/* libev notices the exit while it polls; the callback waits for the
 * ready queue, which holds the loop until it ran. */
START_TEST(test_process_exit_from_ready_queue)
{
	char *const argv[] = {"/bin/true", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	poll_until_exited(p);
	ck_assert_int_eq(e.calls, 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(e.calls, 1);
	ck_assert(e.status_agrees);
	expect_exit_code(&e, 0);
	aio_process_free(p);
}
END_TEST

/* Stopped and continued, a child has not ended: only its death is told. */
START_TEST(test_process_stop_is_not_exit)
{
	char *const argv[] = {"/bin/sleep", "10", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	pid_t pid = aio_process_pid(p);
	ck_assert_int_eq(aio_process_kill(p, SIGSTOP), 0);
	siginfo_t info = {0};
	for (int i = 0; info.si_pid != pid; i++) {
		ck_assert_int_lt(i, 1000);
		sleep_ms(1);
		ck_assert_int_eq(waitid(P_PID, (id_t)pid, &info, WSTOPPED | WNOHANG | WNOWAIT), 0);
	}
	turns(5);
	ck_assert_int_eq(aio_process_kill(p, SIGCONT), 0);
	turns(5);
	ck_assert_int_eq(e.calls, 0);
	ck_assert_int_eq(aio_process_exited(p, NULL), 0);
	ck_assert_int_eq(aio_process_kill(p, SIGKILL), 0);
	wait_exit(&e);
	expect_killed(&e, SIGKILL);
	turns(3);
	ck_assert_int_eq(e.calls, 1);
	aio_process_free(p);
}
END_TEST

/* Each of several children gets its own status, through its own udata. */
START_TEST(test_process_several_children)
{
	char *const argv[3][4] = {
		{"/bin/sh", "-c", "exit 5", NULL},
		{"/bin/sh", "-c", "exit 0", NULL},
		{"/bin/sh", "-c", "sleep 0.01; exit 7", NULL},
	};
	const int codes[3] = {5, 0, 7};
	struct exit_probe e[3] = {{0}};
	struct aio_process *p[3];
	for (int i = 0; i < 3; i++)
		p[i] = spawn_quiet(argv[i], &e[i]);
	RUN_UNTIL_WITHIN(500, e[0].calls && e[1].calls && e[2].calls, );
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(e[i].calls, 1);
		expect_exit_code(&e[i], codes[i]);
		aio_process_free(p[i]);
	}
}
END_TEST

/* A running child does not keep the loop alive; held by the test, the
 * loop sleeps until the child's exit wakes it. */
START_TEST(test_process_held_loop_waits_for_exit)
{
	char *const argv[] = {"/bin/sleep", "0.05", NULL};
	struct exit_probe e = {0};
	double start = aio_loop_time(loop);
	struct aio_process *p = spawn_quiet(argv, &e);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	double before = aio_loop_time(loop);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_double_lt(aio_loop_time(loop) - before, 0.04);
	aio_loop_hold(loop);
	int taken = 0;
	while (e.calls == 0) {
		aio_loop_run_once(loop);
		ck_assert_int_lt(++taken, 10);
	}
	aio_loop_release(loop);
	ck_assert_double_ge(aio_loop_time(loop) - start, 0.045);
	expect_exit_code(&e, 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_process_free(p);
}
END_TEST

/* options */

START_TEST(test_process_path_search)
{
	char *const argv[] = {"echo", "found", NULL};
	struct aio_spawn how = {.file = "echo", .argv = argv, .stdio = ONLY_STDOUT};
	expect_run(&how, "found\n");
}
END_TEST

/* The child has the environment it was given and nothing of ours. */
START_TEST(test_process_envp_is_whole_environment)
{
	ck_assert_int_eq(setenv("CHECK_PROCESS_PARENT_ONLY", "1", 1), 0);
	char *const argv[] = {"env", NULL};
	char *const envp[] = {"ALPHA=1", "BETA=two words", NULL};
	struct aio_spawn how = {.file = "/usr/bin/env", .argv = argv, .envp = envp,
				.stdio = ONLY_STDOUT};
	expect_run(&how, "ALPHA=1\nBETA=two words\n");
}
END_TEST

START_TEST(test_process_cwd)
{
	char dir[TEMP_DIR_SIZE], real[PATH_MAX], expect[PATH_MAX + 2];
	temp_dir_make(dir, "check_process");
	ck_assert_ptr_nonnull(realpath(dir, real));
	snprintf(expect, sizeof expect, "%s\n", real);
	char *const argv[] = {"pwd", NULL};
	struct aio_spawn how = {.file = "/bin/pwd", .argv = argv, .cwd = dir, .stdio = ONLY_STDOUT};
	expect_run(&how, expect);
	temp_dir_remove(dir);
}
END_TEST

/* errors: each leaves no descriptor open, pipes asked for or not */

#define ALL_PIPES {PIPE_OUT, PIPE_OUT, PIPE_OUT}

/* Missing by path or in PATH; the descriptors are checked with pipes and
 * without. */
START_TEST(test_process_missing_program)
{
	char *const argv[] = {"check-process-no-such-program", NULL};
	struct aio_spawn how = {.file = "/nonexistent/check_process/missing", .argv = argv,
				.stdio = ALL_PIPES};
	ck_assert_int_eq(spawn_error(loop, &how), -ENOENT);
	how.file = argv[0];
	ck_assert_int_eq(spawn_error(loop, &how), -ENOENT);
	how.stdio[0] = how.stdio[1] = how.stdio[2] = DEVNULL;
	ck_assert_int_eq(spawn_error(loop, &how), -ENOENT);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

START_TEST(test_process_missing_cwd)
{
	char *const argv[] = {"true", NULL};
	struct aio_spawn how = {.file = "/bin/true", .argv = argv,
				.cwd = "/nonexistent/check_process", .stdio = ALL_PIPES};
	ck_assert_int_eq(spawn_error(loop, &how), -ENOENT);
}
END_TEST

START_TEST(test_process_not_executable)
{
	char dir[TEMP_DIR_SIZE], path[TEMP_DIR_SIZE + 16];
	temp_dir_make(dir, "check_process");
	snprintf(path, sizeof path, "%s/script", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	char *const argv[] = {"script", NULL};
	struct aio_spawn how = {.file = path, .argv = argv, .stdio = ALL_PIPES};
	ck_assert_int_eq(spawn_error(loop, &how), -EACCES);
	temp_dir_remove(dir);
}
END_TEST

/* A descriptor to give that is not open (far above what a pipe would
 * take), and AIO_STDIO_STDOUT for other than stderr; the stdin pipe made
 * before either is closed again. */
START_TEST(test_process_bad_stdio)
{
	ck_assert_int_eq(fcntl(900, F_GETFD), -1);
	char *const argv[] = {"true", NULL};
	struct aio_spawn how = {.file = "/bin/true", .argv = argv,
				.stdio = {PIPE_OUT, FD_OF(900), DEVNULL}};
	ck_assert_int_eq(spawn_error(loop, &how), -EBADF);
	how.stdio[1] = TO_STDOUT;
	ck_assert_int_eq(spawn_error(loop, &how), -EINVAL);
}
END_TEST

/* A child reaped behind the loop's back (a waitpid(-1) of a library) is
 * still reported, as exit 255 (its status is lost), as Python does. */
START_TEST(test_process_reaped_by_someone_else)
{
	char *const argv[] = {"/bin/sh", "-c", "exit 3", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	int status;
	ck_assert_int_eq(waitpid(aio_process_pid(p), &status, 0), aio_process_pid(p));
	wait_exit(&e);
	expect_exit_code(&e, 255);
	aio_process_free(p);
}
END_TEST

/* Any loop may watch children, not only the first one made. */
START_TEST(test_process_second_loop)
{
	struct aio_loop *second = loop_make();
	char *const argv[] = {"/bin/sh", "-c", "exit 6", NULL};
	struct aio_spawn how = {.file = argv[0], .argv = argv, .stdio = {DEVNULL, DEVNULL, DEVNULL}};
	struct exit_probe e = {0};
	int pipes[3], err = 0;
	e.p = aio_process_spawn(second, &how, pipes, child_exited, &e, &err);
	ck_assert_ptr_nonnull(e.p);
	for (int i = 0; e.calls == 0; i++) {
		ck_assert_int_lt(i, 1000);
		sleep_ms(1);
		aio_loop_run_once(second);
	}
	expect_exit_code(&e, 6);
	aio_process_free(e.p);
	aio_loop_free(second);
}
END_TEST

/*
 * Regression: a child this process started without aio_process_spawn (as
 * os.execute and io.popen do) is never reaped by the loop, even while the
 * loop reaps its own children; its owner's waitpid gets its status. libev's
 * default loop reaped every child on SIGCHLD.
 */
START_TEST(test_process_foreign_child_not_reaped)
{
	pid_t foreign = fork();
	ck_assert_int_ge(foreign, 0);
	if (foreign == 0)
		_exit(4);
	siginfo_t info = {0};
	ck_assert_int_eq(waitid(P_PID, (id_t)foreign, &info, WEXITED | WNOWAIT), 0);
	char *const argv[] = {"/bin/true", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	wait_exit(&e);
	turns(3);
	aio_process_free(p);
	int status = 0;
	ck_assert_int_eq(waitpid(foreign, &status, 0), foreign);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 4);
}
END_TEST

/* stdio */

/* /bin/sh -c script with stdio as given; its stdout comes back through a
 * pipe of the test's unless stdio[1] says otherwise. */
static struct aio_process *shell(const char *script, struct aio_stdio in, struct aio_stdio out,
				 struct aio_stdio err, int pipes[3], struct exit_probe *e)
{
	char *const argv[] = {"sh", "-c", (char *)script, NULL};
	struct aio_spawn how = {.file = "/bin/sh", .argv = argv, .stdio = {in, out, err}};
	return spawn_ok(&how, pipes, e);
}

START_TEST(test_process_stdio_devnull)
{
	int pipes[3];
	struct exit_probe e = {0};
	struct aio_process *p = shell("readlink /proc/self/fd/0 /proc/self/fd/2",
				      DEVNULL, PIPE_OUT, DEVNULL, pipes, &e);
	ck_assert_int_eq(pipes[0], -1);
	ck_assert_int_eq(pipes[2], -1);
	expect_output(pipes[1], "/dev/null\n/dev/null\n");
	expect_success(p, &e);

	/* stdout to /dev/null: the shell, still there, says so on its stderr. */
	struct exit_probe e2 = {0};
	p = shell("out=$(readlink /proc/$$/fd/1); echo \"$out\" >&2",
		  DEVNULL, DEVNULL, PIPE_OUT, pipes, &e2);
	ck_assert_int_eq(pipes[1], -1);
	check_fd_flags(pipes[2]);
	expect_output(pipes[2], "/dev/null\n");
	expect_success(p, &e2);
}
END_TEST

/* A pipe of the test's own as the child's stdout; the test's end stays
 * open and its own. */
START_TEST(test_process_stdio_fd)
{
	int own[2];
	ck_assert_int_eq(pipe2(own, O_CLOEXEC), 0);
	int pipes[3];
	struct exit_probe e = {0};
	struct aio_process *p = shell("echo through", DEVNULL, FD_OF(own[1]), DEVNULL,
				      pipes, &e);
	ck_assert_int_eq(pipes[0], -1);
	ck_assert_int_eq(pipes[1], -1);
	ck_assert_int_eq(pipes[2], -1);
	ck_assert_int_eq(fcntl(own[1], F_GETFD), FD_CLOEXEC);
	close(own[1]);
	expect_output(own[0], "through\n");
	expect_success(p, &e);
}
END_TEST

START_TEST(test_process_stderr_to_stdout)
{
	int pipes[3];
	struct exit_probe e = {0};
	struct aio_process *p = shell("echo out; echo err >&2", DEVNULL, PIPE_OUT, TO_STDOUT,
				      pipes, &e);
	ck_assert_int_eq(pipes[2], -1);
	expect_output(pipes[1], "out\nerr\n");
	expect_success(p, &e);
}
END_TEST

START_TEST(test_process_stdin_pipe)
{
	char *const argv[] = {"cat", NULL};
	struct aio_spawn how = {.file = "/bin/cat", .argv = argv, .stdio = {PIPE_OUT, PIPE_OUT, DEVNULL}};
	int pipes[3];
	struct exit_probe e = {0};
	struct aio_process *p = spawn_ok(&how, pipes, &e);
	check_fd_flags(pipes[0]);
	check_fd_flags(pipes[1]);
	ck_assert_int_eq(write(pipes[0], "to cat\nand back\n", 16), 16);
	close(pipes[0]);
	expect_output(pipes[1], "to cat\nand back\n");
	expect_success(p, &e);
}
END_TEST

/* the child's state */

/* A descriptor of ours that is not close-on-exec does not reach the
 * child; ls's own listing descriptor is 3. */
START_TEST(test_process_only_stdio_descriptors)
{
	int null = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(null, 0);
	ck_assert_int_eq(fcntl(null, F_GETFD), 0);
	char *const argv[] = {"ls", "/proc/self/fd", NULL};
	struct aio_spawn how = {.file = "/bin/ls", .argv = argv, .stdio = ONLY_STDOUT};
	expect_run(&how, "0\n1\n2\n3\n");
	close(null);
}
END_TEST

/* A hex mask line ("SigIgn:\t...") of the child's /proc/self/status. */
static unsigned long long child_status_mask(const char *field)
{
	char *const argv[] = {"cat", "/proc/self/status", NULL};
	struct aio_spawn how = {.file = "/bin/cat", .argv = argv, .stdio = ONLY_STDOUT};
	int pipes[3];
	struct exit_probe e = {0};
	struct aio_process *p = spawn_ok(&how, pipes, &e);
	char status[8192], key[32];
	read_all(pipes[1], status, sizeof status);
	expect_success(p, &e);
	snprintf(key, sizeof key, "\n%s:\t", field);
	const char *at = strstr(status, key);
	ck_assert_msg(at != NULL, "no %s in the child's status", field);
	return strtoull(at + strlen(key), NULL, 16);
}

/* Every signal at its default in the child, glibc's own 32 and 33 too
 * (its posix_spawn left those ignored, for every program after exec). */
START_TEST(test_process_default_dispositions)
{
	ck_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	ck_assert(signal(SIGHUP, SIG_IGN) != SIG_ERR);
	unsigned long long ignored = child_status_mask("SigIgn");
	ck_assert_msg(ignored == 0, "the child ignores signals 0x%llx", ignored);
}
END_TEST

START_TEST(test_process_empty_signal_mask)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, &old), 0);
	unsigned long long blocked = child_status_mask("SigBlk");
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	ck_assert_msg(blocked == 0, "the child blocks signals 0x%llx", blocked);
}
END_TEST

/* pid, process group and session of a child made as how says (sh prints
 * its own /proc/PID/stat). */
static void child_ids(struct aio_spawn *how, long ids[3])
{
	char *const argv[] = {"sh", "-c", "cat /proc/$$/stat", NULL};
	how->file = "/bin/sh";
	how->argv = argv;
	const struct aio_stdio only_stdout[3] = ONLY_STDOUT;
	memcpy(how->stdio, only_stdout, sizeof only_stdout);
	int pipes[3];
	struct exit_probe e = {0};
	struct aio_process *p = spawn_ok(how, pipes, &e);
	char stat[1024];
	read_all(pipes[1], stat, sizeof stat);
	expect_success(p, &e);
	ck_assert_int_eq(sscanf(stat, "%ld %*s %*s %*d %ld %ld", &ids[0], &ids[1], &ids[2]), 3);
}

START_TEST(test_process_new_session)
{
	struct aio_spawn how = {.new_session = 1};
	long ids[3];
	child_ids(&how, ids);
	ck_assert_int_eq(ids[1], ids[0]);
	ck_assert_int_eq(ids[2], ids[0]);
}
END_TEST

START_TEST(test_process_group_of_its_own)
{
	struct aio_spawn how = {.set_pgroup = 1, .pgroup = 0};
	long ids[3];
	child_ids(&how, ids);
	ck_assert_int_eq(ids[1], ids[0]);
	ck_assert_int_eq(ids[2], getsid(0));
	/* By default: the parent's group. */
	struct aio_spawn plain = {0};
	child_ids(&plain, ids);
	ck_assert_int_eq(ids[1], getpgrp());
}
END_TEST

/* free */

START_TEST(test_process_free_before_exit)
{
	char *const argv[] = {"/bin/sleep", "10", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	pid_t pid = aio_process_pid(p);
	aio_process_free(p);
	e.p = NULL;
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	RUN_UNTIL_WITHIN(250, reaped(pid), );
	turns(2);
	ck_assert_int_eq(e.calls, 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
}
END_TEST

/* The exit is queued but not reported yet: free takes it back. */
START_TEST(test_process_free_with_exit_queued)
{
	char *const argv[] = {"/bin/true", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	poll_until_exited(p);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	aio_process_free(p);
	e.p = NULL;
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(e.calls, 0);
}
END_TEST

/* The loop goes first, the child still running: the process is left
 * closed, and free only frees it. libev no longer reaps, so the test does. */
START_TEST(test_process_loop_freed_first)
{
	char *const argv[] = {"/bin/sleep", "10", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	pid_t pid = aio_process_pid(p);
	loop_free_now();
	ck_assert_int_eq(aio_process_exited(p, NULL), 0);
	aio_process_free(p);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(e.calls, 0);
}
END_TEST

/* The loop goes with the exit queued: it is dropped, not reported. */
START_TEST(test_process_loop_freed_with_exit_queued)
{
	char *const argv[] = {"/bin/true", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	poll_until_exited(p);
	loop_free_now();
	ck_assert_int_eq(aio_process_exited(p, NULL), 1);
	ck_assert_int_eq(aio_process_kill(p, SIGTERM), -ESRCH);
	aio_process_free(p);
	ck_assert_int_eq(e.calls, 0);
}
END_TEST

/* regressions */

/*
 * Regressions. The file actions set the child's 0, 1, 2 in turn, so a
 * source that is itself 0, 1 or 2 (given with AIO_STDIO_FD, or a pipe made
 * while aiod's own are closed) was overwritten before it was read; such
 * sources are now moved above 2 first, as Python's _posixsubprocess does.
 */

/* Puts fd (or nothing, for -1) in place of this process's descriptor
 * target; returns a copy of what was there, for put_back. */
static int put_in_place(int target, int fd)
{
	int saved = fcntl(target, F_DUPFD_CLOEXEC, 10);
	ck_assert_int_ge(saved, 0);
	if (fd >= 0)
		ck_assert_int_eq(dup2(fd, target), target);
	else
		close(target);
	return saved;
}

static void put_back(int target, int saved)
{
	ck_assert_int_eq(dup2(saved, target), target);
	close(saved);
}

/* stderr to aiod's stdout, stdout to a pipe: dup2(pipe, 1) comes first,
 * so dup2(1, 2) sends stderr into the pipe as well. */
START_TEST(test_process_stderr_to_parents_stdout)
{
	int own[2];
	ck_assert_int_eq(pipe2(own, O_CLOEXEC), 0);
	int saved = put_in_place(1, own[1]);
	close(own[1]);
	int pipes[3];
	struct exit_probe e = {0};
	struct aio_process *p = shell("echo out; echo err >&2", DEVNULL, PIPE_OUT, FD_OF(1),
				      pipes, &e);
	put_back(1, saved);
	expect_output(pipes[1], "out\n");
	expect_output(own[0], "err\n");
	wait_exit(&e);
	aio_process_free(p);
}
END_TEST

/* aiod started with 0 and 1 closed: the stderr pipe is made on them, and
 * the child's /dev/null for 1 replaces the pipe's end before it is given
 * to 2; what the child writes to stderr is lost. */
START_TEST(test_process_pipe_on_closed_stdio)
{
	int saved0 = put_in_place(0, -1);
	int saved1 = put_in_place(1, -1);
	int pipes[3];
	struct exit_probe e = {0};
	struct aio_process *p = shell("echo err >&2", DEVNULL, DEVNULL, PIPE_OUT, pipes, &e);
	int err_end = fcntl(pipes[2], F_DUPFD_CLOEXEC, 10);
	ck_assert_int_ge(err_end, 0);
	close(pipes[2]);
	put_back(0, saved0);
	put_back(1, saved1);
	expect_output(err_end, "err\n");
	wait_exit(&e);
	aio_process_free(p);
}
END_TEST

Suite *process_suite(void)
{
	Suite *s = suite_create("process");
	TCase *tc = check_tcase(s, "core", loop_setup, loop_teardown, 5);
	tcase_add_test(tc, test_process_echo_stdout_pipe);
	tcase_add_test(tc, test_process_exit_code);
	tcase_add_test(tc, test_process_killed_by_signal);
	tcase_add_test(tc, test_process_kill_after_reaped);
	tcase_add_test(tc, test_process_exit_from_ready_queue);
	tcase_add_test(tc, test_process_stop_is_not_exit);
	tcase_add_test(tc, test_process_several_children);
	tcase_add_test(tc, test_process_held_loop_waits_for_exit);

	tc = check_tcase(s, "options", loop_setup, loop_teardown, 5);
	tcase_add_test(tc, test_process_path_search);
	tcase_add_test(tc, test_process_envp_is_whole_environment);
	tcase_add_test(tc, test_process_cwd);

	tc = check_tcase(s, "errors", loop_setup, loop_teardown, 5);
	tcase_add_test(tc, test_process_missing_program);
	tcase_add_test(tc, test_process_missing_cwd);
	tcase_add_test(tc, test_process_not_executable);
	tcase_add_test(tc, test_process_bad_stdio);
	tcase_add_test(tc, test_process_second_loop);
	tcase_add_test(tc, test_process_reaped_by_someone_else);

	tc = check_tcase(s, "stdio", loop_setup, loop_teardown, 5);
	tcase_add_test(tc, test_process_stdio_devnull);
	tcase_add_test(tc, test_process_stdio_fd);
	tcase_add_test(tc, test_process_stderr_to_stdout);
	tcase_add_test(tc, test_process_stdin_pipe);

	tc = check_tcase(s, "child", loop_setup, loop_teardown, 5);
	tcase_add_test(tc, test_process_only_stdio_descriptors);
	tcase_add_test(tc, test_process_default_dispositions);
	tcase_add_test(tc, test_process_new_session);
	tcase_add_test(tc, test_process_group_of_its_own);
	tcase_add_test(tc, test_process_empty_signal_mask);

	tc = check_tcase(s, "free", loop_setup, loop_teardown, 5);
	tcase_add_test(tc, test_process_free_before_exit);
	tcase_add_test(tc, test_process_free_with_exit_queued);
	tcase_add_test(tc, test_process_loop_freed_first);
	tcase_add_test(tc, test_process_loop_freed_with_exit_queued);
	tcase_add_test(tc, test_process_foreign_child_not_reaped);

	tc = check_tcase(s, "regressions", loop_setup, loop_teardown, 5);
	tcase_add_test(tc, test_process_stderr_to_parents_stdout);
	tcase_add_test(tc, test_process_pipe_on_closed_stdio);
	return s;
}
