/* loop.c -- the event loop: a FIFO of ready calls, a control lane before them, a stable timer heap, libev for I/O */
#include "loop.h"
#include "heap.h"

#include <assert.h>
#include <errno.h>
#include <ev.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct aio_loop {
	struct ev_loop *ev;
	/* Wakes the poll when the earliest timer is due; its callback is empty
	 * because the due timers are collected after every poll anyway. */
	ev_timer wakeup;
	/* Circular lists with sentinels: calls queued for the next turn, and
	 * those of the turn being run. */
	struct aio_call ready;
	struct aio_call batch;
	/* The control lane: calls run before the next ready call, and those
	 * of the lane being run. */
	struct aio_call lane;
	struct aio_call lane_batch;
	/* Set by aio_loop_interrupt from a signal handler, so only ever
	 * written as a whole sig_atomic_t value. */
	volatile sig_atomic_t interrupted;
	aio_interrupt_fn on_interrupt;
	aio_idle_fn on_idle;
	void *idle_ud;
	double idle_delay;
	double idle_since;	/* when it began to sleep with nothing to do (0: it has work) */
	int idle_done;		/* on_idle said it has nothing more for this quiet spell */
	int idle_busy;		/* on_idle is partway through: called at every sleep, quiet or not */
	struct aio_heap timers;
	struct aio_resource resources;	/* sentinel of a circular list */
	unsigned short *owned;	/* by descriptor: how many units own it */
	size_t owned_len;
	unsigned holds;
	int in_turn;
	double last_poll;	/* when I/O was last polled */
	uint64_t turns;		/* that ran calls */
	uint64_t ticks;		/* moves on at every poll and before every call */
	double turn_began;	/* of the turn running, read as it began */
	struct aio_lag lag;	/* how long they took */
};

static void wakeup_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)ev;
	(void)w;
	(void)revents;
}

struct aio_loop *aio_loop_new(int *err)
{
	struct aio_loop *loop = calloc(1, sizeof *loop);
	if (!loop) {
		*err = -ENOMEM;
		return NULL;
	}
	/* Never libev's default loop: it reaps every child on SIGCHLD, the
	 * children of os.execute and io.popen too (process.c reaps its own). */
	loop->ev = ev_loop_new(EVFLAG_AUTO);
	if (!loop->ev) {
		free(loop);
		*err = -ENOMEM;
		return NULL;
	}
	ev_init(&loop->wakeup, wakeup_cb);
	loop->ready.next = loop->ready.prev = &loop->ready;
	loop->batch.next = loop->batch.prev = &loop->batch;
	loop->lane.next = loop->lane.prev = &loop->lane;
	loop->lane_batch.next = loop->lane_batch.prev = &loop->lane_batch;
	loop->resources.next = loop->resources.prev = &loop->resources;
	return loop;
}

static int list_empty(const struct aio_call *sentinel)
{
	return sentinel->next == sentinel;
}

void aio_loop_drain(struct aio_loop *loop,
		    void (*drop)(struct aio_call *call, void *ud), void *ud)
{
	struct aio_call *lists[] = {&loop->lane, &loop->lane_batch, &loop->ready, &loop->batch};
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
		while (!list_empty(lists[i])) {
			struct aio_call *call = lists[i]->next;
			aio_call_cancel(call);
			if (drop)
				drop(call, ud);
		}
	}
	/* The last timer leaves the heap without reordering it. */
	while (loop->timers.len > 0) {
		struct aio_timer *timer = loop->timers.items[loop->timers.len - 1];
		aio_heap_remove(&loop->timers, timer);
		if (drop)
			drop(&timer->call, ud);
	}
}

void aio_loop_free(struct aio_loop *loop)
{
	if (!loop)
		return;
	/* Leave every call and timer idle, so owners may cancel or reuse them. */
	aio_loop_drain(loop, NULL, NULL);
	while (loop->resources.next != &loop->resources) {
		struct aio_resource *res = loop->resources.next;
		aio_loop_untrack(res);
		res->close(res);
	}
	ev_timer_stop(loop->ev, &loop->wakeup);
	ev_loop_destroy(loop->ev);
	aio_heap_destroy(&loop->timers);
	free(loop->owned);
	free(loop);
}

struct ev_loop *aio_loop_ev(struct aio_loop *loop)
{
	return loop->ev;
}

double aio_loop_time(struct aio_loop *loop)
{
	struct timespec ts;
	(void)loop;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void append(struct aio_call *list, struct aio_call *call)
{
	call->next = list;
	call->prev = list->prev;
	list->prev->next = call;
	list->prev = call;
}

void aio_call_soon(struct aio_loop *loop, struct aio_call *call, aio_call_fn fn)
{
	assert(!call->next && "call queued twice");
	call->fn = fn;
	append(&loop->ready, call);
}

void aio_call_first(struct aio_loop *loop, struct aio_call *call, aio_call_fn fn)
{
	assert(!call->next && "call queued twice");
	call->fn = fn;
	append(&loop->lane, call);
}

void aio_call_hurry(struct aio_loop *loop, struct aio_call *call)
{
	if (!call->next)
		return;
	aio_call_cancel(call);
	append(&loop->lane, call);
}

void aio_loop_on_interrupt(struct aio_loop *loop, aio_interrupt_fn fn)
{
	loop->on_interrupt = fn;
}

void aio_loop_on_idle(struct aio_loop *loop, aio_idle_fn fn, void *ud, double delay)
{
	loop->on_idle = fn;
	loop->idle_ud = ud;
	loop->idle_delay = delay;
}

void aio_loop_interrupt(struct aio_loop *loop)
{
	loop->interrupted = 1;
}

void aio_call_cancel(struct aio_call *call)
{
	if (!call->next)
		return;
	call->prev->next = call->next;
	call->next->prev = call->prev;
	call->next = call->prev = NULL;
}

int aio_timer_start(struct aio_loop *loop, struct aio_timer *timer,
		    double when, aio_call_fn fn)
{
	assert(!timer->call.next && "timer restarted before its call ran");
	timer->when = when;
	timer->call.fn = fn;
	return aio_heap_push(&loop->timers, timer);
}

void aio_timer_stop(struct aio_loop *loop, struct aio_timer *timer)
{
	if (timer->heap_index != AIO_TIMER_IDLE)
		aio_heap_remove(&loop->timers, timer);
	else
		aio_call_cancel(&timer->call);
}

void aio_loop_track(struct aio_loop *loop, struct aio_resource *res,
		    void (*close)(struct aio_resource *res))
{
	res->close = close;
	res->next = &loop->resources;
	res->prev = loop->resources.prev;
	loop->resources.prev->next = res;
	loop->resources.prev = res;
}

void aio_loop_untrack(struct aio_resource *res)
{
	if (!res->next)
		return;
	res->prev->next = res->next;
	res->next->prev = res->prev;
	res->next = res->prev = NULL;
}

int aio_loop_own_fd(struct aio_loop *loop, int fd)
{
	assert(fd >= 0);
	if ((size_t)fd >= loop->owned_len) {
		size_t len = loop->owned_len ? loop->owned_len : 64;
		while (len <= (size_t)fd)
			len *= 2;
		unsigned short *owned = realloc(loop->owned, len * sizeof *owned);
		if (!owned)
			return -ENOMEM;
		memset(owned + loop->owned_len, 0, (len - loop->owned_len) * sizeof *owned);
		loop->owned = owned;
		loop->owned_len = len;
	}
	assert(loop->owned[fd] < USHRT_MAX);
	loop->owned[fd]++;
	return 0;
}

void aio_loop_disown_fd(struct aio_loop *loop, int fd)
{
	assert(fd >= 0 && (size_t)fd < loop->owned_len && loop->owned[fd] > 0);
	loop->owned[fd]--;
}

int aio_loop_owns_fd(const struct aio_loop *loop, int fd)
{
	return fd >= 0 && (size_t)fd < loop->owned_len && loop->owned[fd] > 0;
}

/* libev blocks in a poll only while something counts for its loop: a
 * hold counts, so a loop held for a watcher that libev does not count (an
 * unref'd one, a thread's mail) sleeps instead of spinning. */
void aio_loop_hold(struct aio_loop *loop)
{
	loop->holds++;
	ev_ref(loop->ev);
}

void aio_loop_release(struct aio_loop *loop)
{
	assert(loop->holds > 0 && "release without hold");
	loop->holds--;
	ev_unref(loop->ev);
}

size_t aio_loop_timer_count(struct aio_loop *loop)
{
	return loop->timers.len;
}

enum aio_loop_state aio_loop_state(struct aio_loop *loop)
{
	if (!list_empty(&loop->ready) || !list_empty(&loop->batch) ||
	    !list_empty(&loop->lane) || loop->timers.len)
		return AIO_LOOP_ALIVE;
	return loop->holds ? AIO_LOOP_ALIVE : AIO_LOOP_IDLE;
}

/*
 * While calls are ready, I/O is polled at most this often (seconds): turns
 * that only hand work between tasks (a queue's producer and consumer) would
 * otherwise pay a system call each. Timers do not wait for it; they are
 * checked against the clock every turn.
 */
#define BUSY_POLL_INTERVAL 100e-6

/*
 * For a loop about to sleep: when to wake for the idle hook (HUGE_VAL:
 * not this spell), or 0 when the hook ran and has more to do, so the
 * loop must not sleep.
 */
static double idle_turn(struct aio_loop *loop, double now)
{
	if (loop->idle_since == 0)
		loop->idle_since = now;
	double due = loop->idle_since + loop->idle_delay;
	if (now < due && !loop->idle_busy)
		return due;
	loop->idle_busy = loop->on_idle(loop, loop->idle_ud);
	if (loop->idle_busy)
		return 0;
	loop->idle_done = 1;
	return HUGE_VAL;
}

static void poll_events(struct aio_loop *loop)
{
	struct aio_timer *first = aio_heap_top(&loop->timers);
	if (!list_empty(&loop->ready) || !list_empty(&loop->lane)) {
		double now = aio_loop_time(loop);
		if (now - loop->last_poll >= BUSY_POLL_INTERVAL) {
			loop->last_poll = now;
			ev_run(loop->ev, EVRUN_NOWAIT);
		}
		return;
	}
	int mode = first || loop->holds ? EVRUN_ONCE : EVRUN_NOWAIT;
	ev_now_update(loop->ev);
	double now = aio_loop_time(loop);
	double wake = first ? first->when : HUGE_VAL;
	if (mode == EVRUN_ONCE && loop->on_idle && !loop->idle_done) {
		double due = idle_turn(loop, now);
		if (due == 0)
			mode = EVRUN_NOWAIT;
		else if (due < wake)
			wake = due;
	}
	if (mode == EVRUN_ONCE && wake < HUGE_VAL) {
		ev_timer_set(&loop->wakeup, wake > now ? wake - now : 0, 0);
		ev_timer_start(loop->ev, &loop->wakeup);
	}
	ev_run(loop->ev, mode);
	ev_timer_stop(loop->ev, &loop->wakeup);
	loop->last_poll = aio_loop_time(loop);
}

static void queue_due_timers(struct aio_loop *loop)
{
	struct aio_timer *timer = aio_heap_top(&loop->timers);
	if (!timer)
		return;
	double now = aio_loop_time(loop);
	while (timer && timer->when <= now) {
		aio_heap_remove(&loop->timers, timer);
		aio_call_soon(loop, &timer->call, timer->call.fn);
		timer = aio_heap_top(&loop->timers);
	}
}

/* Moves the calls of list aside into batch: what they queue waits for the next batch. */
static void take(struct aio_call *list, struct aio_call *batch)
{
	if (list_empty(list))
		return;
	batch->next = list->next;
	batch->prev = list->prev;
	batch->next->prev = batch;
	batch->prev->next = batch;
	list->next = list->prev = list;
}

static void run_first(struct aio_loop *loop, struct aio_call *batch)
{
	struct aio_call *call = batch->next;
	/* Unlinking a call writes the node after it, which the next call's
	 * unlink reads: fetched a call ahead, a turn of many ready calls does
	 * not wait on memory at each (100,000 tasks' steps: ~10 % less time). */
	if (call->next != batch)
		__builtin_prefetch(call->next->next, 1);
	aio_call_cancel(call);
	loop->ticks++;
	call->fn(call);
}

/*
 * Between two ready calls: what a signal handler asked for, then the
 * calls in the lane now. One that queues itself in the lane again waits
 * behind the next ready call, so control work that loops cannot starve
 * the rest.
 */
static void run_lane(struct aio_loop *loop)
{
	if (loop->interrupted) {
		loop->interrupted = 0;
		if (loop->on_interrupt)
			loop->on_interrupt(loop);
	}
	if (list_empty(&loop->lane))
		return;
	take(&loop->lane, &loop->lane_batch);
	while (!list_empty(&loop->lane_batch))
		run_first(loop, &loop->lane_batch);
}

static int lane_waits(const struct aio_loop *loop)
{
	return loop->interrupted || !list_empty(&loop->lane);
}

enum aio_loop_state aio_loop_run_once(struct aio_loop *loop)
{
	assert(!loop->in_turn && "aio_loop_run_once called from a call it runs");
	poll_events(loop);
	loop->ticks++;
	queue_due_timers(loop);
	if (list_empty(&loop->ready) && !lane_waits(loop))
		return aio_loop_state(loop);
	loop->idle_since = 0;
	loop->idle_done = 0;
	struct aio_call *batch = &loop->batch;
	take(&loop->ready, batch);
	loop->in_turn = 1;
	double began = aio_loop_time(loop);
	loop->turn_began = began;
	for (;;) {
		if (lane_waits(loop))
			run_lane(loop);
		if (list_empty(batch))
			break;
		run_first(loop, batch);
	}
	double now = aio_loop_time(loop);
	aio_lag_record(&loop->lag, now, now - began);
	loop->turns++;
	loop->in_turn = 0;
	return aio_loop_state(loop);
}

uint64_t aio_loop_turns(struct aio_loop *loop)
{
	return loop->turns;
}

uint64_t aio_loop_ticks(const struct aio_loop *loop)
{
	return loop->ticks;
}

double aio_loop_turn_began(const struct aio_loop *loop)
{
	return loop->in_turn ? loop->turn_began : 0;
}

void aio_loop_lag(struct aio_loop *loop, struct aio_lag_summary *out)
{
	aio_lag_summarize(&loop->lag, aio_loop_time(loop), out);
}
