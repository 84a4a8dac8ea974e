/* load.h -- what the load clients share: the clock, dying with a reason, a process's CPU time from /proc; and for the echo clients (bench/echo, bench/udp_echo) their arguments and the counted window. */
/*
 * Both clients take HOST PORT CONNS SIZE WARMUP SECONDS [SERVER-PID], count
 * completed requests for SECONDS seconds after WARMUP seconds, and read the
 * server's CPU time (utime + stime from /proc/PID/stat) right at both ends of
 * that window, so the server is charged for exactly the requests counted.
 * Header-only (static functions): each client is one file that bench/net.py
 * compiles with `cc -O2`, with no objects to link.
 */
#ifndef BENCH_LOAD_H
#define BENCH_LOAD_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct load_args {
    const char *host, *port;
    int conns;
    size_t size;
    double warmup, seconds;
    long pid;  /* 0: no server to watch, server_cpu is -1 */
};

enum load_phase { WARMING, COUNTING, DRAINING };

/* The counted window: load_tick moves it from WARMING to COUNTING at start and to DRAINING at stop. */
struct load_window {
    double start, stop, t0, cpu0;
    long pid;
    enum load_phase phase;
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "load: %s: %s\n", what, errno ? strerror(errno) : "protocol error");
    exit(1);
}

/* Writes what is left of buf[*sent..len) to a non-blocking fd: 1 all written, 0 the socket is full, -1 an error. */
static int write_rest(int fd, const char *buf, size_t len, size_t *sent) {
    while (*sent < len) {
        ssize_t n = write(fd, buf + *sent, len - *sent);
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        *sent += (size_t)n;
    }
    return 1;
}

/* utime + stime of pid in seconds, from /proc/PID/stat (fields 14 and 15). */
static double cpu_of(long pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f) die(path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');   /* the command name may hold spaces */
    if (!p) die("parse /proc stat");
    unsigned long long utime, stime;
    /* after ')': state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        die("parse /proc stat");
    return (double)(utime + stime) / sysconf(_SC_CLK_TCK);
}

/* Parses the common command line; exits 2 with the usage line on bad arguments. */
static struct load_args load_parse(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: %s HOST PORT CONNS SIZE WARMUP SECONDS [SERVER-PID]\n", argv[0]);
        exit(2);
    }
    struct load_args a = {
        .host = argv[1], .port = argv[2], .conns = atoi(argv[3]), .size = strtoul(argv[4], NULL, 10),
        .warmup = atof(argv[5]), .seconds = atof(argv[6]), .pid = argc > 7 ? atol(argv[7]) : 0,
    };
    if (a.conns < 1 || a.size < 1 || a.seconds <= 0) { fprintf(stderr, "load: bad arguments\n"); exit(2); }
    return a;
}

static struct load_window load_window(const struct load_args *a) {
    double t = now();
    return (struct load_window){.start = t + a->warmup, .stop = t + a->warmup + a->seconds, .pid = a->pid};
}

/* Call after every poll, at time t. When the window closes it prints
 * "requests=N seconds=S server_cpu=C" (C in seconds, -1 without a pid) with
 * no newline, so the client can add fields of its own, and returns 1. */
static int load_tick(struct load_window *w, double t, long long requests) {
    if (w->phase == WARMING && t >= w->start) {
        w->cpu0 = w->pid ? cpu_of(w->pid) : -1;
        w->t0 = now();
        w->phase = COUNTING;
    } else if (w->phase == COUNTING && t >= w->stop) {
        double t1 = now(), cpu1 = w->pid ? cpu_of(w->pid) : -1;
        w->phase = DRAINING;
        printf("requests=%lld seconds=%.6f server_cpu=%.3f", requests, t1 - w->t0, w->pid ? cpu1 - w->cpu0 : -1.0);
        return 1;
    }
    return 0;
}

#endif
