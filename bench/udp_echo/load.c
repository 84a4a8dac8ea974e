/* load.c -- bench UDP echo client: CONNS sockets doing SIZE-byte datagram ping-pong over epoll, resending on loss. */
/*
 * usage: load HOST PORT CONNS SIZE WARMUP SECONDS [SERVER-PID]
 *
 * CONNS UDP sockets, each connect()ed to the server (so it receives only the
 * server's datagrams, and an ICMP "port unreachable" shows as an error).
 * Each sends a SIZE-byte datagram that starts with its own 8-byte sequence
 * number, waits for the echo, checks it, and sends the next one. UDP may
 * lose a datagram: a socket that has no answer after TIMEOUT sends the same
 * datagram again and counts a loss; an echo whose sequence number is not
 * the current one (the late answer to a datagram sent twice) is counted as
 * stale and dropped. Nothing spins on loss: the loop sleeps in epoll_wait
 * until a datagram or the next timeout is due.
 *
 * Counts echoes for SECONDS seconds after WARMUP seconds and reads the
 * server's CPU time at both ends of the window (load.h). One line on stdout:
 *
 *   requests=N seconds=S server_cpu=C lost=L stale=T
 *
 * (lost and stale over the whole run, warm-up included). Then each socket
 * waits for its last echo (up to 1 s, no resending) and closes. Exits 1
 * (with a message on stderr) on a socket error, an echo of the wrong
 * length or content, or 10 s without a single echo.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../load.h"

#define TIMEOUT 0.2   /* seconds without an echo before a socket resends */
#define SCAN 0.02     /* how often the sockets are checked for a timeout */
#define STALL 10.0    /* seconds without any echo before the run fails */

struct sock {
    int fd;
    uint64_t seq;          /* sequence number of the datagram in flight */
    double sent_at;        /* when it was last sent */
    int open;
    unsigned char *out, *in;
};

static size_t size;
static long long lost, stale;

static void send_current(struct sock *s, double t) {
    memcpy(s->out, &s->seq, sizeof s->seq);
    if (send(s->fd, s->out, size, 0) < 0) {
        /* A full socket buffer loses the datagram as the network would: the timeout resends it. */
        if (errno != EAGAIN && errno != ENOBUFS) die("send");
    }
    s->sent_at = t;
}

/* Reads one datagram; returns 1 when it is the echo of the datagram in flight (and checked). */
static int receive(struct sock *s) {
    ssize_t n = recv(s->fd, s->in, size + 1, 0);  /* one byte more, so a longer datagram is caught */
    if (n < 0) {
        if (errno == EAGAIN) return 0;
        die(errno == ECONNREFUSED ? "recv (nothing listens on the server's port)" : "recv");
    }
    if ((size_t)n != size) { errno = 0; die("echo of the wrong length"); }
    if (memcmp(s->in, &s->seq, sizeof s->seq) != 0) {
        uint64_t seq;
        memcpy(&seq, s->in, sizeof seq);
        if (seq >= s->seq) { errno = 0; die("echo of a datagram never sent"); }
        stale++;
        return 0;
    }
    if (memcmp(s->in, s->out, size) != 0) { errno = 0; die("echo differs from the datagram"); }
    return 1;
}

static int dial(const struct load_args *a) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *ai;
    int rc = getaddrinfo(a->host, a->port, &hints, &ai);
    if (rc) { fprintf(stderr, "load: %s:%s: %s\n", a->host, a->port, gai_strerror(rc)); exit(1); }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) die("connect");
    freeaddrinfo(ai);
    return fd;
}

/* Resends every datagram that has waited TIMEOUT; returns when the next scan is due. */
static double resend_overdue(struct sock *socks, int n, double t) {
    for (int i = 0; i < n; i++) {
        if (socks[i].open && t - socks[i].sent_at >= TIMEOUT) {
            lost++;
            send_current(&socks[i], t);
        }
    }
    return t + SCAN;
}

int main(int argc, char **argv) {
    struct load_args a = load_parse(argc, argv);
    size = a.size;
    if (size < sizeof(uint64_t) || size > 65507) { fprintf(stderr, "load: SIZE must be 8 to 65507\n"); return 2; }

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct sock *socks = calloc(a.conns, sizeof *socks);
    double t = now();
    for (int i = 0; i < a.conns; i++) {
        struct sock *s = &socks[i];
        s->fd = dial(&a);
        s->out = malloc(size);
        s->in = malloc(size + 1);
        for (size_t j = 0; j < size; j++) s->out[j] = (unsigned char)('a' + (i + j) % 26);
        s->seq = (uint64_t)i << 40;  /* distinct per socket, so a misrouted echo cannot pass the check */
        s->open = 1;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) die("epoll_ctl");
    }
    for (int i = 0; i < a.conns; i++) send_current(&socks[i], t);

    struct load_window w = load_window(&a);
    long long requests = 0;
    double next_scan = t + SCAN, progress = t;
    int open = a.conns;
    struct epoll_event events[64];
    while (open > 0 && !(w.phase == DRAINING && t > w.stop + 1)) {
        double wait = w.phase == DRAINING ? 0.1 : next_scan - t;
        int n = epoll_wait(ep, events, 64, wait > 0 ? 1 + (int)(wait * 1000) : 0);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        t = now();
        for (int i = 0; i < n; i++) {
            struct sock *s = events[i].data.ptr;
            if (!receive(s)) continue;
            progress = t;
            requests += w.phase == COUNTING;
            if (w.phase == DRAINING) {
                close(s->fd);
                s->open = 0;
                open--;
            } else {
                s->seq++;
                send_current(s, t);
            }
        }
        if (w.phase != DRAINING && t >= next_scan) next_scan = resend_overdue(socks, a.conns, t);
        if (w.phase != DRAINING && t - progress > STALL) { errno = 0; die("no echo for 10 s"); }
        if (load_tick(&w, t, requests)) {
            printf(" lost=%lld stale=%lld\n", lost, stale);
            fflush(stdout);
        }
    }
    return 0;
}
