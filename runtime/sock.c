/* sock.c -- listening sockets and socket addresses as text */
#include "sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int listen_on(int fd, const struct sockaddr *addr, socklen_t len, int backlog)
{
	if (bind(fd, addr, len) < 0 || listen(fd, backlog) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int aio_sock_listen(const struct sockaddr *addr, socklen_t len, int backlog,
		    unsigned flags)
{
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1, v6only = !(flags & AIO_SOCK_DUAL_STACK);
	int bad = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
		  ((flags & AIO_SOCK_REUSE_PORT) &&
		   setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) ||
		  (addr->sa_family == AF_INET6 &&
		   setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) < 0);
	if (bad) {
		int err = -errno;
		close(fd);
		return err;
	}
	return listen_on(fd, addr, len, backlog);
}

int aio_sock_unix_address(const char *path, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	size_t n = strlen(path);
	if (n >= sizeof un->sun_path)
		return -ENAMETOOLONG;
	memset(un, 0, sizeof *un);
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path, path, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

int aio_sock_listen_unix(const char *path, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int r = aio_sock_unix_address(path, &ss, &len);
	if (r < 0)
		return r;
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EADDRINUSE;
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	return listen_on(fd, (struct sockaddr *)&ss, len, backlog);
}

int aio_sock_format(const struct sockaddr *addr, socklen_t len,
		    char *host, size_t hostlen, int *port)
{
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
		if (!inet_ntop(AF_INET, &in->sin_addr, host, (socklen_t)hostlen))
			return -ENOSPC;
		*port = ntohs(in->sin_port);
		return 0;
	}
	if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
		if (!inet_ntop(AF_INET6, &in6->sin6_addr, host, (socklen_t)hostlen))
			return -ENOSPC;
		*port = ntohs(in6->sin6_port);
		return 0;
	}
	if (addr->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t n = len > off ? strnlen(un->sun_path, len - off) : 0;
		snprintf(host, hostlen, "%.*s", (int)n, un->sun_path);
		*port = -1;
		return 0;
	}
	return -EAFNOSUPPORT;
}

int aio_sock_address(int fd, int peer, char *host, size_t hostlen, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		     : getsockname(fd, (struct sockaddr *)&ss, &len);
	if (r < 0)
		return -errno;
	return aio_sock_format((struct sockaddr *)&ss, len, host, hostlen, port);
}
