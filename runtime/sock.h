/* sock.h -- listening sockets and socket addresses as text */
#ifndef AIO_SOCK_H
#define AIO_SOCK_H

#include <stddef.h>
#include <sys/socket.h>

enum {
	AIO_SOCK_REUSE_PORT = 1,	/* SO_REUSEPORT: several listeners share the port */
	AIO_SOCK_DUAL_STACK = 2,	/* an IPv6 socket also takes IPv4 (IPV6_V6ONLY off) */
};

/*
 * A non-blocking, close-on-exec TCP socket bound to addr (SO_REUSEADDR, so
 * a restart does not wait for TIME_WAIT) and listening. An IPv6 socket is
 * IPv6-only unless AIO_SOCK_DUAL_STACK. Returns the descriptor or -errno.
 */
int aio_sock_listen(const struct sockaddr *addr, socklen_t len, int backlog,
		    unsigned flags);

/*
 * The same on a Unix socket path. A socket file already at path is
 * removed first (a stale one left by a dead server); any other kind of
 * file there is an error (-EADDRINUSE). -ENAMETOOLONG when path does not
 * fit a sockaddr_un.
 */
int aio_sock_listen_unix(const char *path, int backlog);

/* Fills a sockaddr_un for path; 0 or -ENAMETOOLONG. */
int aio_sock_unix_address(const char *path, struct sockaddr_storage *ss, socklen_t *len);

/*
 * Writes addr as text: the numeric host into host (IPv6 without brackets)
 * and *port, or for a Unix socket its path (possibly empty) and *port = -1.
 * Returns 0, -EAFNOSUPPORT, or -ENOSPC when host is too small.
 */
int aio_sock_format(const struct sockaddr *addr, socklen_t len,
		    char *host, size_t hostlen, int *port);

/* aio_sock_format of fd's own (peer = 0) or its peer's address; 0 or -errno. */
int aio_sock_address(int fd, int peer, char *host, size_t hostlen, int *port);

#endif
