/* load.c -- bench TLS client on OpenSSL: echo ping-pong, full handshakes, or idle connections, over epoll. */
/*
 * usage: load echo      HOST PORT CONNS SIZE WARMUP SECONDS [SERVER-PID]
 *        load handshake HOST PORT CONNS SIZE WARMUP SECONDS [SERVER-PID]
 *        load hold      HOST PORT N SIZE
 *
 * echo: CONNS TLS connections, each sends a SIZE-byte message, reads until
 * SIZE bytes came back, checks them, and sends the next one.
 * handshake: CONNS at a time, each a new TCP connection, a full TLS
 * handshake, one SIZE-byte message echoed and checked, then close_notify
 * and the server's end of file; then the next connection. Nothing resumes:
 * the context has no session cache and asks for no tickets, and no session
 * is ever set on a connection.
 * Both count completed requests (echo) or connections (handshake) for
 * SECONDS seconds after WARMUP seconds; with SERVER-PID they read that
 * process's CPU time (utime + stime from /proc/PID/stat) right at both ends
 * of the counted window. One line on stdout:
 *
 *   requests=N seconds=S server_cpu=C version=V cipher=X group=G
 *
 * (C in seconds, -1 without a pid; V, X, G as negotiated: every connection
 * must negotiate the same as the first, or the run fails.) Then each
 * connection finishes its request and closes cleanly (close_notify, then
 * the server's end of file; up to 5 s).
 * hold: opens N connections, 100 at a time in flight, each echoing one
 * SIZE-byte message; then prints "held=N version=V cipher=X group=G",
 * keeps them all open and idle until stdin reaches end of file, and exits.
 *
 * TLS 1.3 only, OpenSSL's default cipher suites, SNI "localhost", the
 * server's certificate not verified (it would cost the load's core, not the
 * server's). Exits 1 (with a message on stderr) if a connection fails,
 * closes early, or echoes wrong bytes. Single thread, level-triggered
 * epoll, TCP_NODELAY; exits 1 too when nothing completes for 10 s.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "../load.h"

enum mode { ECHO, HANDSHAKE, HOLD };
enum state { CONNECTING, HANDSHAKING, SENDING, RECEIVING, SHUTTING, CLOSING, IDLE };

struct conn {
    int fd;
    SSL *ssl;
    enum state st;
    uint32_t events;      /* what epoll watches for now (0: not registered) */
    size_t got;           /* bytes of the current echo received */
    unsigned char seq;    /* first byte of the current request, so a stale echo is caught */
    unsigned char *out, *in;
};

static enum mode mode;
static size_t size;
static int ep;
static SSL_CTX *ctx;
static struct addrinfo *server;
static const SSL_CIPHER *cipher0;   /* what the first connection negotiated */
static int version0, group0;
static char agreed[200];

static int draining;       /* echo, handshake: the window is over, finish and close */
static int counting;
static long long requests;
static long long completed;   /* requests or connections done, counted or not: progress */
static int open_conns;     /* connections not yet closed for good */
static int started, held, target;  /* hold: connections begun, echoed, wanted */



static void ssl_die(const char *what, int err) {
    unsigned long e = ERR_get_error();
    char buf[256];
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    else if (err == SSL_ERROR_SYSCALL)
        snprintf(buf, sizeof buf, "%s", errno ? strerror(errno) : "unexpected end of file");
    else if (err == SSL_ERROR_ZERO_RETURN)
        snprintf(buf, sizeof buf, "the server closed the connection");
    else
        snprintf(buf, sizeof buf, "SSL error %d", err);
    fprintf(stderr, "load: %s: %s\n", what, buf);
    exit(1);
}


static void want(struct conn *c, uint32_t events) {
    if (c->events == events) return;
    struct epoll_event ev = {.events = events, .data.ptr = c};
    int op = !c->events ? EPOLL_CTL_ADD : events ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
    if (epoll_ctl(ep, op, c->fd, &ev) < 0) die("epoll_ctl");
    c->events = events;
}

/* After an SSL call returned rc <= 0: waits for what it needs (returns 1), or dies. */
static int blocked(struct conn *c, int rc, const char *what) {
    int err = SSL_get_error(c->ssl, rc);
    if (err == SSL_ERROR_WANT_READ) { want(c, EPOLLIN); return 1; }
    if (err == SSL_ERROR_WANT_WRITE) { want(c, EPOLLOUT); return 1; }
    ssl_die(what, err);
    return 0;
}

/* The first handshake sets what every later one must negotiate too. */
static void check_negotiated(struct conn *c) {
    const SSL_CIPHER *ci = SSL_get_current_cipher(c->ssl);
    int v = SSL_version(c->ssl), g = SSL_get_negotiated_group(c->ssl);
    if (!cipher0) {
        cipher0 = ci, version0 = v, group0 = g;
        const char *gname = SSL_group_to_name(c->ssl, g);
        snprintf(agreed, sizeof agreed, "version=%s cipher=%s group=%s", SSL_get_version(c->ssl),
                 SSL_CIPHER_get_name(ci), gname ? gname : "unknown");
        return;
    }
    if (ci != cipher0 || v != version0 || g != group0) {
        fprintf(stderr, "load: a connection negotiated %s %s, the first %s\n", SSL_get_version(c->ssl),
                SSL_CIPHER_get_name(ci), agreed);
        exit(1);
    }
}

static void start_request(struct conn *c) {
    c->seq++;
    c->out[0] = c->seq;
    c->got = 0;
    c->st = SENDING;
}

static void drive(struct conn *c);

/* A new connection in slot c: non-blocking connect, then the handshake. */
static void begin(struct conn *c) {
    c->fd = socket(server->ai_family, server->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->events = 0;
    c->ssl = SSL_new(ctx);
    if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) || !SSL_set_tlsext_host_name(c->ssl, "localhost"))
        ssl_die("SSL_new", 0);
    SSL_set_connect_state(c->ssl);
    open_conns++;
    if (connect(c->fd, server->ai_addr, server->ai_addrlen) == 0) {
        c->st = HANDSHAKING;
        drive(c);
    } else if (errno == EINPROGRESS) {
        c->st = CONNECTING;
        want(c, EPOLLOUT);
    } else {
        die("connect");
    }
}

/* Connection c is closed for good (it was echoed and shut down, or its window is over). */
static void finish(struct conn *c) {
    if (c->events) want(c, 0);
    SSL_free(c->ssl);
    c->ssl = NULL;
    close(c->fd);
    c->fd = -1;
    open_conns--;
    if (mode == HANDSHAKE) {
        requests += counting;
        completed++;
        if (!draining) begin(c);
    }
}

/* The whole echo of the current request is in and checked. */
static void echoed(struct conn *c) {
    switch (mode) {
    case ECHO:
        requests += counting;
        completed++;
        if (draining)
            c->st = SHUTTING;
        else
            start_request(c);
        break;
    case HANDSHAKE:
        c->st = SHUTTING;
        break;
    case HOLD:
        c->st = IDLE;
        want(c, 0);
        held++;
        break;
    }
}

/* Runs connection c's state machine until it would block. */
static void drive(struct conn *c) {
    for (;;) {
        int rc;
        switch (c->st) {
        case CONNECTING: {
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) die("getsockopt");
            if (err) { errno = err; die("connect"); }
            c->st = HANDSHAKING;
            break;
        }
        case HANDSHAKING:
            rc = SSL_do_handshake(c->ssl);
            if (rc != 1) { if (blocked(c, rc, "handshake")) return; }
            check_negotiated(c);
            start_request(c);
            break;
        case SENDING:
            /* Without partial writes SSL_write returns only when all SIZE bytes went out. */
            rc = SSL_write(c->ssl, c->out, (int)size);
            if (rc <= 0) { if (blocked(c, rc, "write")) return; }
            c->st = RECEIVING;
            break;
        case RECEIVING:
            rc = SSL_read(c->ssl, c->in + c->got, (int)(size - c->got));
            if (rc <= 0) { if (blocked(c, rc, "read")) return; }
            c->got += rc;
            if (c->got < size) break;
            if (memcmp(c->in, c->out, size) != 0) { errno = 0; die("echo differs from the request"); }
            echoed(c);
            break;
        case SHUTTING:
            rc = SSL_shutdown(c->ssl);   /* 0: our close_notify is out; 1: theirs is in too */
            if (rc < 0) { if (blocked(c, rc, "shutdown")) return; }
            if (rc == 1) { finish(c); return; }
            c->st = CLOSING;
            break;
        case CLOSING: {
            char buf[4096];
            rc = SSL_read(c->ssl, buf, sizeof buf);
            if (rc > 0) { errno = 0; die("data after the echo"); }
            int err = SSL_get_error(c->ssl, rc);
            if (err == SSL_ERROR_ZERO_RETURN) { finish(c); return; }   /* close_notify, or EOF */
            if (blocked(c, rc, "closing")) return;
            break;
        }
        case IDLE:
            return;
        }
    }
}

static int dial_info(const char *host, const char *port) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    int rc = getaddrinfo(host, port, &hints, &server);
    if (rc) { fprintf(stderr, "load: %s:%s: %s\n", host, port, gai_strerror(rc)); exit(1); }
    return 0;
}

static void make_ctx(void) {
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) ssl_die("SSL_CTX_new", 0);
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    /* An end of file without close_notify reads as SSL_ERROR_ZERO_RETURN, not an error. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
}

static struct conn *slots(int n) {
    struct conn *conns = calloc(n, sizeof *conns);
    if (!conns) die("calloc");
    for (int i = 0; i < n; i++) {
        struct conn *c = &conns[i];
        c->fd = -1;
        c->out = malloc(size);
        c->in = malloc(size);
        if (!c->out || !c->in) die("malloc");
        for (size_t j = 0; j < size; j++) c->out[j] = (unsigned char)('a' + (i + j) % 26);
        c->seq = (unsigned char)i;
    }
    return conns;
}

static void poll_once(int timeout_ms) {
    struct epoll_event events[64];
    int n = epoll_wait(ep, events, 64, timeout_ms);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) drive(events[i].data.ptr);
}

static int hold(int n) {
    enum { IN_FLIGHT = 100 };
    struct conn *conns = slots(n);
    target = n;
    while (held < target) {
        while (started < target && started - held < IN_FLIGHT) begin(&conns[started++]);
        poll_once(1000);
    }
    printf("held=%d %s\n", held, agreed);
    fflush(stdout);
    char buf[256];
    while (read(0, buf, sizeof buf) > 0) {}
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || (strcmp(argv[1], "hold") == 0 ? argc < 6 : argc < 8)) {
        fprintf(stderr, "usage: %s echo|handshake HOST PORT CONNS SIZE WARMUP SECONDS [SERVER-PID]\n"
                        "       %s hold HOST PORT N SIZE\n", argv[0], argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "echo") == 0) mode = ECHO;
    else if (strcmp(argv[1], "handshake") == 0) mode = HANDSHAKE;
    else if (strcmp(argv[1], "hold") == 0) mode = HOLD;
    else { fprintf(stderr, "load: unknown mode %s\n", argv[1]); return 2; }
    int nconn = atoi(argv[4]);
    size = strtoul(argv[5], NULL, 10);
    if (nconn < 1 || size < 1 || size > 1 << 20) { fprintf(stderr, "load: bad arguments\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);
    dial_info(argv[2], argv[3]);
    make_ctx();
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    if (mode == HOLD) return hold(nconn);

    double warmup = atof(argv[6]), seconds = atof(argv[7]);
    long pid = argc > 8 ? atol(argv[8]) : 0;
    if (seconds <= 0) { fprintf(stderr, "load: bad arguments\n"); return 2; }
    struct conn *conns = slots(nconn);
    for (int i = 0; i < nconn; i++) begin(&conns[i]);

    double t = now(), start = t + warmup, stop = start + seconds, t0 = 0, t1 = 0;
    double cpu0 = -1, cpu1 = -1, progress = t;
    long long seen = 0;
    int phase = 0;   /* 0 warming up, 1 counting, 2 draining */
    /* Draining: each connection finishes its request and closes cleanly, so the servers see
     * close_notify and an end of file rather than a reset (which some of them log). */
    while (open_conns > 0 && !(phase == 2 && t > stop + 5)) {
        poll_once(100);
        t = now();
        if (completed != seen) {
            seen = completed;
            progress = t;
        } else if (phase < 2 && t - progress > 10) {
            errno = 0;
            die("nothing completed for 10 s (a server that never answers, or never closes?)");
        }
        if (phase == 0 && t >= start) {
            if (pid) cpu0 = cpu_of(pid);
            t0 = now();
            phase = counting = 1;
        } else if (phase == 1 && t >= stop) {
            t1 = now();
            if (pid) cpu1 = cpu_of(pid);
            phase = 2;
            counting = 0;
            draining = 1;
            printf("requests=%lld seconds=%.6f server_cpu=%.3f %s\n", requests, t1 - t0,
                   pid ? cpu1 - cpu0 : -1.0, agreed);
            fflush(stdout);
        }
    }
    return 0;
}
