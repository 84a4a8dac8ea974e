/* load.c -- bench scale client: many idle connections, a burst, short-connection churn, and latency beside bad clients. */
/*
 * usage: load idle HOST PORT[,PORT...] CONNS BURST SERVER-PID
 *        load churn HOST PORT[,PORT...] TOTAL CONCURRENCY SERVER-PID
 *        load latency HOST PORT[,PORT...] NORMAL SLOW LORIS WARMUP SECONDS SERVER-PID
 *
 * Connections go to the ports in turn: one (source, destination) pair has only
 * the ~28,000 ports of the ephemeral range, so 30,000 connections need two
 * server ports or more. Every message is echoed and checked.
 *
 * idle: opens CONNS connections, OPEN_BATCH at a time, each echoing one
 * 8-byte message, then keeps them all open; reads the server's RSS and
 * descriptor count; then BURST of them (spread over all) each write a
 * BURST_SIZE message before any echo is read, and all echoes are awaited;
 * reads the server again, waits 0.5 s and counts the connections the server
 * closed meanwhile. Prints
 *   held=N open_seconds=S open_failures=F rss_held=KIB fds_held=N
 *   burst_echoed=N burst_failed=F burst_seconds=S rss_burst=KIB closed_by_server=N
 *
 * churn: TOTAL short connections, CONCURRENCY at a time: connect, one 8-byte
 * echo, close (the client closes first). At every tenth of TOTAL it reads the
 * server's RSS and descriptors. Prints
 *   done=N failures=F seconds=S rss=KIB,KIB,... fds=N,N,...   (the ten samples)
 *
 * latency: NORMAL connections in 100-byte ping-pong; after WARMUP seconds the
 * time of every request for SECONDS seconds is kept. Beside them SLOW
 * connections write SLOW_CHUNK bytes whenever the socket takes them and never
 * read (so the server's writes back up), and LORIS connections: the even ones
 * send one byte every LORIS_EVERY seconds (staggered), the odd ones nothing
 * after connecting; neither reads. The measured connections start once the
 * slow readers have written nothing for FILLED seconds (every buffer on the
 * way is full; fill_seconds says how long that took). Prints
 *   requests=N p50_us=X p99_us=X max_us=X slow_sent_kib=K fill_seconds=S bad_closed=N rss=KIB fds=N failures=N
 *
 * Exits 1 with a message on stderr when setting up fails. Single thread,
 * level-triggered epoll, TCP_NODELAY.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
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

#define MAX_PORTS 64
#define OPEN_BATCH 500
#define SHORT 8            /* the idle and churn message: "%07x\n" */
#define BURST_SIZE 100
#define PING 100
#define SLOW_CHUNK 65536
#define LORIS_EVERY 2.0
#define STALL 30.0         /* seconds without progress that end a phase as failed */
#define FILLED 0.5         /* seconds without a slow reader's write: the server's writes to them are backed up */

enum state { OFF, CONNECTING, WAITING, HELD, SLOW, LORIS };

struct conn {
    int fd;
    enum state state;
    enum state role;           /* latency: SLOW or LORIS for a bad client, OFF for a measured one */
    char out[BURST_SIZE > PING ? BURST_SIZE : PING];
    size_t outlen, sent, got;
    double t_sent, next_byte;  /* latency: when the request went; loris: when its next byte goes */
};

static struct sockaddr_in addrs[MAX_PORTS];
static int nports, next_port, ep;
static long server_pid;
static uint32_t counter;
static long long failures;

/* VmRSS of the server in KiB, from /proc/PID/status. */
static long rss_kib(void) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", server_pid);
    FILE *f = fopen(path, "re");
    if (!f) die(path);
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1) break;
    fclose(f);
    return kib;
}

/* The server's open descriptors: the entries of /proc/PID/fd. */
static int fd_count(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/fd", server_pid);
    DIR *d = opendir(path);
    if (!d) die(path);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void watch(struct conn *c, int op, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, op, c->fd, &ev) < 0) die("epoll_ctl");
}

static void drop(struct conn *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->state = OFF;
}

static void fail(struct conn *c) {
    failures++;
    drop(c);
}

/* Starts a non-blocking connect to the next port; 0, or -1 (counted as a failure) when it fails at once. */
static int dial(struct conn *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in *a = &addrs[next_port++ % nports];
    if (connect(c->fd, (struct sockaddr *)a, sizeof *a) < 0 && errno != EINPROGRESS) {
        fail(c);
        return -1;
    }
    c->state = CONNECTING;
    watch(c, EPOLL_CTL_ADD, EPOLLOUT);
    return 0;
}

/* Writes what is left of c->out; waits for EPOLLOUT when the socket is full, else for the echo. */
static void send_more(struct conn *c) {
    int done = write_rest(c->fd, c->out, c->outlen, &c->sent);
    if (done < 0)
        fail(c);
    else
        watch(c, EPOLL_CTL_MOD, done ? EPOLLIN : EPOLLIN | EPOLLOUT);
}

/* A new message of size bytes (a counter in hex, padded with dots, ending in a newline), sent at once. */
static void request(struct conn *c, size_t size) {
    int n = snprintf(c->out, sizeof c->out, "%07x", counter++ & 0xfffffff);
    memset(c->out + n, '.', size - n - 1);
    c->out[size - 1] = '\n';
    c->outlen = size;
    c->sent = c->got = 0;
    c->state = WAITING;
    c->t_sent = now();
    send_more(c);
}

/* Reads the echo of c->out; 1 when it is all in and right, 0 when more is to come, -1 on failure (dropped). */
static int receive(struct conn *c) {
    char buf[BURST_SIZE > PING ? BURST_SIZE : PING];
    ssize_t n = read(c->fd, buf, c->outlen - c->got);
    if (n < 0 && errno == EAGAIN) return 0;
    if (n <= 0 || memcmp(buf, c->out + c->got, n) != 0) {
        fail(c);
        return -1;
    }
    c->got += n;
    return c->got == c->outlen;
}

/* A connect finished: 0, or -1 (dropped, counted) when it failed. */
static int connected(struct conn *c) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
        fail(c);
        return -1;
    }
    return 0;
}

static int pending;            /* connections (or slots) not done yet */
static long long done, until;  /* churn: connections done, and where the loop stops next */

/* Runs the loop while more() says so, up to STALL seconds without an event; on_event handles each one. */
static void run(int (*more)(void), void (*on_event)(struct conn *, uint32_t)) {
    struct epoll_event events[512];
    double last = now();
    while (more() && now() - last < STALL) {
        int k = epoll_wait(ep, events, 512, 100);
        if (k < 0 && errno != EINTR) die("epoll_wait");
        if (k > 0) last = now();
        for (int i = 0; i < k; i++) on_event(events[i].data.ptr, events[i].events);
    }
}

static int any_pending(void) { return pending > 0; }

/* ---------------------------------------------------------------- idle */

/* Opening: connect, one echo, then held (watched only for the server closing it). */
static void on_open(struct conn *c, uint32_t ev) {
    (void)ev;
    if (c->state == CONNECTING) {
        if (connected(c) == 0) request(c, SHORT);
        else pending--;
    } else if (c->state == WAITING) {
        if (c->sent < c->outlen) { send_more(c); return; }
        int r = receive(c);
        if (r == 0) return;
        pending--;
        if (r == 1) {
            c->state = HELD;
            watch(c, EPOLL_CTL_MOD, EPOLLRDHUP);
        }
    }
}

/* The burst: every chosen connection's echo; a held one that reports an event was closed by the server. */
static void on_burst(struct conn *c, uint32_t ev) {
    if (c->state == WAITING) {
        on_open(c, ev);
    } else if (c->state == HELD) {
        fail(c);
    }
}

static int idle(int n, int burst) {
    struct conn *conns = calloc(n, sizeof *conns);
    if (!conns) die("calloc");
    double t0 = now();
    for (int i = 0; i < n;) {
        for (pending = 0; pending < OPEN_BATCH && i < n; i++) pending += dial(&conns[i]) == 0;
        run(any_pending, on_open);
    }
    double open_seconds = now() - t0;
    int held = 0;
    for (int i = 0; i < n; i++) held += conns[i].state == HELD;
    printf("held=%d open_seconds=%.3f open_failures=%lld rss_held=%ld fds_held=%d\n", held, open_seconds, failures,
           rss_kib(), fd_count());
    fflush(stdout);

    failures = pending = 0;
    t0 = now();
    int step = burst > 0 && n / burst > 0 ? n / burst : 1;
    for (int i = 0, chosen = 0; i < n && chosen < burst; i += step, chosen++)
        if (conns[i].state == HELD) {
            request(&conns[i], BURST_SIZE);
            pending++;
        }
    run(any_pending, on_burst);
    double burst_seconds = now() - t0;
    int echoed = 0;
    for (int i = 0; i < n; i++) echoed += conns[i].state == HELD && conns[i].outlen == BURST_SIZE;
    long rss_burst = rss_kib();
    long long burst_failed = failures;

    /* what the server closes in the next half second (it should close nothing) */
    failures = 0;
    for (int i = 0; i < n; i++)
        if (conns[i].state == WAITING) drop(&conns[i]);  /* no echo: already counted as missing */
    struct epoll_event events[512];
    for (double until = now() + 0.5; now() < until;) {
        int k = epoll_wait(ep, events, 512, 50);
        for (int i = 0; i < k; i++) fail(events[i].data.ptr);
    }
    printf("burst_echoed=%d burst_failed=%lld burst_seconds=%.3f rss_burst=%ld closed_by_server=%lld\n", echoed,
           burst_failed, burst_seconds, rss_burst, failures);
    return 0;
}

/* ---------------------------------------------------------------- churn */

static long long started, total;

static int before_until(void) { return pending > 0 && done + failures < until; }

static void on_churn(struct conn *c, uint32_t ev) {
    (void)ev;
    if (c->state == CONNECTING) {
        if (connected(c) == 0) {
            request(c, SHORT);
            return;
        }
    } else if (c->state == WAITING) {
        if (c->sent < c->outlen) { send_more(c); return; }
        int r = receive(c);
        if (r == 0) return;
        if (r == 1) {
            done++;
            drop(c);
        }
    }
    /* this slot is free: the next connection, or one fewer pending */
    while (started < total) {
        started++;
        if (dial(c) == 0) return;
    }
    pending--;
}

static int churn(long long n, int concurrency) {
    struct conn *conns = calloc(concurrency, sizeof *conns);
    long rss[10];
    int fds[10];
    total = n;
    double t0 = now();
    for (int i = 0; i < concurrency && started < total; i++) {
        started++;
        pending += dial(&conns[i]) == 0;
    }
    /* stop the loop at each tenth of the total to sample the server */
    for (int s = 0; s < 10; s++) {
        until = total * (s + 1) / 10;
        run(before_until, on_churn);
        rss[s] = rss_kib();
        fds[s] = fd_count();
    }
    printf("done=%lld failures=%lld seconds=%.3f rss=", done, failures, now() - t0);
    for (int s = 0; s < 10; s++) printf(s ? ",%ld" : "%ld", rss[s]);
    printf(" fds=");
    for (int s = 0; s < 10; s++) printf(s ? ",%d" : "%d", fds[s]);
    printf("\n");
    return 0;
}

/* ---------------------------------------------------------------- latency */

static struct load_window window;
static double *lat;
static long long nlat, maxlat;
static long long slow_sent, bad_closed;

/* A bad client's connect finished: a slow reader writes whenever it can, a loris waits for its next byte. */
static void on_bad_open(struct conn *c, uint32_t ev) {
    (void)ev;
    pending--;
    if (connected(c) < 0) return;
    c->state = c->role;
    watch(c, EPOLL_CTL_MOD, c->role == SLOW ? EPOLLOUT | EPOLLRDHUP : EPOLLRDHUP);
}

static void on_bad(struct conn *c, uint32_t ev) {
    if (ev & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
        bad_closed++;
        drop(c);
        return;
    }
    static char junk[SLOW_CHUNK];
    for (ssize_t n; (n = write(c->fd, junk, sizeof junk)) > 0;) slow_sent += n;
}

static void on_ping(struct conn *c, uint32_t ev) {
    if (c->role != OFF) { on_bad(c, ev); return; }
    if (c->state == CONNECTING) {
        if (connected(c) == 0) request(c, PING);
        return;
    }
    if (c->sent < c->outlen) { send_more(c); return; }
    if (receive(c) != 1) return;
    if (window.phase == COUNTING && nlat < maxlat) lat[nlat++] = now() - c->t_sent;
    request(c, PING);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int latency(int normal, int slow, int loris, double warmup, double seconds) {
    int n = normal + slow + loris;
    struct conn *conns = calloc(n, sizeof *conns);
    maxlat = 50000000;
    lat = malloc(maxlat * sizeof *lat);
    if (!conns || !lat) die("malloc");
    /* the bad clients first, all connected before the measured ones start */
    double t = now();
    for (int i = normal; i < n; i++) {
        conns[i].role = i < normal + slow ? SLOW : LORIS;
        conns[i].next_byte = t + LORIS_EVERY * (i - normal - slow) / (loris ? loris : 1);
        if (dial(&conns[i]) < 0) die("connect");
        pending++;
    }
    run(any_pending, on_bad_open);
    /* the slow readers write until the server's writes to them back up and it stops reading them */
    struct epoll_event events[512];
    double fill_start = now(), quiet = now();
    for (long long seen = -1; now() - quiet < FILLED && now() - fill_start < STALL;) {
        int k = epoll_wait(ep, events, 512, 10);
        if (k < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < k; i++) on_bad(events[i].data.ptr, events[i].events);
        if (slow_sent != seen) seen = slow_sent, quiet = now();
    }
    double fill_seconds = now() - fill_start;
    for (int i = 0; i < normal; i++)
        if (dial(&conns[i]) < 0) die("connect");
    struct load_args a = {.warmup = warmup, .seconds = seconds};
    window = load_window(&a);
    for (int done_ = 0; !done_;) {
        int k = epoll_wait(ep, events, 512, 10);
        if (k < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < k; i++) on_ping(events[i].data.ptr, events[i].events);
        t = now();
        for (int i = normal + slow; i < n; i += 2)
            if (conns[i].state == LORIS && t >= conns[i].next_byte) {
                if (write(conns[i].fd, "x", 1) != 1) { bad_closed++; drop(&conns[i]); continue; }
                conns[i].next_byte += LORIS_EVERY;
            }
        if (window.phase == WARMING && t >= window.start) window.phase = COUNTING;
        else if (window.phase == COUNTING && t >= window.stop) done_ = 1;
    }
    qsort(lat, nlat, sizeof *lat, cmp_double);
    double p50 = nlat ? lat[nlat / 2] : -1, p99 = nlat ? lat[nlat * 99 / 100] : -1, max = nlat ? lat[nlat - 1] : -1;
    printf("requests=%lld p50_us=%.1f p99_us=%.1f max_us=%.1f slow_sent_kib=%lld fill_seconds=%.3f bad_closed=%lld "
           "rss=%ld fds=%d failures=%lld\n", nlat, p50 * 1e6, p99 * 1e6, max * 1e6, slow_sent / 1024, fill_seconds,
           bad_closed, rss_kib(), fd_count(), failures);
    return 0;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    int want = !strcmp(mode, "idle") || !strcmp(mode, "churn") ? 7 : !strcmp(mode, "latency") ? 10 : 0;
    if (!want || argc != want) {
        fprintf(stderr, "usage: %s idle HOST PORT[,PORT...] CONNS BURST SERVER-PID\n"
                        "       %s churn HOST PORT[,PORT...] TOTAL CONCURRENCY SERVER-PID\n"
                        "       %s latency HOST PORT[,PORT...] NORMAL SLOW LORIS WARMUP SECONDS SERVER-PID\n",
                argv[0], argv[0], argv[0]);
        return 2;
    }
    for (char *s = strtok(argv[3], ","); s && nports < MAX_PORTS; s = strtok(NULL, ",")) {
        addrs[nports].sin_family = AF_INET;
        addrs[nports].sin_port = htons((uint16_t)atoi(s));
        if (inet_pton(AF_INET, argv[2], &addrs[nports].sin_addr) != 1) { errno = 0; die("HOST: IPv4 address expected"); }
        nports++;
    }
    server_pid = atol(argv[argc - 1]);
    if (nports < 1 || server_pid <= 0) { fprintf(stderr, "load: bad arguments\n"); return 2; }
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    if (!strcmp(mode, "idle")) return idle(atoi(argv[4]), atoi(argv[5]));
    if (!strcmp(mode, "churn")) return churn(atoll(argv[4]), atoi(argv[5]));
    return latency(atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atof(argv[7]), atof(argv[8]));
}
