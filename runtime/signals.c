/* signals.c -- POSIX signals delivered as calls in the ready queue or the control lane */
#include "signals.h"

#include <ev.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct aio_signal {
	ev_signal watcher;
	struct aio_call call;
	struct aio_loop *loop;
	struct aio_signal *next;	/* in by_signum[signum] */
	aio_signal_fn fn;
	void *udata;
	int flags;
};

/* libev lets one loop own a signal and asserts on a second; we refuse it.
 * The handler reads owner, written only while no handler is in place. */
static struct aio_loop *owner[NSIG];
static int watchers[NSIG];
static struct aio_signal *by_signum[NSIG];

/* Read by signal_handler, so written only as whole sig_atomic_t values. */
static volatile sig_atomic_t takers[NSIG];	/* watchers without AIO_SIGNAL_DEFAULT */
static volatile sig_atomic_t is_stop[NSIG];
static volatile sig_atomic_t stops_seen;
/* Arrived and not yet delivered, by whichever path sees it first: the
 * owner loop's interrupt between two calls, or libev's watcher after a poll. */
static volatile sig_atomic_t raised[NSIG];
static aio_stop_fn on_first_stop;
static aio_stop_fn on_exit_now;

static void run_signal(struct aio_call *call)
{
	struct aio_signal *sig = aio_container_of(call, struct aio_signal, call);
	if ((sig->flags & AIO_SIGNAL_DEFAULT) && takers[sig->watcher.signum])
		return;
	sig->fn(sig, sig->udata);
}

/*
 * In place of libev's own handler (which only calls ev_feed_signal): the
 * owner loop hears of the signal between two calls, not only at its next
 * poll; and for a stop signal the count is kept here, not in the loop,
 * because a loop stuck in a task never turns to see the first one.
 */
static void signal_handler(int signum)
{
	int saved = errno;
	if (is_stop[signum] && !takers[signum]) {
		if (++stops_seen > 1) {
			if (on_exit_now)
				on_exit_now(signum);
			_exit(128 + signum);
		}
		if (on_first_stop)
			on_first_stop(signum);
	}
	raised[signum] = 1;
	aio_loop_interrupt(owner[signum]);
	ev_feed_signal(signum);
	errno = saved;
}

static void install_handler(int signum)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = signal_handler;
	sigfillset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(signum, &sa, NULL);
}

/* Queues every watcher of signum once for a signal that arrived; a
 * control watcher's call goes to the lane. */
static void deliver(int signum)
{
	if (!raised[signum])
		return;
	raised[signum] = 0;
	for (struct aio_signal *sig = by_signum[signum]; sig; sig = sig->next) {
		if (!(sig->flags & AIO_SIGNAL_CONTROL)) {
			if (!aio_call_queued(&sig->call))
				aio_call_soon(sig->loop, &sig->call, run_signal);
		} else if (aio_call_queued(&sig->call)) {
			aio_call_hurry(sig->loop, &sig->call);
		} else {
			aio_call_first(sig->loop, &sig->call, run_signal);
		}
	}
}

static void deliver_raised(struct aio_loop *loop)
{
	for (int signum = 1; signum < NSIG; signum++)
		if (raised[signum] && owner[signum] == loop)
			deliver(signum);
}

void aio_signal_on_first_stop(aio_stop_fn fn)
{
	on_first_stop = fn;
}

void aio_signal_on_exit_now(aio_stop_fn fn)
{
	on_exit_now = fn;
}

void aio_signal_set_stop(int signum, int on)
{
	if (signum <= 0 || signum >= NSIG)
		return;
	is_stop[signum] = on != 0;
}

int aio_signal_taken(int signum)
{
	return signum > 0 && signum < NSIG && takers[signum] > 0;
}

static void signal_cb(struct ev_loop *ev, ev_signal *w, int revents)
{
	(void)ev;
	(void)revents;
	deliver(w->signum);
}

struct aio_signal *aio_signal_new(struct aio_loop *loop, int signum,
				  aio_signal_fn fn, void *udata,
				  int flags, int *err)
{
	if (signum <= 0 || signum >= NSIG || signum == SIGKILL || signum == SIGSTOP) {
		*err = -EINVAL;
		return NULL;
	}
	if (watchers[signum] && owner[signum] != loop) {
		*err = -EBUSY;
		return NULL;
	}
	struct aio_signal *sig = calloc(1, sizeof *sig);
	if (!sig) {
		*err = -ENOMEM;
		return NULL;
	}
	owner[signum] = loop;
	int first = watchers[signum]++ == 0;
	sig->next = by_signum[signum];
	by_signum[signum] = sig;
	if (first)
		aio_loop_on_interrupt(loop, deliver_raised);
	sig->loop = loop;
	sig->fn = fn;
	sig->udata = udata;
	sig->flags = flags;
	if (!(flags & AIO_SIGNAL_DEFAULT))
		takers[signum]++;
	ev_signal_init(&sig->watcher, signal_cb, signum);
	/* The first watcher of a signal puts libev's handler in place;
	 * ours replaces it. Later ones leave ours there. */
	ev_signal_start(aio_loop_ev(loop), &sig->watcher);
	if (first)
		install_handler(signum);
	if (flags & AIO_SIGNAL_KEEPS_ALIVE)
		aio_loop_hold(loop);
	return sig;
}

void aio_signal_free(struct aio_signal *sig)
{
	if (!sig)
		return;
	if (sig->flags & AIO_SIGNAL_KEEPS_ALIVE)
		aio_loop_release(sig->loop);
	if (!(sig->flags & AIO_SIGNAL_DEFAULT))
		takers[sig->watcher.signum]--;
	ev_signal_stop(aio_loop_ev(sig->loop), &sig->watcher);
	watchers[sig->watcher.signum]--;
	struct aio_signal **link = &by_signum[sig->watcher.signum];
	while (*link != sig)
		link = &(*link)->next;
	*link = sig->next;
	aio_call_cancel(&sig->call);
	free(sig);
}

int aio_signal_signum(const struct aio_signal *sig)
{
	return sig->watcher.signum;
}

const char *aio_backend_version(void)
{
	static char text[32];
	if (!text[0])
		snprintf(text, sizeof text, "libev %d.%d", ev_version_major(),
			 ev_version_minor());
	return text;
}

static const struct {
	const char *name;
	int number;
} signal_names[] = {
	{"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL},
	{"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"BUS", SIGBUS}, {"FPE", SIGFPE},
	{"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
	{"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD},
	{"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
	{"TTOU", SIGTTOU}, {"URG", SIGURG}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
	{"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
	{"IO", SIGIO}, {"SYS", SIGSYS},
};

int aio_signal_number(const char *name)
{
	if (*name >= '0' && *name <= '9') {
		char *end;
		long n = strtol(name, &end, 10);
		return !*end && n > 0 && n < NSIG ? (int)n : -1;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < sizeof signal_names / sizeof *signal_names; i++)
		if (strcasecmp(name, signal_names[i].name) == 0)
			return signal_names[i].number;
	return -1;
}

const char *aio_signal_name(int signum)
{
	for (size_t i = 0; i < sizeof signal_names / sizeof *signal_names; i++)
		if (signal_names[i].number == signum)
			return signal_names[i].name;
	return NULL;
}
