/* loop.h -- the event loop: a FIFO of ready calls, a control lane before them, a stable timer heap, libev for I/O */
#ifndef AIO_LOOP_H
#define AIO_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "lag.h"

struct aio_loop;
struct aio_call;

#define aio_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

typedef void (*aio_call_fn)(struct aio_call *call);
typedef void (*aio_interrupt_fn)(struct aio_loop *loop);
/* Work for a loop that would otherwise sleep: nonzero while more is left. */
typedef int (*aio_idle_fn)(struct aio_loop *loop, void *ud);

/*
 * A call waiting in the ready queue. Callers embed it in their own struct
 * zeroed, and recover the struct with
 * aio_container_of in fn. A call is in the queue at most once; cancelling
 * unlinks it, so its owner may free it right after.
 */
struct aio_call {
	struct aio_call *next;	/* NULL while not queued */
	struct aio_call *prev;
	aio_call_fn fn;
};

/*
 * A one-shot timer. When its deadline passes, its call is moved to the ready
 * queue; timers with the same deadline are queued in the order they were
 * started (the heap orders by deadline, then by a start sequence number).
 */
struct aio_timer {
	struct aio_call call;
	double when;
	uint64_t seq;
	size_t heap_index;	/* AIO_TIMER_IDLE when not in the heap */
};

#define AIO_TIMER_IDLE SIZE_MAX

/* Readies caller-owned timer storage; needed once before the first start. */
static inline void aio_timer_init(struct aio_timer *timer)
{
	timer->call.next = timer->call.prev = NULL;
	timer->heap_index = AIO_TIMER_IDLE;
}

/* Result of aio_loop_run_once. */
enum aio_loop_state {
	AIO_LOOP_ALIVE,		/* more may happen: ready calls, timers or watchers */
	AIO_LOOP_IDLE,		/* nothing is queued or armed: nothing can happen */
};

/*
 * Makes a loop. The first live loop of the process drives libev's default
 * loop (the only one that can watch child processes); later ones get their
 * own. Returns NULL and sets *err to a negative errno on failure.
 */
struct aio_loop *aio_loop_new(int *err);

/*
 * Makes every queued call and armed timer idle, then hands each to drop
 * (with ud), so owners can release what they hold for it; drop may free
 * the call's memory. For closing a loop whose work will never run.
 */
void aio_loop_drain(struct aio_loop *loop,
		    void (*drop)(struct aio_call *call, void *ud), void *ud);

/*
 * Frees a loop made by aio_loop_new. Queued calls are dropped, not run, and
 * calls and timers are left idle (unqueued, unarmed) for their owners.
 */
void aio_loop_free(struct aio_loop *loop);

/* The libev loop, for runtime units that add their own watchers. */
struct ev_loop *aio_loop_ev(struct aio_loop *loop);

/* Monotonic seconds, read now. */
double aio_loop_time(struct aio_loop *loop);

/* Appends call to the ready queue; it must not be queued already. */
void aio_call_soon(struct aio_loop *loop, struct aio_call *call, aio_call_fn fn);

/*
 * Queues call in the control lane: it runs before the next ready call,
 * even in the middle of a turn, so control work (a reload, a stop) does
 * not wait behind a turn full of I/O. It must not be queued already.
 */
void aio_call_first(struct aio_loop *loop, struct aio_call *call, aio_call_fn fn);

/* Moves a queued call into the control lane. Harmless on a call not queued. */
void aio_call_hurry(struct aio_loop *loop, struct aio_call *call);

/*
 * Async-signal-safe: asks loop to call its interrupt function before its
 * next ready call (or on its next turn), wherever it is in a turn. One
 * function per loop (NULL: none), set with aio_loop_on_interrupt.
 */
void aio_loop_interrupt(struct aio_loop *loop);
void aio_loop_on_interrupt(struct aio_loop *loop, aio_interrupt_fn fn);
/*
 * fn(loop, ud) is called once the loop has slept delay seconds with
 * nothing to do (NULL: never); the loop wakes for it then, if nothing
 * else woke it. While fn returns nonzero the loop polls without blocking
 * and calls it again, so its work comes in slices that I/O and timers get
 * between (each should take well under a millisecond); once it returns 0
 * it is not called again until the loop has had work and slept again.
 */
void aio_loop_on_idle(struct aio_loop *loop, aio_idle_fn fn, void *ud, double delay);

/* Takes call out of its queue (ready or lane). Harmless on a call not queued. */
void aio_call_cancel(struct aio_call *call);

/* Whether call is queued (ready or in the lane). */
static inline int aio_call_queued(const struct aio_call *call)
{
	return call->next != NULL;
}

/*
 * Arms timer to queue its call, with fn, at monotonic time when. The timer
 * must be idle: neither armed nor queued. Returns 0, -ENOMEM, or -EINVAL
 * when is NaN (the timer stays idle; the other timers are unharmed).
 */
int aio_timer_start(struct aio_loop *loop, struct aio_timer *timer,
		     double when, aio_call_fn fn);

/* Disarms timer, or takes its call out of the queue if it was due. */
void aio_timer_stop(struct aio_loop *loop, struct aio_timer *timer);

/*
 * Counts a watcher of another runtime unit as something that can still
 * happen, so the loop polls for it instead of ending; release undoes it.
 */
void aio_loop_hold(struct aio_loop *loop);
void aio_loop_release(struct aio_loop *loop);

/*
 * Something of another runtime unit that has watchers on the loop (a
 * stream, a listener). aio_loop_free calls close on each one still tracked,
 * after untracking it, so it can stop its watchers and close its descriptors
 * while libev's loop still exists; the owner's object then stays usable as
 * a closed one. Caller-owned storage.
 */
struct aio_resource {
	struct aio_resource *next;
	struct aio_resource *prev;
	void (*close)(struct aio_resource *res);
};

void aio_loop_track(struct aio_loop *loop, struct aio_resource *res,
		    void (*close)(struct aio_resource *res));
/* Harmless on a resource not tracked. */
void aio_loop_untrack(struct aio_resource *res);

/*
 * Descriptors that units of the loop watch and close themselves (a
 * stream's, a listener's, a datagram endpoint's), counted per descriptor
 * since one may be taken twice (a pipe read and written on descriptor 0).
 * The hooks that watch a script's own descriptors refuse these. own: 0 or
 * -ENOMEM; disown undoes one own.
 */
int aio_loop_own_fd(struct aio_loop *loop, int fd);
void aio_loop_disown_fd(struct aio_loop *loop, int fd);
int aio_loop_owns_fd(const struct aio_loop *loop, int fd);

/* Number of armed timers. */
size_t aio_loop_timer_count(struct aio_loop *loop);

/*
 * One turn of the loop, as in Python's asyncio: poll for I/O (blocking only
 * when no call is ready, and only while a timer or a held watcher
 * could wake it), queue the due timers, then run the calls that were ready
 * when the turn began. Calls queued meanwhile wait for the next turn, but
 * for those in the control lane, run before each of them.
 * Not re-entrant: a call it runs must not run the loop again.
 */
enum aio_loop_state aio_loop_run_once(struct aio_loop *loop);

/* How many turns ran calls since the loop was made. */
uint64_t aio_loop_turns(struct aio_loop *loop);

/*
 * A count that moves on at every poll and before every call a turn runs:
 * a call that reads it equal to what the call before it left, plus one,
 * knows that nothing ran in between (so a clock reading can be shared).
 */
uint64_t aio_loop_ticks(const struct aio_loop *loop);

/* When the turn running now began to run its calls (monotonic seconds,
 * read then); 0 outside a turn. Cheaper than a clock read, and as good
 * for anything measured in turns (a task's age). */
double aio_loop_turn_began(const struct aio_loop *loop);

/* How long the turns of the last minute took (from the first call a turn
 * ran to the end of its last): how long an event may wait behind others. */
void aio_loop_lag(struct aio_loop *loop, struct aio_lag_summary *out);

/* Whether anything is queued, armed or held. */
enum aio_loop_state aio_loop_state(struct aio_loop *loop);

#endif
