/* check_workers.c -- Check tests for runtime/workers.c: jobs, loop holds, cancel, free, AIOD_THREADS */
#include "check_runtime.h"
#include "check_util.h"
#include "workers.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* A job with what its work and done saw. */
struct probe {
	struct aio_job job;
	int gated;		/* work waits at the gate */
	int sleep;		/* work sleeps this many ms */
	atomic_int work_runs;
	int done_runs;
	pthread_t work_thread;
	pthread_t done_thread;
	int signals_blocked;	/* work's thread blocks SIGINT and SIGTERM */
	struct aio_workers *resubmit_pool;
	int resubmits;		/* done submits the job again this often */
};

static struct probe *probe_of(struct aio_job *job)
{
	return aio_container_of(job, struct probe, job);
}

static void probe_work(struct aio_job *job)
{
	struct probe *p = probe_of(job);
	sigset_t mask;
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	p->signals_blocked = sigismember(&mask, SIGINT) == 1 &&
			     sigismember(&mask, SIGTERM) == 1;
	p->work_thread = pthread_self();
	atomic_fetch_add(&p->work_runs, 1);
	if (p->gated)
		gate_pass();
	if (p->sleep)
		sleep_ms(p->sleep);
}

static void probe_done(struct aio_job *job)
{
	struct probe *p = probe_of(job);
	ck_assert_int_gt(atomic_load(&p->work_runs), p->done_runs);
	p->done_runs++;
	p->done_thread = pthread_self();
	if (p->resubmits > 0) {
		p->resubmits--;
		ck_assert_int_eq(aio_workers_submit(p->resubmit_pool, job,
						    probe_work, probe_done), 0);
	}
}

static void submit(struct aio_workers *w, struct probe *p)
{
	ck_assert_int_eq(aio_workers_submit(w, &p->job, probe_work, probe_done), 0);
}

/* core */

START_TEST(test_workers_done_on_loop_thread)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 2);
	struct probe p = {0};
	submit(w, &p);
	ck_assert_uint_eq(aio_workers_pending(w), 1);
	run_until_idle(loop, 1000);
	ck_assert_int_eq(atomic_load(&p.work_runs), 1);
	ck_assert_int_eq(p.done_runs, 1);
	ck_assert(!pthread_equal(p.work_thread, pthread_self()));
	ck_assert(pthread_equal(p.done_thread, pthread_self()));
	ck_assert_msg(p.signals_blocked, "a worker thread accepts SIGINT or SIGTERM");
	ck_assert_uint_eq(aio_workers_pending(w), 0);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

#define MANY 1000

START_TEST(test_workers_many_jobs_once_each)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 4);
	struct probe *probes = calloc(MANY, sizeof *probes);
	ck_assert_ptr_nonnull(probes);
	for (size_t i = 0; i < MANY; i++)
		submit(w, &probes[i]);
	ck_assert_uint_eq(aio_workers_pending(w), MANY);
	run_until_idle(loop, 100000);
	pthread_t seen[MANY];
	size_t nseen = 0;
	for (size_t i = 0; i < MANY; i++) {
		ck_assert_int_eq(atomic_load(&probes[i].work_runs), 1);
		ck_assert_int_eq(probes[i].done_runs, 1);
		size_t k = 0;
		while (k < nseen && !pthread_equal(seen[k], probes[i].work_thread))
			k++;
		if (k == nseen)
			seen[nseen++] = probes[i].work_thread;
	}
	ck_assert_uint_ge(nseen, 1);
	ck_assert_uint_le(nseen, 4);
	ck_assert_uint_eq(aio_workers_pending(w), 0);
	aio_workers_free(w);
	aio_loop_free(loop);
	free(probes);
}
END_TEST

/* Held while a job is out: run_once blocks for it rather than spinning or
 * ending, and the loop is idle once done has run. */
START_TEST(test_workers_loop_waits_for_job)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	struct probe p = {.sleep = 20};
	double start = aio_loop_time(loop);
	submit(w, &p);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_ALIVE);
	int turns = 0;
	while (aio_loop_run_once(loop) == AIO_LOOP_ALIVE) {
		ck_assert_int_eq(p.done_runs, 0);
		ck_assert_int_lt(++turns, 10);
	}
	ck_assert_int_eq(p.done_runs, 1);
	ck_assert_double_ge(aio_loop_time(loop) - start, 0.015);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

/* An idle pool neither holds the loop nor makes run_once block. */
START_TEST(test_workers_idle_pool_lets_loop_end)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 3);
	double start = aio_loop_time(loop);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	struct probe p = {0};
	submit(w, &p);
	run_until_idle(loop, 1000);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_double_lt(aio_loop_time(loop) - start, 0.5);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_workers_resubmit_from_done)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 2);
	struct probe p = {.resubmits = 5};
	p.resubmit_pool = w;
	submit(w, &p);
	run_until_idle(loop, 10000);
	ck_assert_int_eq(atomic_load(&p.work_runs), 6);
	ck_assert_int_eq(p.done_runs, 6);
	ck_assert_uint_eq(aio_workers_pending(w), 0);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_workers_new_zero_threads)
{
	struct aio_loop *loop = loop_make();
	int err = 0;
	ck_assert_ptr_null(aio_workers_new(loop, 0, &err));
	ck_assert_int_eq(err, -EINVAL);
	aio_loop_free(loop);
}
END_TEST

/* cancel */

/* One thread, stuck at the gate with a first job, so later ones wait. */
START_TEST(test_workers_cancel_queued)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct probe blocker = {.gated = 1}, queued = {0}, after = {0};
	submit(w, &blocker);
	gate_wait_arrived(1);
	submit(w, &queued);
	submit(w, &after);
	ck_assert_uint_eq(aio_workers_pending(w), 3);
	ck_assert_int_eq(aio_workers_cancel(w, &queued.job), 0);
	ck_assert_uint_eq(aio_workers_pending(w), 2);
	/* Taken back: it may go again, or be cancelled again harmlessly. */
	ck_assert_int_eq(aio_workers_cancel(w, &queued.job), 0);
	gate_open();
	run_until_idle(loop, 1000);
	ck_assert_int_eq(atomic_load(&queued.work_runs), 0);
	ck_assert_int_eq(queued.done_runs, 0);
	ck_assert_int_eq(blocker.done_runs, 1);
	ck_assert_int_eq(after.done_runs, 1);
	submit(w, &queued);
	run_until_idle(loop, 1000);
	ck_assert_int_eq(queued.done_runs, 1);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_workers_cancel_running)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct probe p = {.gated = 1};
	submit(w, &p);
	gate_wait_arrived(1);
	ck_assert_int_eq(aio_workers_cancel(w, &p.job), -EBUSY);
	gate_open();
	run_until_idle(loop, 1000);
	ck_assert_int_eq(p.done_runs, 1);
	ck_assert_uint_eq(aio_workers_pending(w), 0);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_workers_cancel_idle)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct probe p = {0};
	ck_assert_int_eq(aio_workers_cancel(w, &p.job), 0);
	submit(w, &p);
	run_until_idle(loop, 1000);
	ck_assert_int_eq(aio_workers_cancel(w, &p.job), 0);
	ck_assert_int_eq(p.done_runs, 1);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

/*
 * A call that acts on a job once its done is queued on the loop. It queues
 * itself again each turn until then, so it always runs before that done, in
 * the turn the pool queued it.
 */
struct watcher {
	struct aio_call call;
	struct aio_loop *loop;
	struct aio_workers *pool;
	struct probe *target;
	int free_pool;		/* free the pool instead of cancelling */
	int result;
	int acted;
};

static void watcher_run(struct aio_call *call)
{
	struct watcher *wt = aio_container_of(call, struct watcher, call);
	if (!aio_call_queued(&wt->target->job.call)) {
		ck_assert_int_eq(wt->target->done_runs, 0);
		aio_call_soon(wt->loop, call, watcher_run);
		return;
	}
	ck_assert_uint_eq(aio_workers_pending(wt->pool), 1);
	if (wt->free_pool) {
		aio_workers_free(wt->pool);
		wt->pool = NULL;
	} else {
		wt->result = aio_workers_cancel(wt->pool, &wt->target->job);
		ck_assert_uint_eq(aio_workers_pending(wt->pool), 0);
	}
	ck_assert(!aio_call_queued(&wt->target->job.call));
	wt->acted = 1;
}

START_TEST(test_workers_cancel_done_queued)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct probe p = {0};
	struct watcher wt = {.loop = loop, .pool = w, .target = &p};
	submit(w, &p);
	aio_call_soon(loop, &wt.call, watcher_run);
	run_until_idle(loop, 1000000);
	ck_assert(wt.acted);
	ck_assert_int_eq(wt.result, 0);
	ck_assert_int_eq(atomic_load(&p.work_runs), 1);
	ck_assert_int_eq(p.done_runs, 0);
	ck_assert_uint_eq(aio_workers_pending(w), 0);
	/* Idle again: it can go once more. */
	submit(w, &p);
	run_until_idle(loop, 1000);
	ck_assert_int_eq(atomic_load(&p.work_runs), 2);
	ck_assert_int_eq(p.done_runs, 1);
	aio_workers_free(w);
	aio_loop_free(loop);
}
END_TEST

/* free */

START_TEST(test_workers_free_unused)
{
	struct aio_loop *loop = loop_make();
	aio_workers_free(pool_make(loop, 4));
	aio_workers_free(NULL);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

START_TEST(test_workers_free_after_jobs)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 4);
	struct probe probes[8] = {0};
	for (size_t i = 0; i < 8; i++)
		submit(w, &probes[i]);
	run_until_idle(loop, 10000);
	aio_workers_free(w);
	for (size_t i = 0; i < 8; i++)
		ck_assert_int_eq(probes[i].done_runs, 1);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	aio_loop_free(loop);
}
END_TEST

static void *open_gate_later(void *arg)
{
	(void)arg;
	sleep_ms(30);
	gate_open();
	return NULL;
}

/*
 * free waits for the running job and leaves the queued one unrun. The gate
 * opens from another thread 30 ms on, by when free has long told the
 * thread to stop, so the thread does not take the queued job.
 */
START_TEST(test_workers_free_with_queued)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct probe running = {.gated = 1}, queued = {0};
	submit(w, &running);
	gate_wait_arrived(1);
	submit(w, &queued);
	pthread_t opener;
	ck_assert_int_eq(pthread_create(&opener, NULL, open_gate_later, NULL), 0);
	aio_workers_free(w);
	pthread_join(opener, NULL);
	ck_assert_int_eq(atomic_load(&running.work_runs), 1);
	ck_assert_int_eq(atomic_load(&queued.work_runs), 0);
	ck_assert_int_eq(aio_loop_state(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(aio_loop_run_once(loop), AIO_LOOP_IDLE);
	ck_assert_int_eq(running.done_runs, 0);
	ck_assert_int_eq(queued.done_runs, 0);
	ck_assert(!aio_call_queued(&running.job.call));
	aio_loop_free(loop);
}
END_TEST

/* A done already queued on the loop is taken out: it never runs. */
START_TEST(test_workers_free_drops_queued_done)
{
	struct aio_loop *loop = loop_make();
	struct aio_workers *w = pool_make(loop, 1);
	struct probe p = {0};
	struct watcher wt = {.loop = loop, .pool = w, .target = &p, .free_pool = 1};
	submit(w, &p);
	aio_call_soon(loop, &wt.call, watcher_run);
	run_until_idle(loop, 1000000);
	ck_assert(wt.acted);
	ck_assert_int_eq(p.done_runs, 0);
	aio_loop_free(loop);
}
END_TEST

static struct aio_workers *pool_to_free;

static void free_pool_done(struct aio_job *job)
{
	probe_done(job);
	aio_workers_free(pool_to_free);
}

START_TEST(test_workers_free_from_done)
{
	struct aio_loop *loop = loop_make();
	pool_to_free = pool_make(loop, 2);
	struct probe p = {0};
	ck_assert_int_eq(aio_workers_submit(pool_to_free, &p.job, probe_work,
					    free_pool_done), 0);
	run_until_idle(loop, 1000);
	ck_assert_int_eq(p.done_runs, 1);
	aio_loop_free(loop);
}
END_TEST

/* env */

START_TEST(test_workers_default_threads)
{
	static const struct {
		const char *text;
		unsigned threads;
	} cases[] = {
		{"1", 1}, {"8", 8}, {"256", 256}, {"0", 4}, {"257", 4},
		{"1000", 4}, {"garbage", 4}, {"", 4}, {"-2", 4}, {"8x", 4},
		{" 8", 4}, {"99999999999999999999999", 4},
	};
	unsetenv("AIOD_THREADS");
	ck_assert_uint_eq(aio_workers_default_threads(), 4);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ck_assert_int_eq(setenv("AIOD_THREADS", cases[i].text, 1), 0);
		ck_assert_msg(aio_workers_default_threads() == cases[i].threads,
			      "AIOD_THREADS=\"%s\" gave %u, expected %u", cases[i].text,
			      aio_workers_default_threads(), cases[i].threads);
	}
	unsetenv("AIOD_THREADS");
}
END_TEST

Suite *workers_suite(void)
{
	Suite *s = suite_create("workers");
	TCase *tc = check_tcase(s, "core", gate_reset, NULL, 10);
	tcase_add_test(tc, test_workers_done_on_loop_thread);
	tcase_add_test(tc, test_workers_many_jobs_once_each);
	tcase_add_test(tc, test_workers_loop_waits_for_job);
	tcase_add_test(tc, test_workers_idle_pool_lets_loop_end);
	tcase_add_test(tc, test_workers_resubmit_from_done);
	tcase_add_test(tc, test_workers_new_zero_threads);

	tc = check_tcase(s, "cancel", gate_reset, NULL, 10);
	tcase_add_test(tc, test_workers_cancel_queued);
	tcase_add_test(tc, test_workers_cancel_running);
	tcase_add_test(tc, test_workers_cancel_idle);
	tcase_add_test(tc, test_workers_cancel_done_queued);

	tc = check_tcase(s, "free", gate_reset, NULL, 10);
	tcase_add_test(tc, test_workers_free_unused);
	tcase_add_test(tc, test_workers_free_after_jobs);
	tcase_add_test(tc, test_workers_free_with_queued);
	tcase_add_test(tc, test_workers_free_drops_queued_done);
	tcase_add_test(tc, test_workers_free_from_done);

	tc = check_tcase(s, "env", gate_reset, NULL, 10);
	tcase_add_test(tc, test_workers_default_threads);
	return s;
}
