/* check_util.c -- helpers the runtime unit tests share: suites, loops, turns, sockets, a gate, the stream fixture */
#define _GNU_SOURCE /* accept4 */
#include "check_util.h"
#include "loop.h"
#include "sock.h"
#include "stream.h"
#include "workers.h"

#include <arpa/inet.h>
#include <ev.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* suites */

TCase *check_tcase(Suite *s, const char *name, void (*setup)(void),
		   void (*teardown)(void), double timeout)
{
	TCase *tc = tcase_create(name);
	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

/* loops */

struct aio_loop *loop_make(void)
{
	int err = 0;
	struct aio_loop *made = aio_loop_new(&err);
	ck_assert_ptr_nonnull(made);
	ck_assert_int_eq(err, 0);
	return made;
}

struct aio_workers *pool_make(struct aio_loop *home, unsigned nthreads)
{
	int err = 0;
	struct aio_workers *w = aio_workers_new(home, nthreads, &err);
	ck_assert_msg(w != NULL, "aio_workers_new failed: %d", err);
	return w;
}

int run_until_idle(struct aio_loop *target, int max_turns)
{
	int taken = 0;
	while (aio_loop_run_once(target) == AIO_LOOP_ALIVE)
		ck_assert_int_lt(++taken, max_turns);
	return taken + 1;
}

struct aio_loop *loop;

void loop_setup(void)
{
	loop = loop_make();
}

void loop_teardown(void)
{
	if (loop)
		loop_free_now();
}

void loop_free_now(void)
{
	aio_loop_free(loop);
	loop = NULL;
}

static struct aio_timer tick;

static void tick_fired(struct aio_call *call)
{
	(void)call;
}

/* The timer is stopped again before the turn returns, so one will do. */
void turn(void)
{
	aio_timer_init(&tick);
	if (aio_timer_start(loop, &tick, aio_loop_time(loop) + 0.002, tick_fired) < 0)
		ck_abort_msg("aio_timer_start failed");
	aio_loop_run_once(loop);
	aio_timer_stop(loop, &tick);
}

void turns(int n)
{
	for (int i = 0; i < n; i++)
		turn();
}

/* sockets */

int tcp_listen(struct sockaddr_in *addr, int backlog)
{
	*addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = aio_sock_listen((struct sockaddr *)addr, sizeof *addr, backlog, 0);
	ck_assert_int_ge(fd, 0);
	socklen_t len = sizeof *addr;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)addr, &len), 0);
	return fd;
}

int connect_blocking(const void *addr, socklen_t len)
{
	int fd = socket(((const struct sockaddr *)addr)->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	if (connect(fd, addr, len) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

void wait_readable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
}

int accept_one(int fd)
{
	wait_readable(fd);
	int conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ck_assert_int_ge(conn, 0);
	return conn;
}

void socketpair_make(int pair[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), 0);
}

void check_fd_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	ck_assert_int_ge(fl, 0);
	ck_assert_msg(fl & O_NONBLOCK, "fd %d is blocking", fd);
	int fdfl = fcntl(fd, F_GETFD);
	ck_assert_int_ge(fdfl, 0);
	ck_assert_msg(fdfl & FD_CLOEXEC, "fd %d is not close-on-exec", fd);
}

int sockopt(int fd, int level, int name)
{
	int value = -1;
	socklen_t len = sizeof value;
	ck_assert_int_eq(getsockopt(fd, level, name, &value, &len), 0);
	return value;
}

/* temporary directories */

void temp_dir_make(char dir[TEMP_DIR_SIZE], const char *name)
{
	int n = snprintf(dir, TEMP_DIR_SIZE, "/tmp/%s.XXXXXX", name);
	ck_assert(n > 0 && n < TEMP_DIR_SIZE);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* The tests make only files and empty directories in it. */
void temp_dir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char path[TEMP_DIR_SIZE + 256];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (unlink(path) < 0)
			rmdir(path);
	}
	closedir(d);
	rmdir(dir);
}

/* the gate */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int arrived;
	int open;
} gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

void gate_reset(void)
{
	pthread_mutex_init(&gate.lock, NULL);
	pthread_cond_init(&gate.cond, NULL);
	gate.arrived = gate.open = 0;
}

void gate_pass(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.arrived++;
	pthread_cond_broadcast(&gate.cond);
	while (!gate.open)
		pthread_cond_wait(&gate.cond, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
}

void gate_wait_arrived(int n)
{
	pthread_mutex_lock(&gate.lock);
	while (gate.arrived < n)
		pthread_cond_wait(&gate.cond, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
}

void gate_open(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.open = 1;
	pthread_cond_broadcast(&gate.cond);
	pthread_mutex_unlock(&gate.lock);
}

/* the stream fixture */

void on_events(struct aio_stream *s, unsigned events)
{
	struct stream_probe *p = aio_stream_udata(s);
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(s == p->s, "an event (%u) for a closed or released stream", events);
	p->calls++;
	p->all |= events;
	p->last = events;
	p->reads += !!(events & AIO_STREAM_READ);
	p->connects += !!(events & AIO_STREAM_CONNECT);
	if ((events & AIO_STREAM_WRITE) && !(events & AIO_STREAM_CLOSED)) {
		p->writes++;
		if (aio_stream_write_pending(s) > p->pending_at_write)
			p->pending_at_write = aio_stream_write_pending(s);
	}
	if (events & AIO_STREAM_CLOSED) {
		p->closes++;
		p->fd_at_close = aio_stream_fd(s);
		p->s = NULL;
	} else if ((events & AIO_STREAM_READ) && p->release_on_read) {
		aio_stream_release(s);
		p->s = NULL;
	} else if ((events & AIO_STREAM_READ) && p->close_on_read) {
		aio_stream_close(s);
		ck_assert_msg(p->closes == 0, "CLOSED came from inside aio_stream_close");
	}
}

int sv[2];
int sv0_taken;
struct stream_probe seen;

void pair_setup(void)
{
	loop_setup();
	socketpair_make(sv);
	sv0_taken = 0;
	seen = (struct stream_probe){.fd_at_close = -2};
}

void pair_teardown(void)
{
	if (seen.s)
		aio_stream_release(seen.s);
	loop_teardown();
	if (!sv0_taken)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
}

struct aio_stream *stream_make(int fd, unsigned flags, struct stream_probe *p)
{
	int err = 0;
	struct aio_stream *s = aio_stream_new(loop, fd, flags, on_events, p, &err);
	ck_assert_msg(s != NULL, "aio_stream_new: %s", strerror(-err));
	p->s = s;
	p->fd_at_close = -2;
	sv0_taken |= fd == sv[0];
	return s;
}

struct aio_stream *paired(void)
{
	return stream_make(sv[0], AIO_STREAM_SOCKET, &seen);
}

void release(struct stream_probe *p)
{
	aio_stream_release(p->s);
	p->s = NULL;
}

void peer_close(void)
{
	close(sv[1]);
	sv[1] = -1;
}

/* ref holds the pattern from every phase, for memcmp. */
#define PERIOD 251
#define SLICE (64 * 1024)
static char ref[PERIOD + SLICE];
char bulk[BULK];

void pattern_fill(void)
{
	for (size_t i = 0; i < sizeof ref; i++)
		ref[i] = (char)(i % PERIOD);
	for (size_t i = 0; i < BULK; i += SLICE)
		memcpy(bulk + i, ref + i % PERIOD, SLICE);
}

void check_pattern(const char *p, size_t n, size_t at)
{
	for (size_t i = 0; i < n; i += SLICE)
		if (memcmp(p + i, ref + (at + i) % PERIOD, n - i < SLICE ? n - i : SLICE) != 0)
			ck_abort_msg("bytes from %zu are off the pattern", at + i);
}

size_t input_len(struct aio_stream *s)
{
	return aio_buf_len(aio_stream_input(s));
}

void check_input(struct aio_stream *s, const char *text)
{
	size_t n = strlen(text);
	ck_assert_uint_eq(input_len(s), n);
	ck_assert_int_eq(memcmp(aio_buf_peek(aio_stream_input(s)), text, n), 0);
}

void peer_write(int fd, const char *text)
{
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

void peer_expect(int fd, const char *text)
{
	char got[256];
	size_t n = strlen(text);
	wait_readable(fd);
	ck_assert_int_eq(read(fd, got, sizeof got), (ssize_t)n);
	ck_assert_int_eq(memcmp(got, text, n), 0);
}

void peer_expect_eof(int fd)
{
	char byte;
	wait_readable(fd);
	ck_assert_int_eq(read(fd, &byte, 1), 0);
}

static void held_timer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)revents;
	*(int *)w->data = 1;
	ev_break(ev, EVBREAK_ALL);
}

int libev_held(struct aio_loop *target)
{
	struct ev_loop *ev = aio_loop_ev(target);
	int fired = 0;
	ev_timer timer;
	ev_timer_init(&timer, held_timer_cb, 0.1, 0);
	timer.data = &fired;
	ev_timer_start(ev, &timer);
	ev_unref(ev);
	ev_run(ev, 0);
	ev_ref(ev);
	ev_timer_stop(ev, &timer);
	return fired;
}
