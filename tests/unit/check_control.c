/* check_control.c -- Check tests for runtime/control.c and control_path.c: paths, modes, stale sockets, requests, refusals, a stuck loop, detaching */
#include "check_runtime.h"
#include "check_util.h"
#include "control.h"
#include "control_path.h"
#include "loop.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static char path[96];

static void control_setup(void)
{
	loop_setup();
	snprintf(dir, sizeof dir, "/tmp/check-control-%ld", (long)getpid());
	snprintf(path, sizeof path, "%s/ctl.sock", dir);
}

static void control_teardown(void)
{
	unlink(path);
	rmdir(dir);
	loop_teardown();
}

/* ---------------------------------------------------------------- a client on a thread */

struct client {
	pthread_t thread;
	const char *send;	/* what it writes, then it reads to EOF */
	int shut;		/* shutdown(SHUT_WR) after sending */
	char got[256];
	size_t got_len;
	int err;		/* connect's errno */
	int done;
};

static int connect_to(const char *where)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	snprintf(un.sun_path, sizeof un.sun_path, "%s", where);
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&un, sizeof un) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	int fd = connect_to(path);
	if (fd < 0) {
		c->err = -fd;
	} else {
		if (c->send && send(fd, c->send, strlen(c->send), MSG_NOSIGNAL) < 0)
			c->err = errno;
		if (c->shut)
			shutdown(fd, SHUT_WR);
		ssize_t n;
		while ((n = read(fd, c->got + c->got_len, sizeof c->got - 1 - c->got_len)) > 0)
			c->got_len += (size_t)n;
		close(fd);
	}
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void client_start(struct client *c, const char *send)
{
	memset(c, 0, sizeof *c);
	c->send = send;
	ck_assert_int_eq(pthread_create(&c->thread, NULL, client_run, c), 0);
}

static int client_done(struct client *c)
{
	return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
}

static void client_join(struct client *c)
{
	pthread_join(c->thread, NULL);
}

/* ---------------------------------------------------------------- the loop's side */

static int requests, refusals, stalls;
static uid_t refused_uid;
static char last_line[AIO_CONTROL_LINE_MAX + 1];
static struct aio_control_request *held;	/* answered later by the test */
static enum { ECHO, HOLD, DETACH } mode;
static volatile sig_atomic_t stalled_flag;

static void on_request(struct aio_control *ctl, struct aio_control_request *req, void *udata)
{
	(void)udata;
	requests++;
	snprintf(last_line, sizeof last_line, "%s", req->line);
	if (mode == HOLD) {
		held = req;
		return;
	}
	if (mode == DETACH) {
		char *rest;
		size_t n;
		int fd = aio_control_detach(ctl, req, &rest, &n);
		ck_assert_int_ge(fd, 0);
		char reply[64];
		int len = snprintf(reply, sizeof reply, "rest=%.*s", (int)n, rest ? rest : "");
		ck_assert_int_eq(write(fd, reply, (size_t)len), len);
		free(rest);
		close(fd);
		return;
	}
	char reply[AIO_CONTROL_LINE_MAX + 16];
	int len = snprintf(reply, sizeof reply, "got %s", req->line);
	ck_assert_int_eq(aio_control_reply(ctl, req, reply, (size_t)len), 0);
}

static void on_refused(struct aio_control *ctl, uid_t uid, pid_t pid, void *udata)
{
	(void)ctl;
	(void)pid;
	(void)udata;
	refusals++;
	refused_uid = uid;
}

static void on_stalled(struct aio_control *ctl, void *udata)
{
	(void)ctl;
	(void)udata;
	stalls++;
	stalled_flag = 1;
}

static const struct aio_control_ops ops = {on_request, on_refused, on_stalled, NULL};

static int listens;

static int on_listen(struct aio_control *ctl, void *udata)
{
	(void)ctl;
	(void)udata;
	listens++;
	return aio_control_listen(path, AIO_CONTROL_PRIVATE_DIR);
}

static const struct aio_control_ops late_ops = {on_request, on_refused, on_stalled, on_listen};

static struct aio_control *control_make(double stall_after)
{
	requests = refusals = stalls = 0;
	held = NULL;
	mode = ECHO;
	stalled_flag = 0;
	int fd = aio_control_listen(path, AIO_CONTROL_PRIVATE_DIR);
	ck_assert_int_ge(fd, 0);
	int err = 0;
	struct aio_control *ctl = aio_control_new(loop, fd, &ops, NULL, stall_after, &err);
	ck_assert_ptr_nonnull(ctl);
	return ctl;
}

/* ---------------------------------------------------------------- paths */

START_TEST(test_control_default_path)
{
	char buf[128];
	ck_assert_int_eq(aio_control_default_path(buf, sizeof buf, 42, 1000, "/run/user/1000"), 0);
	ck_assert_str_eq(buf, "/run/user/1000/aiod/42.sock");
	ck_assert_int_eq(aio_control_default_path(buf, sizeof buf, 42, 0, NULL), 0);
	ck_assert_str_eq(buf, "/run/aiod/42.sock");
	ck_assert_int_eq(aio_control_default_path(buf, sizeof buf, 42, 1000, ""), 0);
	ck_assert_str_eq(buf, "/tmp/aiod-1000/42.sock");
	char xdg[200];
	memset(xdg, 'x', sizeof xdg - 1);
	xdg[sizeof xdg - 1] = '\0';
	xdg[0] = '/';
	char big[512];
	ck_assert_int_eq(aio_control_default_path(big, sizeof big, 42, 1000, xdg), -ENAMETOOLONG);
	ck_assert_int_eq(aio_control_default_path(buf, 8, 42, 0, NULL), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_control_listen_modes)
{
	int fd = aio_control_listen(path, AIO_CONTROL_PRIVATE_DIR);
	ck_assert_int_ge(fd, 0);
	struct stat st;
	ck_assert_int_eq(lstat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(aio_control_probe(path), 1);
	/* A live one is not taken over. */
	ck_assert_int_eq(aio_control_listen(path, AIO_CONTROL_PRIVATE_DIR), -EADDRINUSE);
	close(fd);
	/* A stale one (nobody listens) is replaced. */
	ck_assert_int_eq(aio_control_probe(path), 0);
	fd = aio_control_listen(path, AIO_CONTROL_PRIVATE_DIR);
	ck_assert_int_ge(fd, 0);
	close(fd);
	/* A looser folder is made private again. */
	ck_assert_int_eq(chmod(dir, 0755), 0);
	fd = aio_control_listen(path, AIO_CONTROL_PRIVATE_DIR);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(lstat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
}
END_TEST

START_TEST(test_control_listen_refuses)
{
	/* Not a socket: left alone. */
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(aio_control_listen(path, AIO_CONTROL_PRIVATE_DIR), -EEXIST);
	ck_assert_int_eq(aio_control_probe(path), -ENOTSOCK);
	unlink(path);
	rmdir(dir);
	/* A link planted where the private folder goes. */
	ck_assert_int_eq(symlink("/tmp", dir), 0);
	ck_assert_int_eq(aio_control_listen(path, AIO_CONTROL_PRIVATE_DIR), -EPERM);
	unlink(dir);
	/* A path too long for a socket address. */
	char longpath[200];
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[sizeof longpath - 1] = '\0';
	longpath[0] = '/';
	ck_assert_int_eq(aio_control_listen(longpath, 0), -ENAMETOOLONG);
}
END_TEST

/* ---------------------------------------------------------------- the thread */

static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Turns the fixture loop past the thread's delay. */
static void turn_past_delay(void)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		turn();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < 2 * AIO_CONTROL_START_AFTER);
}

/* No thread for a short run: it starts after the delay, on a turn; none is
 * left after free; one freed before it started has nothing to join. */
START_TEST(test_control_thread_waits)
{
	int before = threads();
	struct aio_control *ctl = control_make(1.0);
	turns(2);
	ck_assert_int_eq(threads(), before);
	turn_past_delay();
	ck_assert_int_eq(threads(), before + 1);
	aio_control_free(ctl);
	ck_assert_int_eq(threads(), before);
	ctl = control_make(1.0);
	aio_control_free(ctl);
	ck_assert_int_eq(threads(), before);
}
END_TEST

/* A loop that never turns still gets its thread: the delay's signal comes
 * to ops->stalled, and what runs next starts it. */
START_TEST(test_control_thread_held_loop)
{
	int before = threads();
	struct aio_control *ctl = control_make(1.0);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stalled_flag) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 3)
			ck_abort_msg("no signal at the delay's end");
	}
	ck_assert_int_eq(aio_control_start(ctl), 0);
	ck_assert_int_eq(threads(), before + 1);
	aio_control_free(ctl);
}
END_TEST

/* A socket made listening only as the thread starts: nothing on disk
 * before, a mode 0600 socket that serves after. */
START_TEST(test_control_listen_late)
{
	requests = listens = 0;
	mode = ECHO;
	int err = 0;
	struct aio_control *ctl = aio_control_new(loop, -1, &late_ops, NULL, 1.0, &err);
	ck_assert_ptr_nonnull(ctl);
	turns(2);
	struct stat st;
	ck_assert_int_eq(listens, 0);
	ck_assert_int_eq(lstat(path, &st), -1);
	turn_past_delay();
	ck_assert_int_eq(listens, 1);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	struct client c;
	client_start(&c, "stats\n");
	RUN_UNTIL_WITHIN(2000, client_done(&c), (void)0);
	client_join(&c);
	ck_assert_int_eq(c.err, 0);
	c.got[c.got_len] = '\0';
	ck_assert_str_eq(c.got, "got stats");
	aio_control_free(ctl);
}
END_TEST

/* ---------------------------------------------------------------- requests */

START_TEST(test_control_request_reply)
{
	struct aio_control *ctl = control_make(1.0);
	struct client c;
	client_start(&c, "ps --json\n");
	RUN_UNTIL_WITHIN(2000, client_done(&c), (void)0);
	client_join(&c);
	ck_assert_int_eq(c.err, 0);
	c.got[c.got_len] = '\0';
	ck_assert_str_eq(c.got, "got ps --json");
	ck_assert_int_eq(requests, 1);
	ck_assert_int_eq(stalls, 0);
	aio_control_free(ctl);
}
END_TEST

/* Ten at once, beside one that never sends its line: none waits for it. */
START_TEST(test_control_many_and_silent)
{
	struct aio_control *ctl = control_make(1.0);
	int silent = connect_to(path);
	ck_assert_int_ge(silent, 0);
	struct client c[10];
	for (int i = 0; i < 10; i++)
		client_start(&c[i], "stats\n");
	int all = 0;
	RUN_UNTIL_WITHIN(4000, all, {
		all = 1;
		for (int i = 0; i < 10; i++)
			all &= client_done(&c[i]);
	});
	for (int i = 0; i < 10; i++) {
		client_join(&c[i]);
		c[i].got[c[i].got_len] = '\0';
		ck_assert_str_eq(c[i].got, "got stats");
	}
	ck_assert_int_eq(requests, 10);
	close(silent);
	aio_control_free(ctl);
}
END_TEST

/* A line longer than the limit is dropped unanswered; the loop never sees it. */
START_TEST(test_control_line_too_long)
{
	struct aio_control *ctl = control_make(1.0);
	static char huge[AIO_CONTROL_LINE_MAX + 100];
	memset(huge, 'x', sizeof huge - 2);
	huge[sizeof huge - 2] = '\n';
	struct client c;
	client_start(&c, huge);
	RUN_UNTIL_WITHIN(2000, client_done(&c), (void)0);
	client_join(&c);
	ck_assert_uint_eq(c.got_len, 0);
	ck_assert_int_eq(requests, 0);
	aio_control_free(ctl);
}
END_TEST

/* The client leaves while the loop holds its request: the late reply is harmless. */
START_TEST(test_control_client_gone)
{
	struct aio_control *ctl = control_make(1.0);
	mode = HOLD;
	int fd = connect_to(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "reload\n", 7), 7);
	RUN_UNTIL_WITHIN(2000, held != NULL, (void)0);
	close(fd);
	turns(20);
	ck_assert_int_eq(aio_control_reply(ctl, held, "late", 4), 0);
	turns(5);
	/* One held and never answered is freed with ctl. */
	struct client c;
	client_start(&c, "reload\n");
	held = NULL;
	RUN_UNTIL_WITHIN(2000, held != NULL, (void)0);
	aio_control_free(ctl);
	client_join(&c);
	ck_assert_uint_eq(c.got_len, 0);
}
END_TEST

START_TEST(test_control_detach)
{
	struct aio_control *ctl = control_make(1.0);
	mode = DETACH;
	struct client c;
	client_start(&c, "attach\nprint(1)\n");
	c.shut = 0;
	RUN_UNTIL_WITHIN(2000, client_done(&c), (void)0);
	client_join(&c);
	c.got[c.got_len] = '\0';
	/* The rest may come in the same read as the line, or not yet. */
	ck_assert(strcmp(c.got, "rest=print(1)\n") == 0 || strcmp(c.got, "rest=") == 0);
	ck_assert_str_eq(last_line, "attach");
	aio_control_free(ctl);
}
END_TEST

/* ---------------------------------------------------------------- a stuck loop */

/* The loop's thread does not turn: the request still gets answered, by
 * whatever the stall signal lets run (here the spin itself). */
START_TEST(test_control_stalled_loop)
{
	struct aio_control *ctl = control_make(0.05);
	struct client c;
	client_start(&c, "ps\n");
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (stalled_flag) {
			/* The first signal may be the delay's: the thread starts here. */
			ck_assert_int_eq(aio_control_start(ctl), 0);
			struct aio_control_request *req = aio_control_take(ctl);
			if (req) {
				ck_assert_int_eq(aio_control_reply(ctl, req, "from the hook", 13), 0);
				break;
			}
			stalled_flag = 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 4)
			ck_abort_msg("no stall signal");
	}
	while (!client_done(&c))
		;
	client_join(&c);
	c.got[c.got_len] = '\0';
	ck_assert_str_eq(c.got, "from the hook");
	ck_assert_int_ge(stalls, 1);
	/* The mail comes later and finds the request answered. */
	turns(10);
	ck_assert_int_eq(requests, 0);
	aio_control_free(ctl);
}
END_TEST

/* Another user's client is turned away and reported; run as root only. */
START_TEST(test_control_refuses_other_user)
{
	if (geteuid() != 0)
		return;
	struct aio_control *ctl = control_make(1.0);
	/* The child, as nobody, must reach the socket through its folder. */
	ck_assert_int_eq(chmod(dir, 0711), 0);
	ck_assert_int_eq(chmod(path, 0666), 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(65534) < 0)
			_exit(3);
		int fd = connect_to(path);
		if (fd < 0)
			_exit(4);
		char buf[8];
		(void)!write(fd, "ps\n", 3);
		_exit(read(fd, buf, sizeof buf) <= 0 ? 0 : 5);	/* EOF, or a reset */
	}
	RUN_UNTIL_WITHIN(2000, refusals == 1, (void)0);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(refused_uid, 65534);
	ck_assert_int_eq(requests, 0);
	aio_control_free(ctl);
}
END_TEST

Suite *control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = check_tcase(s, "path", control_setup, control_teardown, 10);
	tcase_add_test(tc, test_control_default_path);
	tcase_add_test(tc, test_control_listen_modes);
	tcase_add_test(tc, test_control_listen_refuses);
	tc = check_tcase(s, "serve", control_setup, control_teardown, 10);
	tcase_add_test(tc, test_control_thread_waits);
	tcase_add_test(tc, test_control_thread_held_loop);
	tcase_add_test(tc, test_control_listen_late);
	tcase_add_test(tc, test_control_request_reply);
	tcase_add_test(tc, test_control_many_and_silent);
	tcase_add_test(tc, test_control_line_too_long);
	tcase_add_test(tc, test_control_client_gone);
	tcase_add_test(tc, test_control_detach);
	tcase_add_test(tc, test_control_stalled_loop);
	tcase_add_test(tc, test_control_refuses_other_user);
	return s;
}
