/* workers.h -- a pool of threads that run blocking jobs and report back on the loop */
#ifndef AIO_WORKERS_H
#define AIO_WORKERS_H

#include "loop.h"

#include <stddef.h>

struct aio_workers;
struct aio_job;

typedef void (*aio_job_fn)(struct aio_job *job);

/*
 * Caller-owned, zeroed before first submit; recover the owner with
 * aio_container_of. A job is idle again once its done has started, or once
 * cancel returned 0, and may then be submitted anew or freed.
 */
struct aio_job {
	struct aio_call call;	/* queued on the loop when work has run; runs done */
	aio_job_fn work;	/* runs on a worker thread */
	aio_job_fn done;	/* runs on the loop thread, from the ready queue */
	struct aio_job *next;	/* pool-internal */
	int state;		/* pool-internal: idle, queued, running, finishing */
};

/*
 * Pool of at most nthreads threads (started lazily, as jobs need them) for
 * loop. Worker threads block every signal, so signals go to the loop's
 * thread. Every function below but the jobs' work runs on the loop's thread.
 * Returns NULL and sets *err to -EINVAL (nthreads 0), -ENOMEM or another
 * -errno on failure.
 */
struct aio_workers *aio_workers_new(struct aio_loop *loop, unsigned nthreads, int *err);

/*
 * Queues job: work(job) runs on a thread; then done(job) is queued on the
 * loop's ready queue (aio_call_soon) and run by the loop like any call.
 * While any job is submitted and its done not yet queued, the pool holds
 * the loop (aio_loop_hold) so the loop waits for it instead of ending. The
 * job must be idle. Returns 0, -ENOMEM, or the -errno of thread creation
 * when no thread exists at all (a pool with threads queues the job for
 * them when another one cannot be started).
 */
int aio_workers_submit(struct aio_workers *w, struct aio_job *job,
		       aio_job_fn work, aio_job_fn done);

/*
 * Takes a job back if no thread has started it: returns 0 and the job is
 * idle (neither work nor done will run). Returns -EBUSY if work is running
 * or has run and done is not queued yet: done will still be queued. If done
 * is already queued on the loop, cancel takes it out (aio_call_cancel) and
 * returns 0 too. In every 0 case nothing more happens to the job; an idle
 * job (never submitted, or done already run) also gives 0.
 */
int aio_workers_cancel(struct aio_workers *w, struct aio_job *job);

/* Number of submitted jobs whose done has not run yet. */
size_t aio_workers_pending(struct aio_workers *w);

/*
 * The loop the pool reports to, for units built on the pool that queue
 * their own calls (a resolution answered without a thread).
 */
struct aio_loop *aio_workers_loop(const struct aio_workers *w);

/*
 * Joins the threads after letting running jobs finish (this waits for
 * them); jobs still queued are not run. Jobs whose work ran but whose done
 * has not run are dropped: their done is NOT called, even if it was already
 * queued on the loop (it is taken out). So a caller whose done releases
 * something (a result the work made) must have cancelled or collected
 * those jobs first. Every job is left idle and the loop holds are
 * released. Free the pool before its loop. NULL is harmless.
 */
void aio_workers_free(struct aio_workers *w);

/*
 * Threads for new pools: the AIOD_THREADS environment variable if it is a
 * positive integer (<= 256), else 4.
 */
unsigned aio_workers_default_threads(void);

#endif
