/* check_process_stop.c -- Check tests for runtime/process.c's pass_fds, held children and group signals */
#define _GNU_SOURCE /* dup3 */
#include "check_process_util.h"
#include "check_runtime.h"
#include "check_util.h"
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A descriptor of ours at exactly number fd (which must be free), with
 * the close-on-exec flag as asked. */
static int open_at(int fd, int cloexec)
{
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(null, 0);
	ck_assert_int_eq(dup3(null, fd, cloexec ? O_CLOEXEC : 0), fd);
	close(null);
	return fd;
}

/* pass_fds reach the child under their numbers, close-on-exec or not;
 * descriptors in the gaps (one open, not close-on-exec; the others not
 * open, which glibc's closes must pass over) and above do not; 0-2 and
 * repeats are no trouble. ls's own listing descriptor is 3. */
START_TEST(test_process_pass_fds)
{
	int a = open_at(20, 1), gap = open_at(22, 0), b = open_at(25, 0), above = open_at(27, 0);
	const int pass[] = {b, a, 1, b};
	char *const argv[] = {"ls", "-v", "/proc/self/fd", NULL};
	struct aio_spawn how = {.file = "/bin/ls", .argv = argv, .stdio = ONLY_STDOUT,
				.pass_fds = pass, .n_pass_fds = 4};
	expect_run(&how, "0\n1\n2\n3\n20\n25\n");
	ck_assert_int_eq(fcntl(a, F_GETFD), FD_CLOEXEC);	/* ours unchanged */
	close(a);
	close(gap);
	close(b);
	close(above);
}
END_TEST

/* A descriptor of pass_fds that is not open: EBADF and nothing left open,
 * also when it is the number the stdout pipe would have taken. */
START_TEST(test_process_pass_fds_not_open)
{
	int lowest = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(lowest, 3);
	close(lowest);
	const int pass[] = {lowest};
	char *const argv[] = {"true", NULL};
	struct aio_spawn how = {.file = "/bin/true", .argv = argv, .stdio = ONLY_STDOUT,
				.pass_fds = pass, .n_pass_fds = 1};
	ck_assert_int_eq(aio_process_closed_fd(&how), lowest);
	ck_assert_int_eq(spawn_error(loop, &how), -EBADF);
	how.n_pass_fds = 0;
	ck_assert_int_eq(aio_process_closed_fd(&how), -1);
}
END_TEST

/* A held child's exit is reported, but it stays a zombie until released. */
START_TEST(test_process_hold)
{
	char *const argv[] = {"/bin/true", NULL};
	struct exit_probe e = {0};
	struct aio_process *p = spawn_quiet(argv, &e);
	aio_process_hold(p);
	wait_exit(&e);
	expect_exit_code(&e, 0);
	ck_assert(!reaped(aio_process_pid(p)));
	ck_assert_int_eq(aio_process_kill(p, SIGTERM), -ESRCH);
	aio_process_release(p);
	ck_assert(reaped(aio_process_pid(p)));
	aio_process_release(p);
	aio_process_free(p);
}
END_TEST

/* Freed while held: reaped all the same, at once or when it ends. */
START_TEST(test_process_free_held)
{
	char *const quick[] = {"/bin/true", NULL}, *const slow[] = {"/bin/sleep", "0.05", NULL};
	struct exit_probe e = {0}, f = {0};
	struct aio_process *p = spawn_quiet(quick, &e);
	aio_process_hold(p);
	wait_exit(&e);
	pid_t pid = aio_process_pid(p);
	aio_process_free(p);
	ck_assert(reaped(pid));
	p = spawn_quiet(slow, &f);
	aio_process_hold(p);
	pid = aio_process_pid(p);
	aio_process_free(p);
	RUN_UNTIL_WITHIN(1000, reaped(pid), );
}
END_TEST

/* Whether pid is gone or a zombie (an orphan whose reaper is slow). */
static int dead(pid_t pid)
{
	char path[64], stat[256];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	int z = fgets(stat, sizeof stat, f) && strstr(stat, ") Z ");
	fclose(f);
	return z;
}

/* A group leader's group is signalled whole, also after the leader ended
 * while held (a member still holds the pipe); a non-leader with its
 * descendants; once reaped, the group no more. */
START_TEST(test_process_kill_tree)
{
	char *const argv[] = {"sh", "-c", "sleep 10 & echo $!", NULL};
	struct aio_spawn how = {.file = "/bin/sh", .argv = argv, .stdio = ONLY_STDOUT,
				.set_pgroup = 1};
	int pipes[3];
	struct exit_probe e = {0};
	struct aio_process *p = spawn_ok(&how, pipes, &e);
	aio_process_hold(p);
	char line[64] = "";
	struct pollfd pfd = {.fd = pipes[1], .events = POLLIN};
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
	ck_assert_int_gt(read(pipes[1], line, sizeof line - 1), 0);
	pid_t member = (pid_t)atoi(line);
	ck_assert_int_gt(member, 0);
	wait_exit(&e);
	expect_exit_code(&e, 0);
	ck_assert(!dead(member));
	ck_assert_int_eq(aio_process_kill_tree(p, SIGKILL), 0);
	RUN_UNTIL_WITHIN(1000, dead(member), );
	expect_output(pipes[1], "");
	aio_process_release(p);
	ck_assert_int_eq(aio_process_kill_tree(p, SIGKILL), -ESRCH);
	aio_process_free(p);

	/* Not a leader: the child and its descendants, and nothing once it
	 * ended. */
	char *const shell[] = {"sh", "-c", "sleep 10 & echo $!; wait", NULL};
	struct aio_spawn alone = {.file = "/bin/sh", .argv = shell, .stdio = ONLY_STDOUT};
	struct exit_probe f = {0};
	p = spawn_ok(&alone, pipes, &f);
	memset(line, 0, sizeof line);
	pfd.fd = pipes[1];
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
	ck_assert_int_gt(read(pipes[1], line, sizeof line - 1), 0);
	member = (pid_t)atoi(line);
	ck_assert_int_gt(member, 0);
	ck_assert_int_eq(aio_process_kill_tree(p, SIGTERM), 0);
	wait_exit(&f);
	expect_killed(&f, SIGTERM);
	RUN_UNTIL_WITHIN(1000, dead(member), );
	expect_output(pipes[1], "");
	ck_assert_int_eq(aio_process_kill_tree(p, SIGTERM), -ESRCH);
	aio_process_free(p);
}
END_TEST

Suite *process_stop_suite(void)
{
	Suite *s = suite_create("process_stop");
	TCase *tc = check_tcase(s, "pass_fds", loop_setup, loop_teardown, 5);
	tcase_add_test(tc, test_process_pass_fds);
	tcase_add_test(tc, test_process_pass_fds_not_open);

	tc = check_tcase(s, "hold", loop_setup, loop_teardown, 5);
	tcase_add_test(tc, test_process_hold);
	tcase_add_test(tc, test_process_free_held);
	tcase_add_test(tc, test_process_kill_tree);
	return s;
}
