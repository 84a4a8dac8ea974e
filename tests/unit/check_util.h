/* check_util.h -- helpers the runtime unit tests share: suites, loops, turns, sockets, a gate, the stream fixture */
#ifndef CHECK_UTIL_H
#define CHECK_UTIL_H

#include <check.h>
#include <stddef.h>
#include <sys/socket.h>

struct aio_loop;
struct aio_stream;
struct aio_workers;
struct sockaddr_in;

/* suites */

/* A test case called name, added to s, with setup and teardown (either may
 * be NULL) run around each test in its process, and a timeout in seconds. */
TCase *check_tcase(Suite *s, const char *name, void (*setup)(void),
		   void (*teardown)(void), double timeout);

/* loops */

/*
 * Bound for a run_once that must not block. What it would otherwise wait
 * for is 10 s away or never comes, so a loose bound keeps a loaded machine
 * from failing the test without hiding a real wait.
 */
#define NO_BLOCK 0.5

/* A new loop, owned by the caller; fails the test if there is none. */
struct aio_loop *loop_make(void);

/* A pool of nthreads threads on home, owned by the caller; fails the test
 * if there is none. */
struct aio_workers *pool_make(struct aio_loop *home, unsigned nthreads);

/* Runs turns until target is idle, failing the test if that takes
 * max_turns; returns how many it took. */
int run_until_idle(struct aio_loop *target, int max_turns);

/*
 * The fixture loop of the tests whose own end of a connection acts between
 * turns: loop_setup makes it, loop_teardown frees it unless a test freed it
 * first through loop_free_now. Tests that make their own loops keep them
 * in locals, which hide this one.
 */
extern struct aio_loop *loop;

void loop_setup(void);
void loop_teardown(void);
void loop_free_now(void);

/* One turn of the fixture loop that blocks at most 2 ms, so that what the
 * test does between turns is seen soon; turns does n of them. */
void turn(void);
void turns(int n);

/*
 * Turns the fixture loop until cond holds, doing step before each test of
 * it; fails the test after max_turns turns. Check asserts that pass cost a
 * message each, so hot paths test and abort instead, as this does.
 */
#define RUN_UNTIL_WITHIN(max_turns, cond, step)                                 \
	do {                                                                    \
		for (int turns_ = 0;; turns_++) {                               \
			step;                                                   \
			if (cond)                                               \
				break;                                          \
			if (turns_ == (max_turns))                              \
				ck_abort_msg("never came: %s", #cond);          \
			turn();                                                 \
		}                                                               \
	} while (0)

/* sockets */

/* A listening socket on 127.0.0.1 at a port the kernel picks; *addr is
 * filled with its address. */
int tcp_listen(struct sockaddr_in *addr, int backlog);

/* A blocking connect to addr: the descriptor (close-on-exec), or -errno. */
int connect_blocking(const void *addr, socklen_t len);

/* Waits up to a second for fd to be readable; fails the test if not. */
void wait_readable(int fd);

/* The next connection on listening fd, non-blocking and close-on-exec,
 * waiting up to a second for it. */
int accept_one(int fd);

/* A non-blocking, close-on-exec socketpair of Unix stream sockets. */
void socketpair_make(int pair[2]);

/* Fails the test unless fd is non-blocking and close-on-exec. */
void check_fd_flags(int fd);

/* The value of an int socket option of fd. */
int sockopt(int fd, int level, int name);

/* temporary directories */

#define TEMP_DIR_SIZE 64

/* Makes a private directory /tmp/<name>.XXXXXX; its path goes to dir. */
void temp_dir_make(char dir[TEMP_DIR_SIZE], const char *name);

/* Removes dir and the files and empty directories in it. */
void temp_dir_remove(const char *dir);

/*
 * A gate that work on a pool's thread can wait at, so a test knows a job
 * is running and decides when it ends. gate_reset closes it and forgets
 * who arrived; gate_pass, on the worker's thread, counts itself arrived
 * and waits until the test calls gate_open.
 */
void gate_reset(void);
void gate_pass(void);
void gate_wait_arrived(int n);
void gate_open(void);

/*
 * The stream fixture of check_stream.c and check_stream_connect.c. What a
 * stream's handler saw: the handler checks it is called for p->s only;
 * p->s = NULL after CLOSED makes that "no events after".
 */
struct stream_probe {
	struct aio_stream *s;
	int calls, reads, writes, connects, closes;
	unsigned all;			/* every event seen */
	unsigned last;			/* the events of the last call */
	int fd_at_close;
	size_t pending_at_write;	/* the most pending output at a WRITE */
	int release_on_read;		/* lets go of the stream from its handler */
	int close_on_read;
};

/* The handler of every stream the tests make; udata is its stream_probe. */
void on_events(struct aio_stream *s, unsigned events);

/*
 * Each test has the fixture loop, and a socketpair whose end sv[0] it may
 * make a stream of (seen records that stream's events) while it acts on
 * sv[1] itself. pair_teardown releases what is left; a test that frees or
 * closes one of them itself clears it.
 */
extern int sv[2];
extern int sv0_taken;		/* by a stream, which closes it */
extern struct stream_probe seen;

void pair_setup(void);
void pair_teardown(void);

/* A stream on fd whose events p records; fails the test if there is none. */
struct aio_stream *stream_make(int fd, unsigned flags, struct stream_probe *p);

/* The stream on sv[0]. */
struct aio_stream *paired(void);

/* Lets go of p's stream: it gets no more events. */
void release(struct stream_probe *p);

void peer_close(void);

/*
 * A byte pattern with no short period, so a lost or repeated chunk shows;
 * bulk is more of it than any socket or pipe buffer here holds (a
 * socketpair takes about 200 KiB). Each stream suite calls pattern_fill as
 * it is made, before Check forks the tests: touching fresh memory is what
 * costs the most.
 */
#define BULK ((size_t)2 << 20)
extern char bulk[BULK];

void pattern_fill(void);

/* Fails the test unless p[0, n) is the pattern from its byte at on. */
void check_pattern(const char *p, size_t n, size_t at);

/* How much input s holds; checks that it is text. */
size_t input_len(struct aio_stream *s);
void check_input(struct aio_stream *s, const char *text);

/* The test's end of a connection: writes text, or reads text or EOF,
 * waiting up to a second for it. */
void peer_write(int fd, const char *text);
void peer_expect(int fd, const char *text);
void peer_expect_eof(int fd);

/* Whether a watcher holds target's libev loop: ev_run without flags then
 * returns only once a 100 ms timer, which does not hold it, has fired. */
int libev_held(struct aio_loop *target);

#endif
