/* load.c -- bench reload client: keeps line-echo connections busy on aiod's ports while it sends SIGHUPs. */
/*
 * usage: load HOST PORT[,PORT...] CONNS CHURN AIOD-PID STDERR-FD SCRIPT RELOADS WARMUP BEFORE INTERVAL AFTER GRACE
 *
 * CONNS long-lived connections, spread over the ports, each in request/response
 * ping-pong: send "%08x\n", read the answer line "v<VERSION> %08x\n", check it,
 * send the next. CHURN more slots each open a new connection (non-blocking
 * connect, ports in turn), do CHURN_REQUESTS requests on it, close it, and
 * open the next one at once, so connections keep being opened during the
 * reloads.
 *
 * STDERR-FD is the read end of a pipe that holds aiod's stderr (echoed to this
 * program's stderr), read by a thread of its own that stamps each chunk
 * with the time it came: the connections' loop, busy with a thousand of
 * them or kept off its CPU by other processes, may look at it tens of
 * milliseconds later, which is no part of the reload's time. After WARMUP seconds the client counts answered requests
 * in 100 ms buckets; BEFORE seconds later it sends the first SIGHUP to
 * AIOD-PID, having renamed SCRIPT.v2 onto SCRIPT (so the reload loads a new
 * version), and waits for aiod's log line "reload N -> M: ok in X ms". The
 * next reload (SCRIPT.v3, ...) goes INTERVAL seconds after the previous one's
 * line, RELOADS in all; counting ends AFTER seconds after the last line.
 * Then every connection finishes its request and closes (up to 5 s).
 *
 * Checks: a connection's answers all carry one version; the first answer on a
 * connection opened after reload k's line was seen carries version k+1 or
 * later (else "stale"). Failures are counted, not fatal: "lost" is a request
 * sent but never answered (the connection closed or failed under it, or no
 * answer by the end), "bad" a wrong answer, "connect_failures" a connect()
 * that failed. A connection of version v that the server closes GRACE seconds
 * or more after the reload to v+1 was committed is aiod's --grace running out
 * (it cancels the old code's handlers then): it is counted as "grace_cut", and
 * what it loses as "grace_lost", not as "closed" and "lost". Output on stdout,
 * one item a line:
 *
 *   reload K observed_ms=T reported_ms=X     (T: kill() to the log line here)
 *   buckets=N,N,...                          (answered requests per 100 ms)
 *   before=B0,B1 during=D0,D1                (bucket index ranges, end excluded)
 *   seconds=S aiod_cpu=C load_cpu=C          (the counted window; CPU seconds of aiod, of this client)
 *   requests=... lost=... bad=... connect_failures=... closed=... stale=...
 *     switched=... new_conns=... newest=... failed_reloads=... grace_cut=... grace_lost=...
 *
 * Exits 1 (message on stderr) on a setup error or when a reload is not logged
 * within 15 s. One thread for the connections (level-triggered epoll,
 * TCP_NODELAY) and one for the pipe.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "../load.h"

#define CHURN_REQUESTS 5
#define BUCKET 0.1
#define MAX_BUCKETS 100000
#define MAX_PORTS 64
#define MAX_RELOADS 1000

enum state { IDLE, CONNECTING, ACTIVE };

struct conn {
    int fd;
    enum state state;
    int churn;          /* a churn slot: reconnects after CHURN_REQUESTS */
    int left;           /* requests left on a churn connection */
    int version;        /* of this connection's answers; 0 before the first */
    int min_version;    /* the version committed when it connected */
    int inflight;       /* a request is sent (or being sent) and not answered */
    char out[16];
    size_t outlen, sent;
    char in[64];
    size_t got;
};

static struct sockaddr_in addrs[MAX_PORTS];
static int nports, next_port, ep;
static uint32_t counter;
static long long requests, lost, bad, connect_failures, closed, stale, switched, new_conns, grace_cut, grace_lost;
static double commit_time[MAX_RELOADS + 2];  /* [v]: when the reload that loaded version v was logged ok */
static double grace;
static int committed = 1, newest = 0;
static const char *last_connect_error = "";
static struct conn errpipe;  /* epoll tag of aiod's stderr, as stamped chunks */

/* A chunk of aiod's stderr and when it came; one message of a
 * SOCK_SEQPACKET pair from the pipe's thread to the loop. */
struct stamped {
    double t;
    char data[4096];
};

static int pipe_fd, stamped_out;

static void *read_pipe(void *arg) {
    (void)arg;
    struct stamped m;
    for (;;) {
        ssize_t r = read(pipe_fd, m.data, sizeof m.data);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        m.t = now();
        if (send(stamped_out, &m, sizeof m.t + (size_t)r, 0) < 0) break;
    }
    close(stamped_out);  /* the loop reads the end of it */
    return NULL;
}




static double own_cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void watch(struct conn *c, int op, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, op, c->fd, &ev) < 0) die("epoll_ctl");
}

static void drop(struct conn *c) {
    close(c->fd);  /* also leaves the epoll set */
    c->fd = -1;
    c->state = IDLE;
    c->inflight = 0;
}

static void dial(struct conn *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->version = 0;
    c->min_version = committed;
    c->left = CHURN_REQUESTS;
    c->got = 0;
    c->inflight = 0;
    struct sockaddr_in *a = &addrs[next_port++ % nports];
    if (connect(c->fd, (struct sockaddr *)a, sizeof *a) < 0 && errno != EINPROGRESS) {
        connect_failures++;
        last_connect_error = strerror(errno);
        close(c->fd);
        c->fd = -1;
        c->state = IDLE;  /* dialled again on the next turn */
        return;
    }
    c->state = CONNECTING;
    watch(c, EPOLL_CTL_ADD, EPOLLOUT);
}

static void send_more(struct conn *c) {
    int done = write_rest(c->fd, c->out, c->outlen, &c->sent);
    if (done >= 0)  /* a failure shows up as EPOLLERR / a failed read */
        watch(c, EPOLL_CTL_MOD, done ? EPOLLIN : EPOLLIN | EPOLLOUT);
}

static void start_request(struct conn *c) {
    c->outlen = (size_t)snprintf(c->out, sizeof c->out, "%08x\n", counter++);
    c->sent = c->got = 0;
    c->inflight = 1;
    send_more(c);
}

/* The connection closed or failed under it: what was in flight is lost (to --grace, if that is why). */
static void broken(struct conn *c) {
    int v = c->version;
    if (v > 0 && v < committed && commit_time[v + 1] > 0 && now() >= commit_time[v + 1] + grace - 0.05) {
        grace_cut++;
        grace_lost += c->inflight;
    } else {
        closed++;
        lost += c->inflight;
    }
    drop(c);
}

/* Reads what has arrived; returns 1 when an answer line is in and checked, -1 when the connection broke. */
static int receive(struct conn *c) {
    ssize_t n = read(c->fd, c->in + c->got, sizeof c->in - 1 - c->got);
    if (n < 0) {
        if (errno == EAGAIN) return 0;
        broken(c);
        return -1;
    }
    if (n == 0) {
        broken(c);
        return -1;
    }
    c->got += n;
    char *nl = memchr(c->in, '\n', c->got);
    if (!nl) {
        if (c->got >= sizeof c->in - 1) {
            bad++;
            broken(c);
            return -1;
        }
        return 0;
    }
    int v = 0;
    char *p = c->in;
    if (*p++ == 'v')
        while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    if (v == 0 || *p++ != ' ' || (size_t)(nl + 1 - p) != c->outlen || memcmp(p, c->out, c->outlen) != 0 ||
        nl + 1 != c->in + c->got) {
        bad++;
        broken(c);
        return -1;
    }
    c->inflight = 0;
    if (c->version == 0) {
        c->version = v;
        new_conns++;
        if (v < c->min_version) stale++;
        if (v > newest) newest = v;
    } else if (v != c->version) {
        switched++;
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 14) {
        fprintf(stderr, "usage: %s HOST PORT[,PORT...] CONNS CHURN AIOD-PID STDERR-FD SCRIPT RELOADS WARMUP BEFORE "
                        "INTERVAL AFTER GRACE\n", argv[0]);
        return 2;
    }
    for (char *s = strtok(argv[2], ","); s && nports < MAX_PORTS; s = strtok(NULL, ",")) {
        addrs[nports].sin_family = AF_INET;
        addrs[nports].sin_port = htons((uint16_t)atoi(s));
        if (inet_pton(AF_INET, argv[1], &addrs[nports].sin_addr) != 1) { errno = 0; die("HOST: IPv4 address expected"); }
        nports++;
    }
    int nlong = atoi(argv[3]), nchurn = atoi(argv[4]);
    pid_t pid = (pid_t)atol(argv[5]);
    pipe_fd = atoi(argv[6]);
    const char *script = argv[7];
    int reloads = atoi(argv[8]);
    double warmup = atof(argv[9]), before = atof(argv[10]), interval = atof(argv[11]), after = atof(argv[12]);
    grace = atof(argv[13]);
    if (nports < 1 || nlong < 0 || nchurn < 0 || pid <= 0 || reloads < 1 || reloads > MAX_RELOADS || before < BUCKET) {
        fprintf(stderr, "load: bad arguments\n");
        return 2;
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) die("socketpair");
    errpipe.fd = pair[0];
    stamped_out = pair[1];
    if (fcntl(errpipe.fd, F_SETFL, O_NONBLOCK) < 0) die("socketpair");
    pthread_t reader;
    if (pthread_create(&reader, NULL, read_pipe, NULL) != 0) die("pthread_create");
    pthread_detach(reader);
    watch(&errpipe, EPOLL_CTL_ADD, EPOLLIN);

    int n = nlong + nchurn;
    struct conn *conns = calloc(n, sizeof *conns);
    static long long buckets[MAX_BUCKETS];
    static double observed[MAX_RELOADS], reported[MAX_RELOADS];
    for (int i = 0; i < n; i++) {
        conns[i].churn = i >= nlong;
        dial(&conns[i]);
    }

    double t = now(), start = t + warmup, stop = 0, kill_at = start + before, t_kill = 0, drain_end = 0;
    double first_kill = 0, last_line = 0;
    double aiod_cpu0 = 0, own_cpu0 = 0, aiod_cpu = 0, load_cpu = 0;  /* over the counted window */
    int done = 0, failed_reloads = 0, waiting = 0;  /* reloads logged; waiting for a line */
    enum { WARMING, COUNTING, DRAINING } phase = WARMING;
    char errbuf[8192];
    size_t errlen = 0;
    struct epoll_event events[256];
    int open = n;
    while (!(phase == DRAINING && (open == 0 || t > drain_end))) {
        int k = epoll_wait(ep, events, 256, 10);
        if (k < 0 && errno != EINTR) die("epoll_wait");
        t = now();
        for (int i = 0; i < k; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == &errpipe) {
                struct stamped m;
                ssize_t r = recv(errpipe.fd, &m, sizeof m, 0);
                if (r <= (ssize_t)sizeof m.t) {
                    if (r == 0) epoll_ctl(ep, EPOLL_CTL_DEL, errpipe.fd, NULL);  /* aiod is gone */
                    continue;
                }
                double t_line = m.t;
                size_t len = (size_t)r - sizeof m.t;
                if (len > sizeof errbuf - 1 - errlen) len = sizeof errbuf - 1 - errlen;
                memcpy(errbuf + errlen, m.data, len);
                errlen += len;
                errbuf[errlen] = 0;
                char *line = errbuf, *nl;
                while ((nl = strchr(line, '\n'))) {
                    *nl = 0;
                    fprintf(stderr, "%s\n", line);
                    char *m = strstr(line, "reload ");
                    int from, to;
                    double ms;
                    if (m && waiting) {
                        if (sscanf(m, "reload %d -> %d: ok in %lf ms", &from, &to, &ms) == 3) {
                            observed[done] = (t_line - t_kill) * 1000;
                            reported[done] = ms;
                            committed = done + 2;  /* reload k loads version k+1 */
                            commit_time[committed] = t_line;
                        } else if (strstr(m, ": failed")) {
                            observed[done] = (t_line - t_kill) * 1000;
                            reported[done] = -1;
                            failed_reloads++;
                        } else {
                            goto next;
                        }
                        done++;
                        waiting = 0;
                        last_line = t_line;
                        if (done < reloads) kill_at = t_line + interval;
                        else stop = t_line + after;
                    }
                next:
                    line = nl + 1;
                }
                errlen -= line - errbuf;
                memmove(errbuf, line, errlen);
                if (errlen == sizeof errbuf - 1) errlen = 0;  /* a line too long to hold: dropped */
                continue;
            }
            if (c->state == CONNECTING) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err) {
                    connect_failures++;
                    last_connect_error = strerror(err);
                    drop(c);
                    continue;
                }
                c->state = ACTIVE;
                start_request(c);
                continue;
            }
            if (c->state != ACTIVE) continue;
            if ((events[i].events & EPOLLOUT) && c->sent < c->outlen) send_more(c);
            if (!(events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            int r = receive(c);
            if (r <= 0) {
                if (r < 0 && phase == DRAINING) open--;
                continue;
            }
            if (phase == COUNTING) {
                requests++;
                long b = (long)((t - start) / BUCKET);
                if (b >= 0 && b < MAX_BUCKETS) buckets[b]++;
            }
            if (phase == DRAINING) {
                drop(c);
                open--;
            } else if (c->churn && --c->left == 0) {
                drop(c);
                dial(c);
            } else {
                start_request(c);
            }
        }
        t = now();
        if (phase != DRAINING)
            for (int i = 0; i < n; i++)
                if (conns[i].state == IDLE) dial(&conns[i]);  /* after a failure */
        if (phase == WARMING && t >= start) {
            phase = COUNTING;
            aiod_cpu0 = cpu_of(pid);
            own_cpu0 = own_cpu();
        } else if (phase == COUNTING && !waiting && done < reloads && t >= kill_at) {
            char from[4096];
            snprintf(from, sizeof from, "%s.v%d", script, done + 2);
            if (rename(from, script) < 0) die(from);
            t_kill = now();
            if (!first_kill) first_kill = t_kill;
            if (kill(pid, SIGHUP) < 0) die("kill");
            waiting = 1;
        } else if (phase == COUNTING && waiting && t > t_kill + 15) {
            fprintf(stderr, "load: reload %d not logged within 15 s\n", done + 1);
            return 1;
        } else if (phase == COUNTING && done == reloads && t >= stop) {
            phase = DRAINING;
            drain_end = t + 5;
            aiod_cpu = cpu_of(pid) - aiod_cpu0;
            load_cpu = own_cpu() - own_cpu0;
            open = 0;
            for (int i = 0; i < n; i++) {
                if (conns[i].state == ACTIVE && conns[i].inflight) open++;
                else if (conns[i].state != IDLE) drop(&conns[i]);
            }
        }
    }
    for (int i = 0; i < n; i++)
        if (conns[i].state == ACTIVE && conns[i].inflight) lost++;  /* no answer within 5 s */

    for (int i = 0; i < done; i++) printf("reload %d observed_ms=%.3f reported_ms=%.3f\n", i + 1, observed[i], reported[i]);
    long nb = (long)((stop - start) / BUCKET);
    if (nb > MAX_BUCKETS) nb = MAX_BUCKETS;
    printf("buckets=");
    for (long b = 0; b < nb; b++) printf(b ? ",%lld" : "%lld", buckets[b]);
    printf("\nbefore=0,%ld during=%ld,%ld\n", (long)((first_kill - start) / BUCKET), (long)((first_kill - start) / BUCKET),
           (long)((last_line - start) / BUCKET) + 1);
    printf("seconds=%.3f aiod_cpu=%.3f load_cpu=%.3f\n", stop - start, aiod_cpu, load_cpu);
    printf("requests=%lld lost=%lld bad=%lld connect_failures=%lld closed=%lld stale=%lld switched=%lld new_conns=%lld "
           "newest=%d failed_reloads=%d grace_cut=%lld grace_lost=%lld\n", requests, lost, bad, connect_failures, closed,
           stale, switched, new_conns, newest, failed_reloads, grace_cut, grace_lost);
    if (connect_failures) fprintf(stderr, "load: last connect error: %s\n", last_connect_error);
    return 0;
}
