/* libev.c -- bench UDP echo server in plain C on libev: the limit the other UDP echo servers are measured against. */
/*
 * usage: libev PORT   (listens on 127.0.0.1:PORT)
 *
 * One non-blocking UDP socket, one ev_io on EV_READ. Each readiness event
 * reads datagrams with recvfrom until the socket is empty and sends each one
 * straight back with sendto; a datagram the socket buffer does not take is
 * dropped, as UDP allows (the client resends on its timeout).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[65536];

static void on_read(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop;
    (void)revents;
    for (;;) {
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(w->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (n < 0) return;  /* EAGAIN: empty; any other error concerns one datagram, not the socket */
        sendto(w->fd, buf, n, 0, (struct sockaddr *)&from, len);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PORT\n", argv[0]); return 2; }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 1; }
    struct ev_loop *loop = EV_DEFAULT;
    ev_io io;
    ev_io_init(&io, on_read, fd, EV_READ);
    ev_io_start(loop, &io);
    ev_run(loop, 0);
    return 0;
}
