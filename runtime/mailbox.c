/* mailbox.c -- calls posted from other threads, run on the loop's thread */
#include "mailbox.h"

#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <stdlib.h>

struct aio_mailbox {
	ev_async wake;
	struct aio_loop *loop;
	int control;		/* mail goes to the control lane */
	pthread_mutex_t lock;
	struct aio_mail *head, *tail;	/* under lock */
};

/* On the loop's thread: moves the mail to the ready queue (or the lane), in order. */
static void wake_cb(struct ev_loop *ev, ev_async *w, int revents)
{
	struct aio_mailbox *mb = aio_container_of(w, struct aio_mailbox, wake);
	(void)ev;
	(void)revents;
	pthread_mutex_lock(&mb->lock);
	struct aio_mail *m = mb->head;
	mb->head = mb->tail = NULL;
	pthread_mutex_unlock(&mb->lock);
	while (m) {
		struct aio_mail *next = m->next;
		(mb->control ? aio_call_first : aio_call_soon)(mb->loop, &m->call, m->fn);
		m = next;
	}
}

struct aio_mailbox *aio_mailbox_new(struct aio_loop *loop, int *err)
{
	struct aio_mailbox *mb = calloc(1, sizeof *mb);
	if (!mb) {
		*err = -ENOMEM;
		return NULL;
	}
	int r = pthread_mutex_init(&mb->lock, NULL);
	if (r) {
		free(mb);
		*err = -r;
		return NULL;
	}
	mb->loop = loop;
	ev_async_init(&mb->wake, wake_cb);
	ev_async_start(aio_loop_ev(loop), &mb->wake);
	/* The watcher alone must not keep libev's loop from returning. */
	ev_unref(aio_loop_ev(loop));
	return mb;
}

void aio_mailbox_set_control(struct aio_mailbox *mb)
{
	mb->control = 1;
}

void aio_mailbox_post(struct aio_mailbox *mb, struct aio_mail *m, aio_call_fn fn)
{
	m->fn = fn;
	m->next = NULL;
	pthread_mutex_lock(&mb->lock);
	if (mb->tail)
		mb->tail->next = m;
	else
		mb->head = m;
	mb->tail = m;
	pthread_mutex_unlock(&mb->lock);
	ev_async_send(aio_loop_ev(mb->loop), &mb->wake);
}

void aio_mailbox_free(struct aio_mailbox *mb)
{
	if (!mb)
		return;
	ev_ref(aio_loop_ev(mb->loop));
	ev_async_stop(aio_loop_ev(mb->loop), &mb->wake);
	pthread_mutex_destroy(&mb->lock);
	free(mb);
}
