/* filewatch.c -- noticing that files change (libev stat watchers: inotify where there is one) */
#include "filewatch.h"

#include <errno.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>

struct watched_file {
	ev_stat stat;
	struct aio_filewatch *owner;
	struct watched_file *next;
	char path[];
};

struct aio_filewatch {
	struct aio_resource res;
	struct aio_loop *loop;	/* NULL once the loop went away */
	struct aio_timer settle_timer;
	double settle;
	aio_filewatch_fn fn;
	void *udata;
	struct watched_file *files;
};

static void settled(struct aio_call *call)
{
	struct aio_filewatch *w = aio_container_of(call, struct aio_filewatch, settle_timer.call);
	w->fn(w, w->udata);
}

static void changed(struct ev_loop *ev, ev_stat *st, int revents)
{
	struct watched_file *f = aio_container_of(st, struct watched_file, stat);
	struct aio_filewatch *w = f->owner;
	(void)ev;
	(void)revents;
	/* Every change restarts the wait, so a burst is reported once. */
	aio_timer_stop(w->loop, &w->settle_timer);
	aio_timer_start(w->loop, &w->settle_timer, aio_loop_time(w->loop) + w->settle, settled);
}

static void loop_gone(struct aio_resource *res)
{
	struct aio_filewatch *w = aio_container_of(res, struct aio_filewatch, res);
	aio_filewatch_clear(w);
	aio_timer_stop(w->loop, &w->settle_timer);
	w->loop = NULL;
}

struct aio_filewatch *aio_filewatch_new(struct aio_loop *loop, double settle,
					aio_filewatch_fn fn, void *udata, int *err)
{
	struct aio_filewatch *w = calloc(1, sizeof *w);
	if (!w) {
		*err = -ENOMEM;
		return NULL;
	}
	w->loop = loop;
	w->settle = settle;
	w->fn = fn;
	w->udata = udata;
	aio_timer_init(&w->settle_timer);
	aio_loop_track(loop, &w->res, loop_gone);
	return w;
}

int aio_filewatch_add(struct aio_filewatch *w, const char *path)
{
	if (!w->loop)
		return 0;
	size_t n = strlen(path) + 1;
	struct watched_file *f = calloc(1, sizeof *f + n);
	if (!f)
		return -ENOMEM;
	memcpy(f->path, path, n);
	f->owner = w;
	/* Without inotify libev polls: once a second is enough for reloads. */
	ev_stat_init(&f->stat, changed, f->path, 1.0);
	ev_stat_start(aio_loop_ev(w->loop), &f->stat);
	/* A watched file is no reason for the loop to go on. */
	ev_unref(aio_loop_ev(w->loop));
	f->next = w->files;
	w->files = f;
	return 0;
}

void aio_filewatch_clear(struct aio_filewatch *w)
{
	while (w->files) {
		struct watched_file *f = w->files;
		w->files = f->next;
		ev_ref(aio_loop_ev(w->loop));
		ev_stat_stop(aio_loop_ev(w->loop), &f->stat);
		free(f);
	}
}

void aio_filewatch_free(struct aio_filewatch *w)
{
	if (!w)
		return;
	if (w->loop) {
		aio_loop_untrack(&w->res);
		loop_gone(&w->res);
	}
	free(w);
}
