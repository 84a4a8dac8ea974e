/* libev.c -- bench keep-alive HTTP/1.1 hello server in plain C on libev: the floor for the http workload. */
/*
 * usage: libev PORT   (listens on 127.0.0.1:PORT)
 *
 * Each connection buffers its input; every request head ("\r\n\r\n") in it
 * gets the fixed answer (bodies are ignored). What the socket does not take
 * waits in the connection's output buffer, and the connection stops reading
 * until it is flushed (EV_WRITE). A head longer than 8 KiB closes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char RESPONSE[] = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!";
#define RESPONSE_LEN (sizeof RESPONSE - 1)

struct conn {
    ev_io io;             /* first, so the watcher pointer is the connection */
    char in[8192];
    size_t in_len;
    char *out;            /* answers the socket did not take yet */
    size_t out_len, out_off;
};

static void conn_close(struct ev_loop *loop, struct conn *c) {
    ev_io_stop(loop, &c->io);
    close(c->io.fd);
    free(c->out);
    free(c);
}

static void switch_to(struct ev_loop *loop, struct conn *c, int events) {
    ev_io_stop(loop, &c->io);
    ev_io_modify(&c->io, events);
    ev_io_start(loop, &c->io);
}

/* Writes out[off..len); returns -1 on error, else 1 when all went out, 0 when the socket is full. */
static int flush(struct conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->io.fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        c->out_off += n;
    }
    c->out_len = c->out_off = 0;
    return 1;
}

static void on_conn(struct ev_loop *loop, ev_io *w, int revents) {
    struct conn *c = (struct conn *)w;
    if (revents & EV_WRITE) {
        int rc = flush(c);
        if (rc < 0) conn_close(loop, c);
        else if (rc > 0) switch_to(loop, c, EV_READ);
        return;
    }
    ssize_t n = read(w->fd, c->in + c->in_len, sizeof c->in - c->in_len);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) { conn_close(loop, c); return; }
    c->in_len += n;
    size_t from = 0, answers = 0;
    char *end;
    while ((end = memmem(c->in + from, c->in_len - from, "\r\n\r\n", 4))) {
        from = end + 4 - c->in;
        answers++;
    }
    if (from == 0 && c->in_len == sizeof c->in) { conn_close(loop, c); return; }
    memmove(c->in, c->in + from, c->in_len - from);
    c->in_len -= from;
    if (!answers) return;
    char *out = realloc(c->out, c->out_len + answers * RESPONSE_LEN);
    if (!out) { conn_close(loop, c); return; }
    c->out = out;
    for (size_t i = 0; i < answers; i++, c->out_len += RESPONSE_LEN)
        memcpy(c->out + c->out_len, RESPONSE, RESPONSE_LEN);
    int rc = flush(c);
    if (rc < 0) conn_close(loop, c);
    else if (rc == 0) switch_to(loop, c, EV_WRITE);
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    for (;;) {
        int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  /* EAGAIN, or out of descriptors: try on the next event */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = malloc(sizeof *c);
        if (!c) { close(fd); continue; }
        c->in_len = c->out_len = c->out_off = 0;
        c->out = NULL;
        ev_io_init(&c->io, on_conn, fd, EV_READ);
        ev_io_start(loop, &c->io);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PORT\n", argv[0]); return 2; }
    signal(SIGPIPE, SIG_IGN);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 511) < 0) { perror("listen"); return 1; }
    struct ev_loop *loop = EV_DEFAULT;
    ev_io accept_io;
    ev_io_init(&accept_io, on_accept, fd, EV_READ);
    ev_io_start(loop, &accept_io);
    ev_run(loop, 0);
    return 0;
}
