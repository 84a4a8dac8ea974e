/* libev.c -- bench TLS echo server in plain C on libev + OpenSSL: the limit the other TLS servers are measured against. */
/*
 * usage: libev PORT CERT KEY   (listens on 127.0.0.1:PORT)
 *
 * Each accepted socket gets an SSL with SSL_set_fd, driven non-blocking:
 * the handshake, then SSL_read into one shared 64 KiB buffer and SSL_write
 * straight back. Whatever call returns SSL_ERROR_WANT_READ / WANT_WRITE is
 * retried on the next EV_READ / EV_WRITE: a write the socket did not take
 * is kept in the connection's own buffer (the same length again, so
 * SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER) and the connection reads nothing
 * until it is out. The client's close_notify is answered with ours, then
 * the socket is closed. OpenSSL's defaults otherwise (TLS 1.3 cipher
 * suites, two session tickets after each handshake), with
 * SSL_MODE_RELEASE_BUFFERS as nginx, Python and Node.js set it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum phase { HANDSHAKE, ECHO, SHUTDOWN };

struct conn {
    ev_io io;          /* first, so the watcher pointer is the connection */
    SSL *ssl;
    enum phase phase;
    char *pending;     /* plaintext SSL_write has not taken yet */
    int len;
};

static char buf[65536];
static SSL_CTX *ctx;

static void conn_close(struct ev_loop *loop, struct conn *c) {
    ERR_clear_error();   /* a failed connection leaves nothing for the next one's SSL_get_error */
    ev_io_stop(loop, &c->io);
    SSL_free(c->ssl);
    close(c->io.fd);
    free(c->pending);
    free(c);
}

static void switch_to(struct ev_loop *loop, struct conn *c, int events) {
    if ((c->io.events & (EV_READ | EV_WRITE)) == events) return;
    ev_io_stop(loop, &c->io);
    ev_io_modify(&c->io, events);
    ev_io_start(loop, &c->io);
}

/* After an SSL call returned rc <= 0: wait for what it needs, or close. */
static void wait_or_close(struct ev_loop *loop, struct conn *c, int rc) {
    switch (SSL_get_error(c->ssl, rc)) {
    case SSL_ERROR_WANT_READ: switch_to(loop, c, EV_READ); break;
    case SSL_ERROR_WANT_WRITE: switch_to(loop, c, EV_WRITE); break;
    default: conn_close(loop, c); break;
    }
}

static void on_conn(struct ev_loop *loop, ev_io *w, int revents) {
    struct conn *c = (struct conn *)w;
    int rc;
    (void)revents;
    switch (c->phase) {
    case HANDSHAKE:
        rc = SSL_do_handshake(c->ssl);
        if (rc != 1) { wait_or_close(loop, c, rc); return; }
        c->phase = ECHO;
        /* fall through - the first request may have come with the client's Finished */
    case ECHO:
        if (c->pending) {
            rc = SSL_write(c->ssl, c->pending, c->len);
            if (rc <= 0) { wait_or_close(loop, c, rc); return; }
            free(c->pending);
            c->pending = NULL;
        }
        rc = SSL_read(c->ssl, buf, sizeof buf);
        if (rc <= 0) {
            if (SSL_get_error(c->ssl, rc) != SSL_ERROR_ZERO_RETURN) { wait_or_close(loop, c, rc); return; }
            c->phase = SHUTDOWN;   /* close_notify: answer it */
            break;
        }
        int n = rc;
        rc = SSL_write(c->ssl, buf, n);
        if (rc <= 0) {
            int err = SSL_get_error(c->ssl, rc);
            if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) { conn_close(loop, c); return; }
            c->pending = malloc(n);
            if (!c->pending) { conn_close(loop, c); return; }
            memcpy(c->pending, buf, n);
            c->len = n;
            switch_to(loop, c, err == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE);
            return;
        }
        switch_to(loop, c, EV_READ);
        return;
    case SHUTDOWN:
        break;
    }
    rc = SSL_shutdown(c->ssl);
    if (rc < 0 && SSL_get_error(c->ssl, rc) == SSL_ERROR_WANT_WRITE) { switch_to(loop, c, EV_WRITE); return; }
    conn_close(loop, c);
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    for (;;) {
        int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  /* EAGAIN, or out of descriptors: try on the next event */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        SSL *ssl = c ? SSL_new(ctx) : NULL;
        if (!ssl || !SSL_set_fd(ssl, fd)) { SSL_free(ssl); free(c); close(fd); continue; }
        SSL_set_accept_state(ssl);
        c->ssl = ssl;
        c->phase = HANDSHAKE;
        ev_io_init(&c->io, on_conn, fd, EV_READ);
        ev_io_start(loop, &c->io);
    }
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s PORT CERT KEY\n", argv[0]); return 2; }
    signal(SIGPIPE, SIG_IGN);
    ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
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
