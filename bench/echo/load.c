/* load.c -- bench echo client: CONNS connections doing SIZE-byte request/response ping-pong over epoll. */
/*
 * usage: load HOST PORT CONNS SIZE WARMUP SECONDS [SERVER-PID]
 *
 * Each connection sends a SIZE-byte message, reads until SIZE bytes came
 * back, checks them, and sends the next one. After WARMUP seconds it starts
 * counting completed requests for SECONDS seconds. With SERVER-PID it reads
 * that process's CPU time (utime + stime from /proc/PID/stat) right at both
 * ends of the counted window, so the server is charged for exactly the
 * requests counted. One line on stdout:
 *
 *   requests=N seconds=S server_cpu=C      (C in seconds, -1 without a pid)
 *
 * Then each connection finishes its request and closes cleanly (up to 5 s).
 * Exits 1 (with a message on stderr) if a connection fails, closes, or
 * echoes wrong bytes. Single thread, level-triggered epoll, TCP_NODELAY.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../load.h"

struct conn {
    int fd;
    size_t sent, got;     /* bytes of the current request sent / received */
    unsigned char seq;    /* first byte of the current request, so a stale echo is caught */
    unsigned char *out, *in;
};

static size_t size;

static void watch(int ep, struct conn *c, int op, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, op, c->fd, &ev) < 0) die("epoll_ctl");
}

/* Sends what is left of the current request; waits for EPOLLOUT when the socket is full. */
static void send_more(int ep, struct conn *c) {
    while (c->sent < size) {
        ssize_t n = write(c->fd, c->out + c->sent, size - c->sent);
        if (n < 0) {
            if (errno == EAGAIN) {
                watch(ep, c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
                return;
            }
            die("write");
        }
        c->sent += n;
    }
    watch(ep, c, EPOLL_CTL_MOD, EPOLLIN);
}

static void start_request(int ep, struct conn *c) {
    c->seq++;
    c->out[0] = c->seq;
    c->sent = c->got = 0;
    send_more(ep, c);
}

/* Reads what has arrived; returns 1 when the whole echo is in (and checked). */
static int receive(struct conn *c) {
    ssize_t n = read(c->fd, c->in + c->got, size - c->got);
    if (n < 0) {
        if (errno == EAGAIN) return 0;
        die("read");
    }
    if (n == 0) { errno = 0; die("server closed a connection"); }
    c->got += n;
    if (c->got < size) return 0;
    if (memcmp(c->in, c->out, size) != 0) { errno = 0; die("echo differs from the request"); }
    return 1;
}

static int dial(const char *host, const char *port) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc) { fprintf(stderr, "load: %s:%s: %s\n", host, port, gai_strerror(rc)); exit(1); }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) die("connect");
    freeaddrinfo(ai);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int main(int argc, char **argv) {
    struct load_args a = load_parse(argc, argv);
    int nconn = a.conns;
    size = a.size;

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct conn *conns = calloc(nconn, sizeof *conns);
    for (int i = 0; i < nconn; i++) {
        struct conn *c = &conns[i];
        c->fd = dial(a.host, a.port);  /* blocking connect, then non-blocking I/O */
        if (fcntl(c->fd, F_SETFL, O_NONBLOCK) < 0) die("fcntl");
        c->out = malloc(size);
        c->in = malloc(size);
        for (size_t j = 0; j < size; j++) c->out[j] = (unsigned char)('a' + (i + j) % 26);
        c->seq = (unsigned char)i;
        watch(ep, c, EPOLL_CTL_ADD, EPOLLIN);
    }
    for (int i = 0; i < nconn; i++) start_request(ep, &conns[i]);

    struct load_window w = load_window(&a);
    double t = now();
    long long requests = 0;
    int open = nconn;
    struct epoll_event events[64];
    /* Draining: each connection finishes its request and closes with nothing unread, so the
     * servers see a clean EOF rather than a reset (which some of them log, after the window). */
    while (open > 0 && !(w.phase == DRAINING && t > w.stop + 5)) {
        int n = epoll_wait(ep, events, 64, 100);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if ((events[i].events & EPOLLOUT) && c->sent < size) send_more(ep, c);
            if ((events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && receive(c)) {
                requests += w.phase == COUNTING;
                if (w.phase == DRAINING) {
                    close(c->fd);
                    open--;
                } else {
                    start_request(ep, c);
                }
            }
        }
        t = now();
        if (load_tick(&w, t, requests)) {
            putchar('\n');
            fflush(stdout);
        }
    }
    return 0;
}
