/* filewatch.h -- noticing that files change (libev stat watchers: inotify where there is one) */
#ifndef AIO_FILEWATCH_H
#define AIO_FILEWATCH_H

#include "loop.h"

struct aio_filewatch;

/* Called from the ready queue after a watched file changed, was replaced
 * or removed, once per settle period however many changes came. */
typedef void (*aio_filewatch_fn)(struct aio_filewatch *w, void *udata);

/*
 * Watches nothing yet; aio_filewatch_add adds files. A burst of changes
 * (an editor writing a file in several steps) is reported once, settle
 * seconds after the last one. The watcher does not hold the loop.
 * NULL and *err = -ENOMEM on failure.
 */
struct aio_filewatch *aio_filewatch_new(struct aio_loop *loop, double settle,
					aio_filewatch_fn fn, void *udata, int *err);

/* Watches path too (a file that does not exist yet is watched for its
 * creation). 0 or -ENOMEM. */
int aio_filewatch_add(struct aio_filewatch *w, const char *path);

/* Stops watching every file (the set is being rebuilt). */
void aio_filewatch_clear(struct aio_filewatch *w);

/* NULL is harmless. After the loop went away (which stops the watching),
 * this only frees. */
void aio_filewatch_free(struct aio_filewatch *w);

#endif
