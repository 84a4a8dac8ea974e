/* control.c -- the control socket's server: a thread that takes requests for the loop and answers even while the loop is stuck */
#define _GNU_SOURCE	/* accept4, dup3, struct ucred */
#include "control.h"
#include "mailbox.h"

#include <assert.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64

enum phase { READING, WAITING, WRITING, DONE };

/*
 * Only the thread frees a request, and only once nothing else can touch
 * it: its client is done with (DONE), its mail has run (the ready queue no
 * longer holds it) and the loop has answered it.
 */
struct request {
	struct aio_control_request pub;
	struct aio_mail mail;
	struct aio_control *ctl;
	enum phase phase;
	int fd;			/* -1 once closed or detached */
	char *in;		/* what the client sent, the line and any rest */
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_off;
	double deadline;	/* READING, WRITING: monotonic */
	double posted_at;	/* WAITING: when the loop was asked */
	int stall_signalled;
	int mail_pending;
	int taken;		/* the loop has it (by mail or aio_control_take) */
	int with_loop;		/* taken and not answered yet */
	struct request *next;
};

struct refusal {
	struct aio_mail mail;
	struct aio_control *ctl;
	uid_t uid;
	pid_t pid;
	struct refusal *next;
};

struct aio_control {
	struct aio_loop *loop;
	/* Until the thread starts: a client at the door, the delay's end on a
	 * turn of the loop, or (the loop held since) the timer's signal. */
	ev_io door;
	ev_timer delay;
	timer_t timer;
	int has_timer;
	volatile sig_atomic_t started;
	struct aio_mailbox *mailbox;
	const struct aio_control_ops *ops;
	void *udata;
	double stall_after;
	int listen_fd;
	int late_listen;	/* listen_fd holds a number for ops->listen's socket */
	int wake;		/* an eventfd: the loop's side writes, the thread polls */
	pthread_t thread, loop_thread;
	struct sigaction old_action;
	pthread_mutex_t lock;	/* everything below, and each request */
	int stopping;
	struct request *requests, **tail;
	int clients;
	struct refusal *refusals;
};

/* The signal that interrupts a stuck loop. One control object a process:
 * the handler has no other way to find it. */
static struct aio_control *interrupted;

static int stall_signal(void)
{
	return SIGRTMIN + 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_stall_signal(int signum)
{
	(void)signum;
	int saved = errno;
	struct aio_control *ctl = interrupted;
	if (ctl && ctl->ops->stalled)
		ctl->ops->stalled(ctl, ctl->udata);
	errno = saved;
}

static void wake_thread(struct aio_control *ctl)
{
	uint64_t one = 1;
	ssize_t r = write(ctl->wake, &one, sizeof one);
	(void)r;		/* a full count already wakes it */
}

static void close_client(struct request *req)
{
	if (req->fd >= 0)
		close(req->fd);
	req->fd = -1;
	req->phase = DONE;
	free(req->out);
	req->out = NULL;
}

/* ---------------------------------------------------------------- the loop's side */

static void deliver(struct aio_call *call)
{
	struct request *req = aio_container_of(call, struct request, mail.call);
	struct aio_control *ctl = req->ctl;
	pthread_mutex_lock(&ctl->lock);
	req->mail_pending = 0;
	int give = !req->taken && req->phase == WAITING;
	if (give)
		req->taken = req->with_loop = 1;
	pthread_mutex_unlock(&ctl->lock);
	if (give)
		ctl->ops->request(ctl, &req->pub, ctl->udata);
	else
		wake_thread(ctl);	/* it may free req now */
}

static void deliver_refusal(struct aio_call *call)
{
	struct refusal *ref = aio_container_of(call, struct refusal, mail.call);
	struct aio_control *ctl = ref->ctl;
	pthread_mutex_lock(&ctl->lock);
	for (struct refusal **p = &ctl->refusals; *p; p = &(*p)->next) {
		if (*p == ref) {
			*p = ref->next;
			break;
		}
	}
	pthread_mutex_unlock(&ctl->lock);
	if (ctl->ops->refused)
		ctl->ops->refused(ctl, ref->uid, ref->pid, ctl->udata);
	free(ref);
}

struct aio_control_request *aio_control_take(struct aio_control *ctl)
{
	struct request *found = NULL;
	pthread_mutex_lock(&ctl->lock);
	for (struct request *req = ctl->requests; req; req = req->next) {
		if (req->phase == WAITING && !req->taken) {
			req->taken = req->with_loop = 1;
			found = req;
			break;
		}
	}
	pthread_mutex_unlock(&ctl->lock);
	return found ? &found->pub : NULL;
}

/* Gives req back to the thread, which sends out (if any) or lets go. */
static void answer(struct aio_control *ctl, struct request *req, char *out, size_t len)
{
	pthread_mutex_lock(&ctl->lock);
	req->with_loop = 0;
	if (req->phase == WAITING && out) {
		req->out = out;
		req->out_len = len;
		req->out_off = 0;
		req->phase = WRITING;
		req->deadline = now() + AIO_CONTROL_WRITE_TIMEOUT;
	} else {
		free(out);
		if (req->phase == WAITING)
			close_client(req);
	}
	pthread_mutex_unlock(&ctl->lock);
	wake_thread(ctl);
}

void aio_control_send(struct aio_control *ctl, struct aio_control_request *pub,
		      char *data, size_t len)
{
	answer(ctl, aio_container_of(pub, struct request, pub), data, len);
}

int aio_control_reply(struct aio_control *ctl, struct aio_control_request *pub,
		      const char *data, size_t len)
{
	char *out = malloc(len ? len : 1);
	if (out)
		memcpy(out, data, len);
	aio_control_send(ctl, pub, out, len);
	return out ? 0 : -ENOMEM;
}

int aio_control_detach(struct aio_control *ctl, struct aio_control_request *pub,
		       char **rest, size_t *rest_len)
{
	struct request *req = aio_container_of(pub, struct request, pub);
	pthread_mutex_lock(&ctl->lock);
	size_t used = req->pub.len + 1;
	size_t n = req->in_len > used ? req->in_len - used : 0;
	char *copy = n ? malloc(n) : NULL;
	int fd = req->fd;
	if (n && !copy) {
		fd = -ENOMEM;
	} else if (fd >= 0) {
		if (n)
			memcpy(copy, req->in + used, n);
		req->fd = -1;	/* the thread no longer polls it */
		close_client(req);
	} else {
		fd = -EPIPE;	/* the client has gone meanwhile */
	}
	pthread_mutex_unlock(&ctl->lock);
	answer(ctl, req, NULL, 0);
	if (fd < 0) {
		free(copy);
		copy = NULL;
		n = 0;
	}
	*rest = copy;
	*rest_len = n;
	return fd;
}

/* ---------------------------------------------------------------- the thread's side (under ctl->lock) */

static void accept_client(struct aio_control *ctl)
{
	int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;		/* EAGAIN, or a client that left at once */
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(fd);
		return;
	}
	if (ctl->stopping) {
		close(fd);
		return;
	}
	if (cred.uid != geteuid() && cred.uid != 0) {
		close(fd);
		struct refusal *ref = calloc(1, sizeof *ref);
		if (!ref)
			return;
		ref->ctl = ctl;
		ref->uid = cred.uid;
		ref->pid = cred.pid;
		ref->next = ctl->refusals;
		ctl->refusals = ref;
		aio_mailbox_post(ctl->mailbox, &ref->mail, deliver_refusal);
		return;
	}
	struct request *req = ctl->clients < MAX_CLIENTS ? calloc(1, sizeof *req) : NULL;
	if (!req) {
		close(fd);
		return;
	}
	req->ctl = ctl;
	req->fd = fd;
	req->pub.uid = cred.uid;
	req->pub.pid = cred.pid;
	req->phase = READING;
	req->deadline = now() + AIO_CONTROL_READ_TIMEOUT;
	*ctl->tail = req;
	ctl->tail = &req->next;
	ctl->clients++;
}

/* Reads what is there; once a whole line is, the loop is asked. */
static void read_request(struct aio_control *ctl, struct request *req)
{
	for (;;) {
		if (req->in_len == req->in_cap) {
			size_t cap = req->in_cap ? req->in_cap * 2 : 256;
			char *in = cap <= AIO_CONTROL_LINE_MAX + 1 ? realloc(req->in, cap) : NULL;
			if (!in) {
				close_client(req);	/* too long a line */
				return;
			}
			req->in = in;
			req->in_cap = cap;
		}
		ssize_t n = read(req->fd, req->in + req->in_len, req->in_cap - req->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close_client(req);
			return;
		}
		char *nl = memchr(req->in + req->in_len, '\n', (size_t)n);
		req->in_len += (size_t)n;
		if (nl && ctl->stopping) {
			close_client(req);	/* the loop takes no more mail */
			return;
		}
		if (nl) {
			*nl = '\0';
			req->pub.line = req->in;
			req->pub.len = (size_t)(nl - req->in);
			req->phase = WAITING;
			req->posted_at = now();
			req->mail_pending = 1;
			aio_mailbox_post(ctl->mailbox, &req->mail, deliver);
			return;
		}
	}
}

static void write_reply(struct request *req)
{
	while (req->out_off < req->out_len) {
		ssize_t n = write(req->fd, req->out + req->out_off, req->out_len - req->out_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			close_client(req);
			return;
		}
		req->out_off += (size_t)n;
		req->deadline = now() + AIO_CONTROL_WRITE_TIMEOUT;
	}
	close_client(req);
}

/* Frees what nobody can reach any more; sends the stall signal when due;
 * returns the poll timeout in ms. */
static int sweep(struct aio_control *ctl)
{
	double t = now(), next = t + 60;
	struct request **p = &ctl->requests;
	while (*p) {
		struct request *req = *p;
		if ((req->phase == READING || req->phase == WRITING) && t >= req->deadline)
			close_client(req);
		if (req->phase == WAITING && !req->taken && !req->stall_signalled && ctl->ops->stalled) {
			double due = req->posted_at + ctl->stall_after;
			if (t >= due) {
				req->stall_signalled = 1;
				pthread_kill(ctl->loop_thread, stall_signal());
			} else if (due < next) {
				next = due;
			}
		}
		if (req->phase == DONE && !req->mail_pending && !req->with_loop) {
			*p = req->next;
			ctl->clients--;
			free(req->in);
			free(req);
			continue;
		}
		if ((req->phase == READING || req->phase == WRITING) && req->deadline < next)
			next = req->deadline;
		p = &req->next;
	}
	ctl->tail = p;
	double ms = (next - t) * 1000 + 1;
	return ms < 0 ? 0 : (int)ms;
}

static void *serve(void *arg)
{
	struct aio_control *ctl = arg;
	struct pollfd pfd[MAX_CLIENTS + 2];
	struct request *polled[MAX_CLIENTS];
	pthread_mutex_lock(&ctl->lock);
	while (!ctl->stopping) {
		int timeout = sweep(ctl);
		int n = 0;
		pfd[0] = (struct pollfd){.fd = ctl->wake, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = ctl->listen_fd, .events = POLLIN};
		for (struct request *req = ctl->requests; req; req = req->next) {
			if (req->fd < 0)
				continue;
			/* A waiting client is only watched for hanging up. */
			short events = req->phase == READING ? POLLIN :
				       req->phase == WRITING ? POLLOUT : 0;
			pfd[n + 2] = (struct pollfd){.fd = req->fd, .events = events};
			polled[n++] = req;
		}
		pthread_mutex_unlock(&ctl->lock);
		int ready = poll(pfd, (nfds_t)n + 2, timeout);
		pthread_mutex_lock(&ctl->lock);
		if (ready <= 0)
			continue;
		if (pfd[0].revents) {
			uint64_t count;
			ssize_t r = read(ctl->wake, &count, sizeof count);
			(void)r;	/* the count is reset: that is all */
		}
		for (int i = 0; i < n; i++) {
			struct request *req = polled[i];
			short ev = pfd[i + 2].revents;
			/* The loop may have detached or answered it meanwhile. */
			if (!ev || req->fd != pfd[i + 2].fd)
				continue;
			if (req->phase == READING)
				read_request(ctl, req);
			else if (req->phase == WRITING)
				write_reply(req);
			else if (req->phase == WAITING && (ev & (POLLHUP | POLLERR)))
				close_client(req);
		}
		if (pfd[1].revents)
			accept_client(ctl);
	}
	pthread_mutex_unlock(&ctl->lock);
	return NULL;
}

/* ---------------------------------------------------------------- life */

/*
 * A descriptor number held for one made later (a path-only descriptor of
 * "/"): cheaper than the socket or the eventfd it stands for, which a
 * short script would make at start-up for a thread it never starts.
 */
static int hold_number(void)
{
	return open("/", O_PATH | O_CLOEXEC);
}

/* The descriptor made moves to the number held: 0 or -errno. */
static int take_number(int held, int made)
{
	int r = dup3(made, held, O_CLOEXEC) < 0 ? -errno : 0;
	close(made);
	return r;
}

/* The watchers that wait for the thread's start must not keep the loop
 * alive; libev wants its count back before they stop. */
static void stop_waiting(struct aio_control *ctl)
{
	struct ev_loop *ev = aio_loop_ev(ctl->loop);
	if (ev_is_active(&ctl->door)) {
		ev_ref(ev);
		ev_io_stop(ev, &ctl->door);
	}
	if (ev_is_active(&ctl->delay)) {
		ev_ref(ev);
		ev_timer_stop(ev, &ctl->delay);
	}
	if (ctl->has_timer)
		timer_delete(ctl->timer);
	ctl->has_timer = 0;
}

int aio_control_start(struct aio_control *ctl)
{
	if (ctl->started)
		return ctl->started == 1 ? 0 : -ENOTCONN;
	stop_waiting(ctl);
	int made = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int r = made < 0 ? -errno : take_number(ctl->wake, made);
	if (r == 0 && ctl->late_listen) {
		made = ctl->ops->listen(ctl, ctl->udata);
		r = made < 0 ? made : take_number(ctl->listen_fd, made);
	}
	if (r < 0) {
		ctl->started = -1;
		return r;
	}
	/* Process-directed signals are the loop's, never this thread's. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* Its frames are small: the default 8 MiB stack would be mapped for
	 * nothing. */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	r = pthread_create(&ctl->thread, &attr, serve, ctl);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	ctl->started = r ? -1 : 1;	/* tried once */
	return -r;
}

static void on_door(struct ev_loop *ev, ev_io *w, int revents)
{
	(void)ev;
	(void)revents;
	aio_control_start(aio_container_of(w, struct aio_control, door));
}

static void on_delay(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)revents;
	/* libev has stopped the one-shot timer itself: the count it was
	 * unref'ed from comes back here, as its manual says. */
	ev_ref(ev);
	aio_control_start(aio_container_of(w, struct aio_control, delay));
}

/* The signal at the delay's end, sent to the loop's thread: seen only if
 * the loop has not turned since (else on_delay came first). */
static void arm_timer(struct aio_control *ctl)
{
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = stall_signal();
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &ctl->timer) < 0)
		return;
	ctl->has_timer = 1;
	struct itimerspec when = {.it_value = {.tv_sec = 0,
					       .tv_nsec = (long)(AIO_CONTROL_START_AFTER * 1e9)}};
	timer_settime(ctl->timer, 0, &when, NULL);
}

struct aio_control *aio_control_new(struct aio_loop *loop, int fd,
				    const struct aio_control_ops *ops, void *udata,
				    double stall_after, int *err)
{
	assert(!interrupted && "one control socket a process");
	assert((fd >= 0 || ops->listen) && "no descriptor and none to make");
	struct aio_control *ctl = calloc(1, sizeof *ctl);
	if (!ctl) {
		*err = -ENOMEM;
		close(fd);
		return NULL;
	}
	ctl->loop = loop;
	ctl->ops = ops;
	ctl->udata = udata;
	ctl->stall_after = stall_after;
	ctl->tail = &ctl->requests;
	ctl->loop_thread = pthread_self();
	/* Its descriptors' numbers are taken now, the thread later: a count
	 * of the process's descriptors is the same from the start. */
	ctl->late_listen = fd < 0;
	ctl->listen_fd = fd >= 0 ? fd : hold_number();
	ctl->wake = hold_number();
	int r = pthread_mutex_init(&ctl->lock, NULL);
	if (r || ctl->listen_fd < 0 || ctl->wake < 0) {
		*err = r ? -r : -errno;
		if (!r)
			pthread_mutex_destroy(&ctl->lock);
		close(ctl->listen_fd);
		close(ctl->wake);
		free(ctl);
		return NULL;
	}
	ctl->mailbox = aio_mailbox_new(loop, err);
	if (!ctl->mailbox) {
		pthread_mutex_destroy(&ctl->lock);
		close(ctl->listen_fd);
		close(ctl->wake);
		free(ctl);
		return NULL;
	}
	/* A request (aiod ps, aiod reload) goes ahead of a busy turn's work. */
	aio_mailbox_set_control(ctl->mailbox);
	struct sigaction sa = {.sa_handler = on_stall_signal, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaction(stall_signal(), &sa, &ctl->old_action);
	interrupted = ctl;
	/* A thread costs a short script's run a tenth: it starts when a
	 * client comes, or once the script has run AIO_CONTROL_START_AFTER
	 * (with no socket yet, only then: there is no door). */
	struct ev_loop *ev = aio_loop_ev(loop);
	ev_io_init(&ctl->door, on_door, fd, EV_READ);
	if (fd >= 0) {
		ev_io_start(ev, &ctl->door);
		ev_unref(ev);
	}
	ev_timer_init(&ctl->delay, on_delay, AIO_CONTROL_START_AFTER, 0);
	ev_timer_start(ev, &ctl->delay);
	ev_unref(ev);
	arm_timer(ctl);
	return ctl;
}

void aio_control_free(struct aio_control *ctl)
{
	if (!ctl)
		return;
	interrupted = NULL;
	sigaction(stall_signal(), &ctl->old_action, NULL);
	if (ctl->started != 1) {
		stop_waiting(ctl);
	} else {
		pthread_mutex_lock(&ctl->lock);
		ctl->stopping = 1;
		pthread_mutex_unlock(&ctl->lock);
		wake_thread(ctl);
		pthread_join(ctl->thread, NULL);
	}
	aio_mailbox_free(ctl->mailbox);
	close(ctl->wake);
	while (ctl->requests) {
		struct request *req = ctl->requests;
		ctl->requests = req->next;
		aio_call_cancel(&req->mail.call);
		close_client(req);
		free(req->in);
		free(req);
	}
	while (ctl->refusals) {
		struct refusal *ref = ctl->refusals;
		ctl->refusals = ref->next;
		aio_call_cancel(&ref->mail.call);
		free(ref);
	}
	close(ctl->listen_fd);
	pthread_mutex_destroy(&ctl->lock);
	free(ctl);
}

/* What aio_control_abandon let go of: still reachable, and the thread's
 * until it has seen stopping. Volatile, or the compiler drops a store
 * nothing reads, and LeakSanitizer calls the object lost. */
static struct aio_control *volatile abandoned;

void aio_control_abandon(struct aio_control *ctl)
{
	if (!ctl)
		return;
	if (ctl->started != 1) {
		aio_control_free(ctl);	/* no thread to wait for */
		return;
	}
	/* Not woken: waking it would cost what joining does; it sees
	 * stopping if a client comes before the process is gone. */
	interrupted = NULL;
	sigaction(stall_signal(), &ctl->old_action, NULL);
	pthread_mutex_lock(&ctl->lock);
	ctl->stopping = 1;
	pthread_mutex_unlock(&ctl->lock);
	pthread_detach(ctl->thread);
	/* Its descriptors stay open for it until the process exits: closed
	 * now, their numbers could be another's before it looks again. */
	abandoned = ctl;
}
