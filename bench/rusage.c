/* rusage.c: bench helper: runs a command and writes its peak RSS (KiB) and wall time (s) to a report file. */
/*
 * Why not os.wait4 in bench/run directly: Linux folds the old address space's
 * high-water mark into ru_maxrss at exec, so a child of the Python runner
 * never reports less than the runner's own RSS (~10 MiB). This tiny program
 * (~1 MiB) forks the command itself, so the floor is its size instead.
 *
 * usage: rusage REPORT-FILE PROGRAM [ARG...]; exits with the command's status
 * (128+N when killed by signal N, 127 when it could not be started).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s REPORT-FILE PROGRAM [ARG...]\n", argv[0]);
        return 127;
    }
    FILE *report = fopen(argv[1], "we");
    if (!report) { perror(argv[1]); return 127; }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 127; }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) { perror("wait4"); return 127; }
    clock_gettime(CLOCK_MONOTONIC, &t1);

    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(report, "%ld %.9f\n", ru.ru_maxrss, wall);
    fclose(report);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
