/* check_loop.c -- Check tests for runtime/loop.c: ready queue, control lane, turns, timers, state, loops */
#include "check_runtime.h"
#include "check_util.h"
#include "loop.h"

/* Only to ask libev which loop is its default one; nothing else uses it. */
#include <ev.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>

/* What ran, in order, by id; reset before every test. */
#define LOG_MAX 64
static int ran[LOG_MAX];
static size_t ran_len;

static void log_reset(void)
{
	ran_len = 0;
}

static void log_id(int id)
{
	ck_assert_uint_lt(ran_len, LOG_MAX);
	ran[ran_len++] = id;
}

static void check_log(const int *expect, size_t n)
{
	ck_assert_uint_eq(ran_len, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(ran[i] == expect[i], "ran[%zu] is %d, expected %d",
			      i, ran[i], expect[i]);
}

#define CHECK_LOG(...)                                                   \
	do {                                                             \
		static const int expect_[] = {__VA_ARGS__};              \
		check_log(expect_, sizeof expect_ / sizeof *expect_);    \
	} while (0)

/* A queued call with what its fn may act on. */
struct job {
	struct aio_call call;
	int id;
	struct aio_loop *loop;
	struct job *peer;
	struct aio_timer *timer;
};

struct tick {
	struct aio_timer timer;
	int id;
	struct aio_loop *loop;
};

static struct job *job_of(struct aio_call *call)
{
	return aio_container_of(call, struct job, call);
}

static struct tick *tick_of(struct aio_call *call)
{
	return aio_container_of(call, struct tick, timer.call);
}

static void job_record(struct aio_call *call)
{
	ck_assert(!aio_call_queued(call));
	log_id(job_of(call)->id);
}

static void job_queue_peer(struct aio_call *call)
{
	struct job *job = job_of(call);
	log_id(job->id);
	aio_call_soon(job->loop, &job->peer->call, job_record);
}

static void job_queue_self(struct aio_call *call)
{
	struct job *job = job_of(call);
	log_id(job->id);
	aio_call_soon(job->loop, call, job_queue_self);
}

static void job_cancel_peer(struct aio_call *call)
{
	struct job *job = job_of(call);
	log_id(job->id);
	ck_assert(aio_call_queued(&job->peer->call));
	aio_call_cancel(&job->peer->call);
	ck_assert(!aio_call_queued(&job->peer->call));
}

static void job_cancel_free_peer(struct aio_call *call)
{
	struct job *job = job_of(call);
	log_id(job->id);
	aio_call_cancel(&job->peer->call);
	free(job->peer);
}

/* Stops a timer that is due in this same turn: out of the heap, queued. */
static void job_stop_due_timer(struct aio_call *call)
{
	struct job *job = job_of(call);
	log_id(job->id);
	ck_assert_uint_eq(job->timer->heap_index, AIO_TIMER_IDLE);
	ck_assert(aio_call_queued(&job->timer->call));
	aio_timer_stop(job->loop, job->timer);
	ck_assert(!aio_call_queued(&job->timer->call));
}

static void tick_record(struct aio_call *call)
{
	struct tick *tick = tick_of(call);
	ck_assert_uint_eq(tick->timer.heap_index, AIO_TIMER_IDLE);
	ck_assert(!aio_call_queued(call));
	log_id(tick->id);
}

static void tick_restart(struct aio_call *call)
{
	struct tick *tick = tick_of(call);
	log_id(tick->id);
	ck_assert_int_eq(aio_timer_start(tick->loop, &tick->timer,
					 aio_loop_time(tick->loop) - 1, tick_record), 0);
}

static void job_prepare(struct job *jobs, size_t n, struct aio_loop *loop)
{
	for (size_t i = 0; i < n; i++)
		jobs[i] = (struct job){.id = (int)i, .loop = loop};
}

static void tick_prepare(struct tick *ticks, size_t n, struct aio_loop *loop)
{
	for (size_t i = 0; i < n; i++) {
		ticks[i] = (struct tick){.id = (int)i, .loop = loop};
		aio_timer_init(&ticks[i].timer);
	}
}

/* core */

START_TEST(test_loop_new_is_idle)
{
	struct aio_loop *loop = loop_make();
	ck_assert_ptr_nonnull(aio_loop_ev(loop));
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	ck_assert_uint_eq(aio_loop_timer_count(loop), 0);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_call_soon_fifo)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[5];
	job_prepare(jobs, 5, loop);
	for (size_t i = 0; i < 5; i++) {
		aio_call_soon(loop, &jobs[i].call, job_record);
		ck_assert(aio_call_queued(&jobs[i].call));
	}
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(0, 1, 2, 3, 4);
	for (size_t i = 0; i < 5; i++)
		ck_assert(!aio_call_queued(&jobs[i].call));
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_call_requeue_after_run)
{
	struct aio_loop *loop = loop_make();
	struct job job = {.id = 7, .loop = loop};
	aio_call_soon(loop, &job.call, job_record);
	aio_loop_run_once(loop);
	aio_call_soon(loop, &job.call, job_record);
	aio_loop_run_once(loop);
	CHECK_LOG(7, 7);
	aio_loop_free(loop);
}
END_TEST

/* The header: "Queued calls are dropped", and a call's next is "NULL while
 * not queued"; a dropped call must not look queued (nor point into the
 * freed loop, where a later aio_call_cancel would write). */
START_TEST(test_loop_free_drops_queued_calls)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[2];
	job_prepare(jobs, 2, loop);
	aio_call_soon(loop, &jobs[0].call, job_record);
	aio_call_soon(loop, &jobs[1].call, job_record);
	aio_loop_free(loop);
	ck_assert_uint_eq(ran_len, 0);
	ck_assert_msg(!aio_call_queued(&jobs[0].call),
		      "a call dropped by aio_loop_free still looks queued");
	ck_assert(!aio_call_queued(&jobs[1].call));
}
END_TEST

/* aio_loop_drain hands every queued call and armed timer to drop, idle, so
 * a closing loop's owners can release what they hold for them. */
static int drained;

static void count_drop(struct aio_call *call, void *ud)
{
	ck_assert_ptr_eq(ud, &drained);
	ck_assert(!aio_call_queued(call));
	drained++;
}

START_TEST(test_loop_drain_hands_back_calls_and_timers)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[2];
	struct tick ticks[3];
	job_prepare(jobs, 2, loop);
	tick_prepare(ticks, 3, loop);
	aio_call_soon(loop, &jobs[0].call, job_record);
	aio_call_soon(loop, &jobs[1].call, job_record);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(aio_timer_start(loop, &ticks[i].timer,
						 aio_loop_time(loop) + 10 + i, tick_record), 0);
	drained = 0;
	aio_loop_drain(loop, count_drop, &drained);
	ck_assert_int_eq(drained, 5);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(ticks[i].timer.heap_index, AIO_TIMER_IDLE);
	ck_assert_uint_eq(aio_loop_timer_count(loop), 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_uint_eq(ran_len, 0);
	aio_loop_free(loop);
}
END_TEST

/* order: the turn semantics of aio_loop_run_once */

START_TEST(test_loop_order_queued_in_turn_waits)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[4];
	job_prepare(jobs, 4, loop);
	jobs[0].peer = &jobs[2];
	jobs[1].peer = &jobs[3];
	aio_call_soon(loop, &jobs[0].call, job_queue_peer);
	aio_call_soon(loop, &jobs[1].call, job_queue_peer);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_ALIVE);
	CHECK_LOG(0, 1);
	ck_assert(aio_call_queued(&jobs[2].call));
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(0, 1, 2, 3);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_order_self_requeue_once_per_turn)
{
	struct aio_loop *loop = loop_make();
	struct job job = {.id = 1, .loop = loop};
	aio_call_soon(loop, &job.call, job_queue_self);
	for (int turn = 0; turn < 3; turn++)
		ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_ALIVE);
	CHECK_LOG(1, 1, 1);
	aio_call_cancel(&job.call);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

/* A call queued behind a turn's calls runs after them, not among them. */
START_TEST(test_loop_order_new_calls_after_old)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[3];
	job_prepare(jobs, 3, loop);
	jobs[0].peer = &jobs[2];
	aio_call_soon(loop, &jobs[0].call, job_queue_peer);
	aio_call_soon(loop, &jobs[1].call, job_record);
	aio_loop_run_once(loop);
	CHECK_LOG(0, 1);
	aio_loop_run_once(loop);
	CHECK_LOG(0, 1, 2);
	aio_loop_free(loop);
}
END_TEST

/* lane: the control lane, run before the next ready call */

static void job_first_peer(struct aio_call *call)
{
	struct job *job = job_of(call);
	log_id(job->id);
	aio_call_first(job->loop, &job->peer->call, job_record);
}

static void job_first_self(struct aio_call *call)
{
	struct job *job = job_of(call);
	log_id(job->id);
	aio_call_first(job->loop, call, job_first_self);
}

static void job_hurry_peer(struct aio_call *call)
{
	struct job *job = job_of(call);
	log_id(job->id);
	aio_call_hurry(job->loop, &job->peer->call);
}

static void job_interrupt(struct aio_call *call)
{
	struct job *job = job_of(call);
	log_id(job->id);
	aio_loop_interrupt(job->loop);
}

static void on_interrupt(struct aio_loop *loop)
{
	(void)loop;
	log_id(7);
}

/* Queued in the lane mid-turn, a call runs before the turn's next call. */
START_TEST(test_loop_lane_runs_before_next_ready)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[4];
	job_prepare(jobs, 4, loop);
	jobs[0].peer = &jobs[3];
	aio_call_soon(loop, &jobs[0].call, job_first_peer);
	aio_call_soon(loop, &jobs[1].call, job_record);
	aio_call_soon(loop, &jobs[2].call, job_record);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(0, 3, 1, 2);
	aio_loop_free(loop);
}
END_TEST

/* One that queues itself in the lane again lets a ready call run between. */
START_TEST(test_loop_lane_self_requeue_lets_ready_run)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[3];
	job_prepare(jobs, 3, loop);
	struct job lane = {.id = 9, .loop = loop};
	aio_call_soon(loop, &jobs[0].call, job_record);
	aio_call_soon(loop, &jobs[1].call, job_record);
	aio_call_first(loop, &lane.call, job_first_self);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_ALIVE);
	CHECK_LOG(9, 0, 9, 1, 9);
	aio_call_cancel(&lane.call);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

/* Hurried, a call already queued moves ahead of the ready calls. */
START_TEST(test_loop_lane_hurry_moves_ahead)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[3];
	job_prepare(jobs, 3, loop);
	jobs[0].peer = &jobs[2];
	aio_call_soon(loop, &jobs[0].call, job_hurry_peer);
	aio_call_soon(loop, &jobs[1].call, job_record);
	aio_call_soon(loop, &jobs[2].call, job_record);
	aio_loop_run_once(loop);
	CHECK_LOG(0, 2, 1);
	aio_call_hurry(loop, &jobs[1].call);	/* not queued: harmless */
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

/* An interrupt is acted on before the next call, and on a turn with none. */
START_TEST(test_loop_lane_interrupt_between_calls)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[2];
	job_prepare(jobs, 2, loop);
	aio_loop_on_interrupt(loop, on_interrupt);
	aio_call_soon(loop, &jobs[0].call, job_interrupt);
	aio_call_soon(loop, &jobs[1].call, job_record);
	aio_loop_run_once(loop);
	CHECK_LOG(0, 7, 1);
	aio_loop_interrupt(loop);
	aio_loop_run_once(loop);
	CHECK_LOG(0, 7, 1, 7);
	aio_loop_free(loop);
}
END_TEST

/* A call in the lane keeps the loop alive, and freeing drops it. */
START_TEST(test_loop_lane_state_and_free)
{
	struct aio_loop *loop = loop_make();
	struct job job = {.id = 1, .loop = loop};
	aio_call_first(loop, &job.call, job_record);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	aio_loop_free(loop);
	ck_assert(!aio_call_queued(&job.call));
	ck_assert_uint_eq(ran_len, 0);
}
END_TEST

/* cancel */

START_TEST(test_loop_cancel_queued)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[3];
	job_prepare(jobs, 3, loop);
	for (size_t i = 0; i < 3; i++)
		aio_call_soon(loop, &jobs[i].call, job_record);
	aio_call_cancel(&jobs[1].call);
	ck_assert(!aio_call_queued(&jobs[1].call));
	aio_loop_run_once(loop);
	CHECK_LOG(0, 2);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_cancel_then_free)
{
	struct aio_loop *loop = loop_make();
	struct job first = {.id = 0, .loop = loop}, last = {.id = 2, .loop = loop};
	struct job *middle = calloc(1, sizeof *middle);
	ck_assert_ptr_nonnull(middle);
	middle->id = 1;
	aio_call_soon(loop, &first.call, job_record);
	aio_call_soon(loop, &middle->call, job_record);
	aio_call_soon(loop, &last.call, job_record);
	aio_call_cancel(&middle->call);
	free(middle);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(0, 2);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_cancel_only_and_last)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[2];
	job_prepare(jobs, 2, loop);
	aio_call_soon(loop, &jobs[0].call, job_record);
	aio_call_cancel(&jobs[0].call);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_call_soon(loop, &jobs[0].call, job_record);
	aio_call_soon(loop, &jobs[1].call, job_record);
	aio_call_cancel(&jobs[1].call);
	aio_loop_run_once(loop);
	CHECK_LOG(0);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_cancel_unqueued)
{
	struct aio_loop *loop = loop_make();
	struct job job = {.id = 3, .loop = loop};
	aio_call_cancel(&job.call);
	ck_assert(!aio_call_queued(&job.call));
	aio_call_soon(loop, &job.call, job_record);
	aio_call_cancel(&job.call);
	aio_call_cancel(&job.call);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_call_soon(loop, &job.call, job_record);
	aio_loop_run_once(loop);
	aio_call_cancel(&job.call);
	CHECK_LOG(3);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_cancel_same_turn)
{
	struct aio_loop *loop = loop_make();
	struct job jobs[3];
	job_prepare(jobs, 3, loop);
	jobs[0].peer = &jobs[1];
	aio_call_soon(loop, &jobs[0].call, job_cancel_peer);
	aio_call_soon(loop, &jobs[1].call, job_record);
	aio_call_soon(loop, &jobs[2].call, job_record);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(0, 2);
	aio_loop_free(loop);
}
END_TEST

/* The cancelled call is the last of its turn and is freed at once. */
START_TEST(test_loop_cancel_same_turn_and_free)
{
	struct aio_loop *loop = loop_make();
	struct job first = {.id = 0, .loop = loop};
	struct job *victim = calloc(1, sizeof *victim);
	ck_assert_ptr_nonnull(victim);
	victim->id = 1;
	first.peer = victim;
	aio_call_soon(loop, &first.call, job_cancel_free_peer);
	aio_call_soon(loop, &victim->call, job_record);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(0);
	aio_loop_free(loop);
}
END_TEST

/* timer */

START_TEST(test_loop_timer_deadline_order)
{
	static const double offsets[] = {-0.5, -0.9, -0.1, -0.7, -0.3};
	struct aio_loop *loop = loop_make();
	struct tick ticks[5];
	tick_prepare(ticks, 5, loop);
	double now = aio_loop_time(loop);
	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(aio_timer_start(loop, &ticks[i].timer,
						 now + offsets[i], tick_record), 0);
	ck_assert_uint_eq(aio_loop_timer_count(loop), 5);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(1, 3, 0, 4, 2);
	ck_assert_uint_eq(aio_loop_timer_count(loop), 0);
	aio_loop_free(loop);
}
END_TEST

/* The idle hook: slices counted down by the hook, stamped by when each ran. */
static int idle_slices;
static double idle_first;

static int idle_work(struct aio_loop *loop, void *ud)
{
	(void)ud;
	if (idle_first == 0)
		idle_first = aio_loop_time(loop);
	log_id(100 + idle_slices);
	return --idle_slices > 0;
}

/* Held and with nothing to do, the loop wakes for the hook after its
 * delay and calls it while it has more to do; then it sleeps until the
 * next thing due (a timer here), without the hook. */
START_TEST(test_loop_idle_after_quiet_in_slices)
{
	struct aio_loop *loop = loop_make();
	idle_slices = 3;
	idle_first = 0;
	aio_loop_on_idle(loop, idle_work, NULL, 0.05);
	aio_loop_hold(loop);
	struct tick t[1];
	tick_prepare(t, 1, loop);
	double began = aio_loop_time(loop);
	ck_assert_int_eq(aio_timer_start(loop, &t[0].timer, began + 0.2, tick_record), 0);
	while (aio_loop_timer_count(loop))
		aio_loop_run_once(loop);
	ck_assert(idle_first - began >= 0.05);
	ck_assert(aio_loop_time(loop) - began >= 0.2);
	CHECK_LOG(103, 102, 101, 0);
	aio_loop_release(loop);
	aio_loop_free(loop);
}
END_TEST

/* Work before the delay is over starts the quiet spell again; the hook
 * never runs for a loop that is not asleep (nothing holds it). */
START_TEST(test_loop_idle_waits_for_quiet)
{
	struct aio_loop *loop = loop_make();
	idle_slices = 1;
	idle_first = 0;
	aio_loop_on_idle(loop, idle_work, NULL, 0.05);
	struct tick t[3];
	tick_prepare(t, 3, loop);
	double now = aio_loop_time(loop);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(aio_timer_start(loop, &t[i].timer, now + 0.03 * (i + 1), tick_record), 0);
	while (aio_loop_timer_count(loop))
		aio_loop_run_once(loop);
	CHECK_LOG(0, 1, 2);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(0, 1, 2);
	aio_loop_free(loop);
}
END_TEST

/* A NaN deadline is refused; it froze every timer of the loop. */
START_TEST(test_loop_timer_nan_refused)
{
	struct aio_loop *loop = loop_make();
	struct tick ticks[3];
	tick_prepare(ticks, 3, loop);
	double now = aio_loop_time(loop);
	/* First, so that in the heap it would sit on top and hide the rest. */
	ck_assert_int_eq(aio_timer_start(loop, &ticks[1].timer, 0.0 / 0.0, tick_record), -EINVAL);
	ck_assert_int_eq(aio_timer_start(loop, &ticks[0].timer, now - 0.2, tick_record), 0);
	ck_assert_uint_eq(ticks[1].timer.heap_index, AIO_TIMER_IDLE);
	ck_assert(!aio_call_queued(&ticks[1].timer.call));
	ck_assert_int_eq(aio_timer_start(loop, &ticks[2].timer, now - 0.1, tick_record), 0);
	ck_assert_uint_eq(aio_loop_timer_count(loop), 2);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(0, 2);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_timer_same_deadline_start_order)
{
	struct aio_loop *loop = loop_make();
	struct tick ticks[8];
	tick_prepare(ticks, 8, loop);
	double when = aio_loop_time(loop) - 0.25;
	for (size_t i = 0; i < 8; i++)
		aio_timer_start(loop, &ticks[i].timer, when, tick_record);
	aio_loop_run_once(loop);
	CHECK_LOG(0, 1, 2, 3, 4, 5, 6, 7);
	aio_loop_free(loop);
}
END_TEST

/* Due timers join the ready queue behind calls queued before the turn. */
START_TEST(test_loop_timer_after_ready_calls)
{
	struct aio_loop *loop = loop_make();
	struct tick tick = {.id = 1, .loop = loop};
	struct job job = {.id = 0, .loop = loop};
	aio_timer_init(&tick.timer);
	aio_timer_start(loop, &tick.timer, aio_loop_time(loop) - 1, tick_record);
	aio_call_soon(loop, &job.call, job_record);
	aio_loop_run_once(loop);
	CHECK_LOG(0, 1);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_timer_future_not_run)
{
	struct aio_loop *loop = loop_make();
	struct tick tick = {.id = 1, .loop = loop};
	struct job job = {.id = 0, .loop = loop};
	aio_timer_init(&tick.timer);
	double start = aio_loop_time(loop);
	aio_timer_start(loop, &tick.timer, start + 10, tick_record);
	aio_call_soon(loop, &job.call, job_record);
	/* A ready call means no blocking, even with a timer armed. */
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_ALIVE);
	ck_assert_double_lt(aio_loop_time(loop) - start, NO_BLOCK);
	CHECK_LOG(0);
	ck_assert_uint_eq(aio_loop_timer_count(loop), 1);
	aio_timer_stop(loop, &tick.timer);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_timer_stop_armed)
{
	struct aio_loop *loop = loop_make();
	struct tick ticks[3];
	tick_prepare(ticks, 3, loop);
	double now = aio_loop_time(loop);
	aio_timer_start(loop, &ticks[0].timer, now + 10, tick_record);
	aio_timer_start(loop, &ticks[1].timer, now - 1, tick_record);
	aio_timer_start(loop, &ticks[2].timer, now - 2, tick_record);
	aio_timer_stop(loop, &ticks[0].timer);
	aio_timer_stop(loop, &ticks[2].timer);
	ck_assert_uint_eq(ticks[0].timer.heap_index, AIO_TIMER_IDLE);
	ck_assert_uint_eq(aio_loop_timer_count(loop), 1);
	double start = aio_loop_time(loop);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_double_lt(aio_loop_time(loop) - start, NO_BLOCK);
	CHECK_LOG(1);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_timer_stop_idle)
{
	struct aio_loop *loop = loop_make();
	struct tick tick = {.id = 1, .loop = loop};
	aio_timer_init(&tick.timer);
	aio_timer_stop(loop, &tick.timer);
	aio_timer_start(loop, &tick.timer, aio_loop_time(loop) - 1, tick_record);
	aio_timer_stop(loop, &tick.timer);
	aio_timer_stop(loop, &tick.timer);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_timer_stop_queued)
{
	struct aio_loop *loop = loop_make();
	struct tick tick = {.id = 1, .loop = loop};
	struct job job = {.id = 0, .loop = loop, .timer = &tick.timer};
	aio_timer_init(&tick.timer);
	aio_call_soon(loop, &job.call, job_stop_due_timer);
	aio_timer_start(loop, &tick.timer, aio_loop_time(loop) - 1, tick_record);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(0);
	ck_assert_uint_eq(tick.timer.heap_index, AIO_TIMER_IDLE);
	/* A stopped timer can be started again. */
	aio_timer_start(loop, &tick.timer, aio_loop_time(loop) - 1, tick_record);
	aio_loop_run_once(loop);
	CHECK_LOG(0, 1);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_timer_restart_after_run)
{
	struct aio_loop *loop = loop_make();
	struct tick tick = {.id = 4, .loop = loop};
	aio_timer_init(&tick.timer);
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(aio_timer_start(loop, &tick.timer,
						 aio_loop_time(loop) - 1, tick_record), 0);
		ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	}
	CHECK_LOG(4, 4, 4);
	aio_loop_free(loop);
}
END_TEST

/* Restarted from its own callback, already due: it fires next turn. */
START_TEST(test_loop_timer_restart_in_callback)
{
	struct aio_loop *loop = loop_make();
	struct tick tick = {.id = 5, .loop = loop};
	aio_timer_init(&tick.timer);
	aio_timer_start(loop, &tick.timer, aio_loop_time(loop) - 1, tick_restart);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_ALIVE);
	CHECK_LOG(5);
	ck_assert_uint_eq(aio_loop_timer_count(loop), 1);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	CHECK_LOG(5, 5);
	aio_loop_free(loop);
}
END_TEST

/* state */

START_TEST(test_loop_state_queued_call)
{
	struct aio_loop *loop = loop_make();
	struct job job = {.id = 0, .loop = loop};
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_call_soon(loop, &job.call, job_record);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_state_armed_timer)
{
	struct aio_loop *loop = loop_make();
	struct tick tick = {.id = 0, .loop = loop};
	aio_timer_init(&tick.timer);
	aio_timer_start(loop, &tick.timer, aio_loop_time(loop) + 10, tick_record);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	aio_timer_stop(loop, &tick.timer);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

/* Ownership is counted per descriptor, and the table grows for high ones. */
START_TEST(test_loop_own_fd_counts)
{
	struct aio_loop *loop = loop_make();
	ck_assert(!aio_loop_owns_fd(loop, 0));
	ck_assert(!aio_loop_owns_fd(loop, -1));
	ck_assert_int_eq(aio_loop_own_fd(loop, 5), 0);
	ck_assert_int_eq(aio_loop_own_fd(loop, 5), 0);
	ck_assert_int_eq(aio_loop_own_fd(loop, 4000), 0);
	ck_assert(aio_loop_owns_fd(loop, 5));
	ck_assert(!aio_loop_owns_fd(loop, 6));
	ck_assert(aio_loop_owns_fd(loop, 4000));
	ck_assert(!aio_loop_owns_fd(loop, 4001));
	aio_loop_disown_fd(loop, 5);
	ck_assert(aio_loop_owns_fd(loop, 5));
	aio_loop_disown_fd(loop, 5);
	ck_assert(!aio_loop_owns_fd(loop, 5));
	ck_assert(aio_loop_owns_fd(loop, 4000));
	aio_loop_disown_fd(loop, 4000);
	ck_assert(!aio_loop_owns_fd(loop, 4000));
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_state_hold_release)
{
	struct aio_loop *loop = loop_make();
	aio_loop_hold(loop);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	aio_loop_hold(loop);
	aio_loop_release(loop);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	aio_loop_release(loop);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

/* time */

START_TEST(test_loop_time_idle_does_not_block)
{
	struct aio_loop *loop = loop_make();
	double start = aio_loop_time(loop);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_double_lt(aio_loop_time(loop) - start, NO_BLOCK);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_time_blocks_until_timer)
{
	struct aio_loop *loop = loop_make();
	struct tick tick = {.id = 9, .loop = loop};
	aio_timer_init(&tick.timer);
	double start = aio_loop_time(loop);
	aio_timer_start(loop, &tick.timer, start + 0.020, tick_record);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	double elapsed = aio_loop_time(loop) - start;
	ck_assert_double_ge(elapsed, 0.015);
	ck_assert_double_lt(elapsed, 1.0);
	CHECK_LOG(9);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_loop_time_monotonic)
{
	struct aio_loop *loop = loop_make();
	double prev = aio_loop_time(loop);
	ck_assert_double_gt(prev, 0);
	/* ck_assert per sample would be slow: count the regressions instead. */
	int backwards = 0;
	for (int i = 0; i < 100000; i++) {
		double now = aio_loop_time(loop);
		backwards += now < prev;
		prev = now;
	}
	ck_assert_int_eq(backwards, 0);
	aio_loop_free(loop);
}
END_TEST

/* multi: no loop is libev's default one, whose SIGCHLD watcher would reap
 * the children of os.execute and io.popen */

START_TEST(test_loop_multi_none_default)
{
	struct aio_loop *first = loop_make();
	struct aio_loop *second = loop_make();
	ck_assert_ptr_ne(aio_loop_ev(first), aio_loop_ev(second));
	ck_assert(!ev_is_default_loop(aio_loop_ev(first)));
	ck_assert(!ev_is_default_loop(aio_loop_ev(second)));
	aio_loop_free(second);
	aio_loop_free(first);
}
END_TEST

START_TEST(test_loop_multi_independent)
{
	struct aio_loop *first = loop_make();
	struct aio_loop *second = loop_make();
	struct job a = {.id = 1, .loop = first}, b = {.id = 2, .loop = second};
	struct tick t = {.id = 3, .loop = second};
	aio_timer_init(&t.timer);
	aio_call_soon(first, &a.call, job_record);
	aio_call_soon(second, &b.call, job_record);
	aio_timer_start(second, &t.timer, aio_loop_time(second) - 1, tick_record);
	ck_assert_int_eq(aio_loop_run_once(first), AIO_LOOP_IDLE);
	CHECK_LOG(1);
	ck_assert_int_eq(aio_loop_state(second), AIO_LOOP_ALIVE);
	ck_assert_int_eq(aio_loop_run_once(second), AIO_LOOP_IDLE);
	CHECK_LOG(1, 2, 3);
	aio_loop_free(first);
	aio_loop_free(second);
}
END_TEST

/* Freeing the first loop leaves the other one working. */
START_TEST(test_loop_multi_free_first_then_second)
{
	struct aio_loop *first = loop_make();
	struct aio_loop *second = loop_make();
	aio_loop_free(first);
	struct tick t = {.id = 1, .loop = second};
	aio_timer_init(&t.timer);
	double start = aio_loop_time(second);
	aio_timer_start(second, &t.timer, start + 0.010, tick_record);
	ck_assert_int_eq(aio_loop_run_once(second), AIO_LOOP_IDLE);
	ck_assert_double_ge(aio_loop_time(second) - start, 0.005);
	CHECK_LOG(1);
	aio_loop_free(second);
}
END_TEST

START_TEST(test_loop_multi_free_second_then_first)
{
	struct aio_loop *first = loop_make();
	struct aio_loop *second = loop_make();
	aio_loop_free(second);
	struct job a = {.id = 1, .loop = first};
	aio_call_soon(first, &a.call, job_record);
	ck_assert_int_eq(aio_loop_run_once(first), AIO_LOOP_IDLE);
	CHECK_LOG(1);
	aio_loop_free(first);
}
END_TEST

static void job_nothing(struct aio_call *call)
{
	(void)call;
}

static void job_busy(struct aio_call *call)
{
	(void)call;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1e9 + (t.tv_nsec - t0.tv_nsec) < 3e6);
}

/* Only turns that ran calls count; the busy one shows as the max. */
START_TEST(test_loop_turns_and_lag)
{
	struct aio_loop *lp = loop_make();
	struct aio_call calls[2] = {{0}};
	ck_assert_uint_eq(aio_loop_turns(lp), 0);
	aio_loop_run_once(lp);
	ck_assert_uint_eq(aio_loop_turns(lp), 0);
	aio_call_soon(lp, &calls[0], job_nothing);
	aio_loop_run_once(lp);
	aio_call_soon(lp, &calls[1], job_busy);
	aio_loop_run_once(lp);
	ck_assert_uint_eq(aio_loop_turns(lp), 2);
	struct aio_lag_summary sum;
	aio_loop_lag(lp, &sum);
	ck_assert_uint_eq(sum.turns, 2);
	ck_assert(sum.max >= 3e-3 && sum.max < 1.0);
	ck_assert(sum.p50 <= sum.p99 && sum.p99 <= sum.max);
	aio_loop_free(lp);
}
END_TEST

Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = check_tcase(s, "core", log_reset, NULL, 5);
	tcase_add_test(tc, test_loop_new_is_idle);
	tcase_add_test(tc, test_loop_call_soon_fifo);
	tcase_add_test(tc, test_loop_call_requeue_after_run);
	tcase_add_test(tc, test_loop_free_drops_queued_calls);
	tcase_add_test(tc, test_loop_drain_hands_back_calls_and_timers);
	tcase_add_test(tc, test_loop_turns_and_lag);

	tc = check_tcase(s, "order", log_reset, NULL, 5);
	tcase_add_test(tc, test_loop_order_queued_in_turn_waits);
	tcase_add_test(tc, test_loop_order_self_requeue_once_per_turn);
	tcase_add_test(tc, test_loop_order_new_calls_after_old);

	tc = check_tcase(s, "lane", log_reset, NULL, 5);
	tcase_add_test(tc, test_loop_lane_runs_before_next_ready);
	tcase_add_test(tc, test_loop_lane_self_requeue_lets_ready_run);
	tcase_add_test(tc, test_loop_lane_hurry_moves_ahead);
	tcase_add_test(tc, test_loop_lane_interrupt_between_calls);
	tcase_add_test(tc, test_loop_lane_state_and_free);

	tc = check_tcase(s, "cancel", log_reset, NULL, 5);
	tcase_add_test(tc, test_loop_cancel_queued);
	tcase_add_test(tc, test_loop_cancel_then_free);
	tcase_add_test(tc, test_loop_cancel_only_and_last);
	tcase_add_test(tc, test_loop_cancel_unqueued);
	tcase_add_test(tc, test_loop_cancel_same_turn);
	tcase_add_test(tc, test_loop_cancel_same_turn_and_free);

	tc = check_tcase(s, "timer", log_reset, NULL, 5);
	tcase_add_test(tc, test_loop_timer_deadline_order);
	tcase_add_test(tc, test_loop_timer_same_deadline_start_order);
	tcase_add_test(tc, test_loop_timer_nan_refused);
	tcase_add_test(tc, test_loop_idle_after_quiet_in_slices);
	tcase_add_test(tc, test_loop_idle_waits_for_quiet);
	tcase_add_test(tc, test_loop_timer_after_ready_calls);
	tcase_add_test(tc, test_loop_timer_future_not_run);
	tcase_add_test(tc, test_loop_timer_stop_armed);
	tcase_add_test(tc, test_loop_timer_stop_idle);
	tcase_add_test(tc, test_loop_timer_stop_queued);
	tcase_add_test(tc, test_loop_timer_restart_after_run);
	tcase_add_test(tc, test_loop_timer_restart_in_callback);

	tc = check_tcase(s, "state", log_reset, NULL, 5);
	tcase_add_test(tc, test_loop_state_queued_call);
	tcase_add_test(tc, test_loop_state_armed_timer);
	tcase_add_test(tc, test_loop_state_hold_release);
	tcase_add_test(tc, test_loop_own_fd_counts);

	tc = check_tcase(s, "time", log_reset, NULL, 5);
	tcase_add_test(tc, test_loop_time_idle_does_not_block);
	tcase_add_test(tc, test_loop_time_blocks_until_timer);
	tcase_add_test(tc, test_loop_time_monotonic);

	tc = check_tcase(s, "multi", log_reset, NULL, 5);
	tcase_add_test(tc, test_loop_multi_none_default);
	tcase_add_test(tc, test_loop_multi_independent);
	tcase_add_test(tc, test_loop_multi_free_first_then_second);
	tcase_add_test(tc, test_loop_multi_free_second_then_first);
	return s;
}
