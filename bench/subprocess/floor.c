/* floor.c -- subprocess workload's floor in plain C: 500 posix_spawn of /bin/true, 20 at once, stdout piped, reaped with waitpid. */
/*
 * No event loop: it blocks in waitpid(-1) for whichever child ends first,
 * reads that child's pipe to end of file, and starts the next. What is left
 * is the kernel's and /bin/true's own cost, which no runtime can go below.
 * Prints how many exited 0.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 500
#define LIMIT 20

extern char **environ;

int main(void) {
    struct { pid_t pid; int fd; } run[LIMIT];
    int started = 0, running = 0, ok = 0;
    char *argv[] = {"/bin/true", NULL};
    while (started < N || running > 0) {
        while (running < LIMIT && started < N) {
            int p[2];
            posix_spawn_file_actions_t fa;
            if (pipe2(p, O_CLOEXEC) < 0) { perror("pipe2"); return 1; }
            posix_spawn_file_actions_init(&fa);
            posix_spawn_file_actions_adddup2(&fa, p[1], 1);
            int err = posix_spawn(&run[running].pid, "/bin/true", &fa, NULL, argv, environ);
            posix_spawn_file_actions_destroy(&fa);
            if (err) { fprintf(stderr, "posix_spawn: %s\n", strerror(err)); return 1; }
            close(p[1]);
            run[running++].fd = p[0];
            started++;
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) { perror("waitpid"); return 1; }
        for (int i = 0; i < running; i++) {
            if (run[i].pid != pid) continue;
            char buf[512];
            while (read(run[i].fd, buf, sizeof buf) > 0) {}
            close(run[i].fd);
            ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
            run[i] = run[--running];
            break;
        }
    }
    printf("%d\n", ok);
    return 0;
}
