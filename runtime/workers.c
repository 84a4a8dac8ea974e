/* workers.c -- a pool of threads that run blocking jobs and report back on the loop */
#include "workers.h"

#include <assert.h>
#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

enum job_state {
	JOB_IDLE,	/* zeroed: never submitted, taken back, or done started */
	JOB_QUEUED,	/* in the pool's queue, waiting for a thread */
	JOB_RUNNING,	/* work is running on a thread */
	JOB_FINISHING,	/* work ran: in the finished list, or done queued on the loop */
};

#define DEFAULT_THREADS 4
#define MAX_ENV_THREADS 256

struct aio_workers {
	struct aio_loop *loop;
	struct ev_loop *ev;
	/* Threads send it when a job finishes; ref'd only while jobs are out. */
	ev_async wake;

	pthread_mutex_t lock;
	pthread_cond_t work_ready;
	/* Under lock: FIFO lists linked through job->next. */
	struct aio_job *queue_head, *queue_tail;
	struct aio_job *finished_head, *finished_tail;
	size_t queued;		/* jobs in the queue */
	unsigned waiting;	/* threads blocked on work_ready */
	int stopping;

	/* Loop thread only. */
	pthread_t *threads;
	unsigned max_threads;
	unsigned nthreads;
	size_t outstanding;	/* submitted, done not queued yet: holds the loop */
	/*
	 * Jobs whose done is queued on the loop, in the order queued (which is
	 * the order they run), so free can take them out. A ring of pointers
	 * because job->next is busy: it points at anchor, so done's call finds
	 * the pool. Submit reserves room, so finishing never allocates.
	 */
	struct aio_job **ring;
	size_t ring_head, ring_len, ring_cap;
	struct aio_job anchor;
};

static int ring_reserve(struct aio_workers *w, size_t need)
{
	if (need <= w->ring_cap)
		return 0;
	size_t cap = w->ring_cap ? w->ring_cap : 16;
	while (cap < need)
		cap *= 2;
	struct aio_job **ring = malloc(cap * sizeof *ring);
	if (!ring)
		return -ENOMEM;
	for (size_t i = 0; i < w->ring_len; i++)
		ring[i] = w->ring[(w->ring_head + i) % w->ring_cap];
	free(w->ring);
	w->ring = ring;
	w->ring_head = 0;
	w->ring_cap = cap;
	return 0;
}

static void ring_push(struct aio_workers *w, struct aio_job *job)
{
	assert(w->ring_len < w->ring_cap && "finished job without reserved room");
	w->ring[(w->ring_head + w->ring_len) % w->ring_cap] = job;
	w->ring_len++;
}

/* Dones run in the order queued, so job is nearly always the first. */
static void ring_remove(struct aio_workers *w, struct aio_job *job)
{
	size_t i = 0;
	while (i < w->ring_len && w->ring[(w->ring_head + i) % w->ring_cap] != job)
		i++;
	assert(i < w->ring_len && "queued done not in its pool's ring");
	if (i == 0) {
		w->ring_head = (w->ring_head + 1) % w->ring_cap;
	} else {
		for (; i + 1 < w->ring_len; i++)
			w->ring[(w->ring_head + i) % w->ring_cap] =
				w->ring[(w->ring_head + i + 1) % w->ring_cap];
	}
	w->ring_len--;
}

/* The first job out holds the loop and refs the watcher; the last one out
 * undoes both, so an idle pool neither keeps the loop alive nor blocks it. */
static void outstanding_add(struct aio_workers *w)
{
	if (w->outstanding++ == 0) {
		ev_ref(w->ev);
		aio_loop_hold(w->loop);
	}
}

static void outstanding_drop(struct aio_workers *w)
{
	assert(w->outstanding > 0 && "pool job count underflow");
	if (--w->outstanding == 0) {
		ev_unref(w->ev);
		aio_loop_release(w->loop);
	}
}

static void run_done(struct aio_call *call)
{
	struct aio_job *job = aio_container_of(call, struct aio_job, call);
	struct aio_workers *w = aio_container_of(job->next, struct aio_workers, anchor);
	ring_remove(w, job);
	job->next = NULL;
	job->state = JOB_IDLE;
	/* Last: done may resubmit the job or free it, or the pool. */
	job->done(job);
}

static void wake_cb(struct ev_loop *ev, ev_async *watcher, int revents)
{
	struct aio_workers *w = aio_container_of(watcher, struct aio_workers, wake);
	(void)ev;
	(void)revents;
	pthread_mutex_lock(&w->lock);
	struct aio_job *job = w->finished_head;
	w->finished_head = w->finished_tail = NULL;
	pthread_mutex_unlock(&w->lock);
	while (job) {
		struct aio_job *next = job->next;
		job->next = &w->anchor;
		ring_push(w, job);
		aio_call_soon(w->loop, &job->call, run_done);
		outstanding_drop(w);
		job = next;
	}
}

static void *worker_main(void *arg)
{
	struct aio_workers *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->queue_head && !w->stopping) {
			w->waiting++;
			pthread_cond_wait(&w->work_ready, &w->lock);
			w->waiting--;
		}
		if (w->stopping)
			break;
		struct aio_job *job = w->queue_head;
		w->queue_head = job->next;
		if (!w->queue_head)
			w->queue_tail = NULL;
		w->queued--;
		job->state = JOB_RUNNING;
		pthread_mutex_unlock(&w->lock);

		job->work(job);

		pthread_mutex_lock(&w->lock);
		job->state = JOB_FINISHING;
		job->next = NULL;
		if (w->finished_tail) {
			w->finished_tail->next = job;
		} else {
			w->finished_head = job;
			/* Under the lock, so the loop cannot take the job, stop
			 * counting it and unref the watcher before the send. */
			ev_async_send(w->ev, &w->wake);
		}
		w->finished_tail = job;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* The thread inherits a mask blocking every signal, so none is ever
 * delivered to it, not even in the moment before it could block them. */
static int thread_start(struct aio_workers *w)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&w->threads[w->nthreads], NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	w->nthreads++;
	return 0;
}

struct aio_workers *aio_workers_new(struct aio_loop *loop, unsigned nthreads, int *err)
{
	if (nthreads == 0) {
		*err = -EINVAL;
		return NULL;
	}
	struct aio_workers *w = calloc(1, sizeof *w);
	pthread_t *threads = calloc(nthreads, sizeof *threads);
	if (!w || !threads) {
		free(w);
		free(threads);
		*err = -ENOMEM;
		return NULL;
	}
	int rc = pthread_mutex_init(&w->lock, NULL);
	if (rc) {
		free(threads);
		free(w);
		*err = -rc;
		return NULL;
	}
	rc = pthread_cond_init(&w->work_ready, NULL);
	if (rc) {
		pthread_mutex_destroy(&w->lock);
		free(threads);
		free(w);
		*err = -rc;
		return NULL;
	}
	w->loop = loop;
	w->ev = aio_loop_ev(loop);
	w->threads = threads;
	w->max_threads = nthreads;
	ev_async_init(&w->wake, wake_cb);
	ev_async_start(w->ev, &w->wake);
	ev_unref(w->ev);
	return w;
}

int aio_workers_submit(struct aio_workers *w, struct aio_job *job,
		       aio_job_fn work, aio_job_fn done)
{
	assert(work && done && "job without work or done");
	assert(job->state == JOB_IDLE && !aio_call_queued(&job->call) &&
	       "job submitted while not idle");
	if (ring_reserve(w, w->outstanding + w->ring_len + 1) < 0)
		return -ENOMEM;
	job->work = work;
	job->done = done;
	job->next = NULL;

	pthread_mutex_lock(&w->lock);
	job->state = JOB_QUEUED;
	if (w->queue_tail)
		w->queue_tail->next = job;
	else
		w->queue_head = job;
	w->queue_tail = job;
	w->queued++;
	int rc = 0;
	if (w->queued > w->waiting && w->nthreads < w->max_threads) {
		rc = thread_start(w);
		if (rc && w->nthreads > 0)
			rc = 0;	/* the threads there are will take it */
	}
	if (rc) {
		/* No thread exists, so the queue held only this job. */
		w->queue_head = w->queue_tail = NULL;
		w->queued = 0;
		job->state = JOB_IDLE;
	} else {
		pthread_cond_signal(&w->work_ready);
	}
	pthread_mutex_unlock(&w->lock);
	if (rc == 0)
		outstanding_add(w);
	return rc;
}

/* Unlinks job from the queue, under the lock; it must be there. */
static void queue_remove(struct aio_workers *w, struct aio_job *job)
{
	struct aio_job *prev = NULL, *cur = w->queue_head;
	while (cur != job) {
		assert(cur && "queued job not in its pool's queue");
		prev = cur;
		cur = cur->next;
	}
	if (prev)
		prev->next = job->next;
	else
		w->queue_head = job->next;
	if (w->queue_tail == job)
		w->queue_tail = prev;
	w->queued--;
}

int aio_workers_cancel(struct aio_workers *w, struct aio_job *job)
{
	pthread_mutex_lock(&w->lock);
	int state = job->state;
	/* A finished job's next is a link threads may write, until the loop
	 * takes the job and points next at the anchor. */
	int done_queued = job->next == &w->anchor;
	if (state == JOB_QUEUED) {
		queue_remove(w, job);
		job->state = JOB_IDLE;
		job->next = NULL;
	}
	pthread_mutex_unlock(&w->lock);

	switch (state) {
	case JOB_IDLE:
		return 0;
	case JOB_QUEUED:
		outstanding_drop(w);
		return 0;
	case JOB_RUNNING:
		return -EBUSY;
	default:
		if (!done_queued)
			return -EBUSY;
		aio_call_cancel(&job->call);
		ring_remove(w, job);
		job->next = NULL;
		job->state = JOB_IDLE;
		return 0;
	}
}

size_t aio_workers_pending(struct aio_workers *w)
{
	return w->outstanding + w->ring_len;
}

struct aio_loop *aio_workers_loop(const struct aio_workers *w)
{
	return w->loop;
}

/* Leaves each job of a list linked through next idle; returns none. */
static void drop_list(struct aio_job *job)
{
	while (job) {
		struct aio_job *next = job->next;
		job->next = NULL;
		job->state = JOB_IDLE;
		job = next;
	}
}

void aio_workers_free(struct aio_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->work_ready);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);

	/* Alone now: no lock needed. */
	drop_list(w->queue_head);
	drop_list(w->finished_head);
	for (size_t i = 0; i < w->ring_len; i++) {
		struct aio_job *job = w->ring[(w->ring_head + i) % w->ring_cap];
		aio_call_cancel(&job->call);
		job->next = NULL;
		job->state = JOB_IDLE;
	}
	/* libev wants an unref'd watcher ref'd again before it is stopped. */
	if (w->outstanding)
		aio_loop_release(w->loop);
	else
		ev_ref(w->ev);
	ev_async_stop(w->ev, &w->wake);
	pthread_cond_destroy(&w->work_ready);
	pthread_mutex_destroy(&w->lock);
	free(w->ring);
	free(w->threads);
	free(w);
}

unsigned aio_workers_default_threads(void)
{
	const char *text = getenv("AIOD_THREADS");
	if (!text || *text < '0' || *text > '9')
		return DEFAULT_THREADS;
	char *end;
	errno = 0;
	unsigned long n = strtoul(text, &end, 10);
	if (errno || *end || n == 0 || n > MAX_ENV_THREADS)
		return DEFAULT_THREADS;
	return (unsigned)n;
}
