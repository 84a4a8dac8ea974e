/* curl.c -- HTTP transfers on libcurl's multi interface, driven by the loop (one timer, an I/O watcher a socket) */
#include "curl.h"

#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* What the pool watches of one descriptor, kept by its number. An entry
 * outlives its socket (closed is set then): a CURL_POLL_REMOVE that comes
 * after the close finds it and does nothing harmful. */
struct sockwatch {
	ev_io io;
	struct aio_curl *m;
	int active;
};

struct aio_curl {
	CURLM *multi;
	struct aio_loop *loop;	/* NULL once the loop went away */
	struct aio_resource res;
	ev_timer timer;
	struct aio_call kick;	/* the timer's 0, and events to deliver, on the next turn */
	struct sockwatch **socks;	/* by descriptor */
	size_t nsocks;
	struct aio_curl_xfer *live;	/* every transfer not released */
	struct aio_curl_xfer *ready;	/* transfers with events to deliver */
};

struct aio_curl_xfer {
	struct aio_curl *m;	/* NULL once the pool was freed */
	CURL *easy;
	aio_curl_fn fn;
	void *udata;
	struct aio_curl_opts o;
	struct aio_buf headers;
	struct aio_buf body;
	struct aio_curl_xfer *next, *prev;	/* in live */
	struct aio_curl_xfer *ready_next;
	unsigned events;
	unsigned char queued;	/* in ready */
	unsigned char in_multi;
	unsigned char done;
	unsigned char too_big;
	unsigned char paused;
	unsigned char headers_final;
	unsigned char location;	/* the response being read has a Location */
	CURLcode result;
	char error[CURL_ERROR_SIZE];
};

#define DEFAULT_HIGH (256 * 1024)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Events wait in ready until the pool acts next: never delivered from a
 * curl callback or from inside this API. */
static void mark(struct aio_curl_xfer *x, unsigned events)
{
	x->events |= events;
	if (!x->queued && x->m) {
		x->queued = 1;
		x->ready_next = x->m->ready;
		x->m->ready = x;
	}
}

static void unqueue(struct aio_curl_xfer *x)
{
	if (!x->queued)
		return;
	struct aio_curl_xfer **p = &x->m->ready;
	while (*p != x)
		p = &(*p)->ready_next;
	*p = x->ready_next;
	x->queued = 0;
}

static void deliver_ready(struct aio_curl *m)
{
	while (m->ready) {
		struct aio_curl_xfer *x = m->ready;
		m->ready = x->ready_next;
		x->queued = 0;
		unsigned events = x->events;
		x->events = 0;
		if (x->fn && events)
			x->fn(x, events);
	}
}

static void collect_done(struct aio_curl *m)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(m->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct aio_curl_xfer *x = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (!x)
			continue;
		CURLcode result = msg->data.result;
		curl_multi_remove_handle(m->multi, x->easy);
		x->in_multi = 0;
		x->done = 1;
		x->result = result;
		mark(x, AIO_CURL_DONE);
	}
}

/* One action of curl's, then what it reported, after it returned. */
static void act(struct aio_curl *m, curl_socket_t fd, int mask)
{
	int running;
	curl_multi_socket_action(m->multi, fd, mask, &running);
	collect_done(m);
	deliver_ready(m);
}

static void kick_cb(struct aio_call *call)
{
	act(aio_container_of(call, struct aio_curl, kick), CURL_SOCKET_TIMEOUT, 0);
}

static void kick(struct aio_curl *m)
{
	if (m->loop && !aio_call_queued(&m->kick))
		aio_call_soon(m->loop, &m->kick, kick_cb);
}

static void timer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)ev;
	(void)revents;
	act(aio_container_of(w, struct aio_curl, timer), CURL_SOCKET_TIMEOUT, 0);
}

static void io_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct sockwatch *sw = aio_container_of(w, struct sockwatch, io);
	(void)ev;
	int mask = (revents & EV_READ ? CURL_CSELECT_IN : 0) | (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
	act(sw->m, w->fd, mask);
}

/* CURLMOPT_TIMERFUNCTION: only arms the timer (or the kick for 0). */
static int multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct aio_curl *m = userp;
	(void)multi;
	if (!m->loop)
		return 0;
	ev_timer_stop(aio_loop_ev(m->loop), &m->timer);
	if (timeout_ms == 0) {
		kick(m);
	} else if (timeout_ms > 0) {
		ev_timer_set(&m->timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(aio_loop_ev(m->loop), &m->timer);
	}
	return 0;
}

static struct sockwatch *sockwatch_for(struct aio_curl *m, curl_socket_t fd)
{
	if (fd < 0)
		return NULL;
	if ((size_t)fd >= m->nsocks) {
		size_t n = m->nsocks ? m->nsocks : 64;
		while (n <= (size_t)fd)
			n *= 2;
		struct sockwatch **socks = realloc(m->socks, n * sizeof *socks);
		if (!socks)
			return NULL;
		memset(socks + m->nsocks, 0, (n - m->nsocks) * sizeof *socks);
		m->socks = socks;
		m->nsocks = n;
	}
	if (!m->socks[fd]) {
		struct sockwatch *sw = calloc(1, sizeof *sw);
		if (!sw)
			return NULL;
		sw->m = m;
		ev_io_init(&sw->io, io_cb, fd, EV_READ);
		m->socks[fd] = sw;
	}
	return m->socks[fd];
}

static void sockwatch_stop(struct aio_curl *m, struct sockwatch *sw)
{
	if (sw->active && m->loop)
		ev_io_stop(aio_loop_ev(m->loop), &sw->io);
	sw->active = 0;
}

/* CURLMOPT_SOCKETFUNCTION: what to watch on fd changes. */
static int multi_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct aio_curl *m = userp;
	(void)easy;
	(void)socketp;
	if (!m->loop)
		return 0;
	if (what == CURL_POLL_REMOVE) {
		if (fd >= 0 && (size_t)fd < m->nsocks && m->socks[fd])
			sockwatch_stop(m, m->socks[fd]);
		return 0;
	}
	struct sockwatch *sw = sockwatch_for(m, fd);
	if (!sw)
		return -1;
	int events = (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
	sockwatch_stop(m, sw);
	ev_io_set(&sw->io, fd, events);
	ev_io_start(aio_loop_ev(m->loop), &sw->io);
	sw->active = 1;
	return 0;
}

/* The pool opens its sockets (close-on-exec: a child spawned meanwhile
 * inherits none) and closes them, so it always knows which are gone. */
static curl_socket_t open_socket_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	(void)clientp;
	(void)purpose;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static int close_socket_cb(void *clientp, curl_socket_t fd)
{
	struct aio_curl *m = clientp;
	if (fd >= 0 && (size_t)fd < m->nsocks && m->socks[fd])
		sockwatch_stop(m, m->socks[fd]);
	return close(fd);
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct aio_curl_xfer *x = userdata;
	size_t n = size * nmemb;
	if (!x->headers_final) {
		/* Body bytes: the headers before them were the final ones. */
		x->headers_final = 1;
		mark(x, AIO_CURL_HEADERS);
	}
	if (x->o.stream && aio_buf_len(&x->body) >= x->o.high) {
		x->paused = 1;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (!x->o.stream && x->o.max_body && aio_buf_len(&x->body) + n > x->o.max_body) {
		x->too_big = 1;
		return 0;
	}
	if (aio_buf_append(&x->body, ptr, n) < 0)
		return 0;
	mark(x, AIO_CURL_BODY);
	return n;
}

/* The status of a status line ("HTTP/1.1 301 Moved"), or 0. */
static int status_of(const char *line, size_t len)
{
	const char *sp = memchr(line, ' ', len);
	if (!sp || (size_t)(sp - line) + 4 > len)
		return 0;
	int code = 0;
	for (int i = 1; i <= 3; i++) {
		char c = sp[i];
		if (c < '0' || c > '9')
			return 0;
		code = code * 10 + (c - '0');
	}
	return code;
}

/*
 * Header lines of every response curl reads (1xx, redirects followed,
 * the final one): a status line starts a new block; the blank line ends
 * one, final unless it was informational or a redirect curl follows.
 */
static size_t header_cb(char *buf, size_t size, size_t nmemb, void *userdata)
{
	struct aio_curl_xfer *x = userdata;
	size_t n = size * nmemb;
	if (n >= 5 && !memcmp(buf, "HTTP/", 5)) {
		aio_buf_destroy(&x->headers);
		x->location = 0;
		x->headers_final = 0;
	} else if (n >= 9 && !strncasecmp(buf, "location:", 9)) {
		x->location = 1;
	}
	if (aio_buf_append(&x->headers, buf, n) < 0)
		return 0;
	if ((n == 2 && buf[0] == '\r') || (n == 1 && buf[0] == '\n')) {
		const char *block = aio_buf_peek(&x->headers);
		const char *eol = memchr(block, '\n', aio_buf_len(&x->headers));
		int code = status_of(block, eol ? (size_t)(eol - block) : aio_buf_len(&x->headers));
		int more = (code >= 100 && code < 200) ||
			   (x->o.follow && code >= 300 && code < 400 && x->location);
		if (!more && !x->headers_final) {
			x->headers_final = 1;
			mark(x, AIO_CURL_HEADERS);
		}
	}
	return n;
}

/* The loop is going away: its watchers stop now; the pool stays for
 * aio_curl_free, which libcurl needs to close its connections. */
static void loop_gone(struct aio_resource *res)
{
	struct aio_curl *m = aio_container_of(res, struct aio_curl, res);
	for (size_t fd = 0; fd < m->nsocks; fd++)
		if (m->socks[fd])
			sockwatch_stop(m, m->socks[fd]);
	ev_timer_stop(aio_loop_ev(m->loop), &m->timer);
	aio_call_cancel(&m->kick);
	m->loop = NULL;
}

struct aio_curl *aio_curl_new(struct aio_loop *loop, int *err)
{
	pthread_once(&global_once, global_init);
	if (global_result != CURLE_OK) {
		*err = -EINVAL;
		return NULL;
	}
	struct aio_curl *m = calloc(1, sizeof *m);
	if (!m || !(m->multi = curl_multi_init())) {
		free(m);
		*err = -ENOMEM;
		return NULL;
	}
	m->loop = loop;
	ev_timer_init(&m->timer, timer_cb, 0., 0.);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, multi_socket_cb);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	aio_loop_track(loop, &m->res, loop_gone);
	return m;
}

void aio_curl_set_limits(struct aio_curl *m, long max_connections, long max_per_host)
{
	curl_multi_setopt(m->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max_connections);
	curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS, max_per_host);
	/* The idle ones stay: by default libcurl sizes its cache from the
	 * transfers in flight, and closed keep-alive connections (each a new
	 * TLS handshake later) whenever fewer ran. */
	curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, max_connections);
}

void aio_curl_free(struct aio_curl *m)
{
	for (struct aio_curl_xfer *x = m->live; x; x = x->next) {
		if (x->in_multi)
			curl_multi_remove_handle(m->multi, x->easy);
		x->in_multi = 0;
		x->queued = 0;
		x->m = NULL;
	}
	m->ready = NULL;
	/* Closes the connections kept alive, through close_socket_cb. */
	curl_multi_cleanup(m->multi);
	if (m->loop) {
		ev_timer_stop(aio_loop_ev(m->loop), &m->timer);
		aio_call_cancel(&m->kick);
		aio_loop_untrack(&m->res);
	}
	for (size_t fd = 0; fd < m->nsocks; fd++) {
		if (m->socks[fd])
			sockwatch_stop(m, m->socks[fd]);
		free(m->socks[fd]);
	}
	free(m->socks);
	free(m);
}

struct aio_curl_xfer *aio_curl_start(struct aio_curl *m, CURL *easy, const struct aio_curl_opts *o,
				     aio_curl_fn fn, void *udata, int *err)
{
	if (!m->loop) {
		*err = -EINVAL;
		return NULL;
	}
	struct aio_curl_xfer *x = calloc(1, sizeof *x);
	if (!x) {
		*err = -ENOMEM;
		return NULL;
	}
	x->m = m;
	x->easy = easy;
	x->fn = fn;
	x->udata = udata;
	x->o = *o;
	if (!x->o.high)
		x->o.high = DEFAULT_HIGH;
	aio_buf_init(&x->headers);
	aio_buf_init(&x->body);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)x);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, m);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, close_socket_cb);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, m);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->error);
	curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	if (curl_multi_add_handle(m->multi, easy) != CURLM_OK) {
		curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)NULL);
		curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, (char *)NULL);
		free(x);
		*err = -EINVAL;
		return NULL;
	}
	x->in_multi = 1;
	x->next = m->live;
	if (m->live)
		m->live->prev = x;
	m->live = x;
	return x;
}

void *aio_curl_udata(const struct aio_curl_xfer *x)
{
	return x->udata;
}

const struct aio_buf *aio_curl_headers(const struct aio_curl_xfer *x)
{
	return &x->headers;
}

struct aio_buf *aio_curl_body(struct aio_curl_xfer *x)
{
	return &x->body;
}

/* Unpausing may hand curl's kept data to write_cb at once: what that
 * marks is delivered from the kick, on the next turn. */
void aio_curl_consumed(struct aio_curl_xfer *x)
{
	if (!x->paused || !x->m || aio_buf_len(&x->body) >= x->o.high)
		return;
	x->paused = 0;
	curl_easy_pause(x->easy, CURLPAUSE_CONT);
	kick(x->m);
}

int aio_curl_done(const struct aio_curl_xfer *x)
{
	return x->done;
}

CURLcode aio_curl_result(const struct aio_curl_xfer *x)
{
	return x->result;
}

const char *aio_curl_error(const struct aio_curl_xfer *x)
{
	return x->error[0] ? x->error : (x->done ? curl_easy_strerror(x->result) : "");
}

int aio_curl_too_big(const struct aio_curl_xfer *x)
{
	return x->too_big;
}

void aio_curl_release(struct aio_curl_xfer *x)
{
	struct aio_curl *m = x->m;
	x->fn = NULL;
	if (m) {
		unqueue(x);
		/* A transfer removed before its end loses its connection:
		 * curl never reuses one read half-way. */
		if (x->in_multi)
			curl_multi_remove_handle(m->multi, x->easy);
		if (x->prev)
			x->prev->next = x->next;
		else
			m->live = x->next;
		if (x->next)
			x->next->prev = x->prev;
	}
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, (char *)NULL);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, (char *)NULL);
	aio_buf_destroy(&x->headers);
	aio_buf_destroy(&x->body);
	free(x);
}
