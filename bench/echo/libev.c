/* libev.c -- bench echo server in plain C on libev: the floor the other echo servers are measured against. */
/*
 * usage: libev PORT   (listens on 127.0.0.1:PORT)
 *
 * Non-blocking read into one shared 64 KiB buffer, written straight back;
 * what the socket does not take is copied into the connection's own buffer
 * and the connection stops reading until it is flushed (EV_WRITE). One
 * ev_io per connection, switched between EV_READ and EV_WRITE.
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

struct conn {
    ev_io io;          /* first, so the watcher pointer is the connection */
    char *pending;     /* bytes the socket did not take yet */
    size_t len, off;
};

static char buf[65536];

static void conn_close(struct ev_loop *loop, struct conn *c) {
    ev_io_stop(loop, &c->io);
    close(c->io.fd);
    free(c->pending);
    free(c);
}

static void switch_to(struct ev_loop *loop, struct conn *c, int events) {
    ev_io_stop(loop, &c->io);
    ev_io_modify(&c->io, events);
    ev_io_start(loop, &c->io);
}

static void on_conn(struct ev_loop *loop, ev_io *w, int revents) {
    struct conn *c = (struct conn *)w;
    (void)revents;
    if (c->pending) {  /* EV_WRITE: flush what is left */
        ssize_t n = write(w->fd, c->pending + c->off, c->len - c->off);
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) { conn_close(loop, c); return; }
        c->off += n;
        if (c->off < c->len) return;
        free(c->pending);
        c->pending = NULL;
        switch_to(loop, c, EV_READ);
        return;
    }
    ssize_t n = read(w->fd, buf, sizeof buf);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) { conn_close(loop, c); return; }
    ssize_t m = write(w->fd, buf, n);
    if (m < 0 && errno != EAGAIN) { conn_close(loop, c); return; }
    if (m < 0) m = 0;
    if (m < n) {
        c->len = n - m;
        c->off = 0;
        c->pending = malloc(c->len);
        if (!c->pending) { conn_close(loop, c); return; }
        memcpy(c->pending, buf + m, c->len);
        switch_to(loop, c, EV_WRITE);
    }
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    for (;;) {
        int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  /* EAGAIN, or out of descriptors: try on the next event */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) { close(fd); continue; }
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
