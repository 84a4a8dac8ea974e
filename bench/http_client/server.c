/* server.c -- bench keep-alive HTTP/1.1 server in plain C on libev (+ OpenSSL for HTTPS): answers every request with a fixed 1 KiB body. */
/*
 * usage: server PORT [CERT KEY]   (listens on 127.0.0.1:PORT; with CERT and KEY it speaks TLS)
 *
 * The fast server the http-client workload's clients are measured against:
 * it must cost as little as possible, so the client's core decides. Each
 * connection buffers its input; every request head ("\r\n\r\n") in it gets
 * the same answer, "200 OK" with Content-Length: 1024 and 1024 bytes of
 * 'x' (request bodies are not expected: the clients only GET). What the
 * socket does not take waits in the connection's output buffer and the
 * connection reads nothing until it is out. A head longer than 8 KiB
 * closes the connection.
 *
 * With TLS: SSL_set_fd on the accepted socket, non-blocking SSL_do_handshake
 * / SSL_read / SSL_write, each retried on the event it asked for (as
 * bench/tls_echo/libev.c). No ALPN callback, so every client speaks
 * HTTP/1.1 (curl offers h2 too and falls back). OpenSSL's defaults
 * otherwise, with SSL_MODE_RELEASE_BUFFERS as nginx sets it.
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

#define BODY_LEN 1024
#define HEAD "HTTP/1.1 200 OK\r\nContent-Length: 1024\r\nContent-Type: application/octet-stream\r\n\r\n"

static char response[sizeof HEAD - 1 + BODY_LEN];
static SSL_CTX *ctx;  /* NULL: plain HTTP */

struct conn {
    ev_io io;             /* first, so the watcher pointer is the connection */
    SSL *ssl;             /* NULL for plain HTTP */
    int handshaken;
    char in[8192];
    size_t in_len;
    char *out;            /* answers the socket did not take yet */
    size_t out_len, out_off;
};

static void conn_close(struct ev_loop *loop, struct conn *c) {
    ERR_clear_error();
    ev_io_stop(loop, &c->io);
    if (c->ssl) SSL_free(c->ssl);
    close(c->io.fd);
    free(c->out);
    free(c);
}

static void switch_to(struct ev_loop *loop, struct conn *c, int events) {
    if ((c->io.events & (EV_READ | EV_WRITE)) == events) return;
    ev_io_stop(loop, &c->io);
    ev_io_modify(&c->io, events);
    ev_io_start(loop, &c->io);
}

/* One read or write; returns bytes, 0 at end of file, -1 with *wants = EV_READ / EV_WRITE to wait,
 * -2 on an error. */
static ssize_t io_read(struct conn *c, char *p, size_t n, int *wants) {
    if (!c->ssl) {
        ssize_t r = read(c->io.fd, p, n);
        if (r < 0 && errno == EAGAIN) { *wants = EV_READ; return -1; }
        return r < 0 ? -2 : r;
    }
    int r = SSL_read(c->ssl, p, (int)n);
    if (r > 0) return r;
    switch (SSL_get_error(c->ssl, r)) {
    case SSL_ERROR_WANT_READ: *wants = EV_READ; return -1;
    case SSL_ERROR_WANT_WRITE: *wants = EV_WRITE; return -1;
    case SSL_ERROR_ZERO_RETURN: return 0;
    default: return -2;
    }
}

static ssize_t io_write(struct conn *c, const char *p, size_t n, int *wants) {
    if (!c->ssl) {
        ssize_t r = write(c->io.fd, p, n);
        if (r < 0 && errno == EAGAIN) { *wants = EV_WRITE; return -1; }
        return r < 0 ? -2 : r;
    }
    int r = SSL_write(c->ssl, p, (int)n);
    if (r > 0) return r;
    switch (SSL_get_error(c->ssl, r)) {
    case SSL_ERROR_WANT_READ: *wants = EV_READ; return -1;
    case SSL_ERROR_WANT_WRITE: *wants = EV_WRITE; return -1;
    default: return -2;
    }
}

/* Writes out[off..len); returns -1 on error, 1 when all went out, 0 when it must wait (for *wants). */
static int flush(struct conn *c, int *wants) {
    while (c->out_off < c->out_len) {
        ssize_t n = io_write(c, c->out + c->out_off, c->out_len - c->out_off, wants);
        if (n == -1) return 0;
        if (n < 0) return -1;
        c->out_off += n;
    }
    c->out_len = c->out_off = 0;
    return 1;
}

/* Reads what there is, answers every complete head; returns -1 to close, else the events to wait for. */
static int serve(struct conn *c) {
    int wants = EV_READ;
    if (c->out_len) {
        int rc = flush(c, &wants);
        if (rc <= 0) return rc < 0 ? -1 : wants;
    }
    for (;;) {
        ssize_t n = io_read(c, c->in + c->in_len, sizeof c->in - c->in_len, &wants);
        if (n == -1) return wants;
        if (n <= 0) return -1;
        c->in_len += n;
        size_t from = 0, answers = 0;
        char *end;
        while ((end = memmem(c->in + from, c->in_len - from, "\r\n\r\n", 4))) {
            from = end + 4 - c->in;
            answers++;
        }
        if (from == 0 && c->in_len == sizeof c->in) return -1;
        memmove(c->in, c->in + from, c->in_len - from);
        c->in_len -= from;
        if (!answers) continue;
        char *out = realloc(c->out, c->out_len + answers * sizeof response);
        if (!out) return -1;
        c->out = out;
        for (size_t i = 0; i < answers; i++, c->out_len += sizeof response)
            memcpy(c->out + c->out_len, response, sizeof response);
        int rc = flush(c, &wants);
        if (rc <= 0) return rc < 0 ? -1 : wants;
        if (!c->ssl) return EV_READ;  /* level-triggered: the next read comes with the next event */
        /* TLS: SSL_read may hold a whole record already read from the socket; keep reading until it
         * asks to wait, or the next request would wait for an event that never comes. */
    }
}

static void on_conn(struct ev_loop *loop, ev_io *w, int revents) {
    struct conn *c = (struct conn *)w;
    (void)revents;
    if (c->ssl && !c->handshaken) {
        int rc = SSL_do_handshake(c->ssl);
        if (rc != 1) {
            int err = SSL_get_error(c->ssl, rc);
            if (err == SSL_ERROR_WANT_READ) switch_to(loop, c, EV_READ);
            else if (err == SSL_ERROR_WANT_WRITE) switch_to(loop, c, EV_WRITE);
            else conn_close(loop, c);
            return;
        }
        c->handshaken = 1;
    }
    int events = serve(c);
    if (events < 0) conn_close(loop, c);
    else switch_to(loop, c, events);
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
        if (ctx) {
            c->ssl = SSL_new(ctx);
            if (!c->ssl || !SSL_set_fd(c->ssl, fd)) { SSL_free(c->ssl); free(c); close(fd); continue; }
            SSL_set_accept_state(c->ssl);
        }
        ev_io_init(&c->io, on_conn, fd, EV_READ);
        ev_io_start(loop, &c->io);
    }
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 4) { fprintf(stderr, "usage: %s PORT [CERT KEY]\n", argv[0]); return 2; }
    signal(SIGPIPE, SIG_IGN);
    memcpy(response, HEAD, sizeof HEAD - 1);
    memset(response + sizeof HEAD - 1, 'x', BODY_LEN);
    if (argc == 4) {
        ctx = SSL_CTX_new(TLS_server_method());
        if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1
            || SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1
            || SSL_CTX_check_private_key(ctx) != 1) {
            ERR_print_errors_fp(stderr);
            return 1;
        }
        SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    }
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
