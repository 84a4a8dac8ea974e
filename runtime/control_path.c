/* control_path.c -- where aiod's control socket lives, and opening it safely */
#include "control_path.h"
#include "sock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int aio_control_default_path(char *buf, size_t len, long pid, uid_t uid,
			     const char *xdg_runtime_dir)
{
	int n;
	if (xdg_runtime_dir && *xdg_runtime_dir)
		n = snprintf(buf, len, "%s/aiod/%ld.sock", xdg_runtime_dir, pid);
	else if (uid == 0)
		n = snprintf(buf, len, "/run/aiod/%ld.sock", pid);
	else
		n = snprintf(buf, len, "/tmp/aiod-%lu/%ld.sock", (unsigned long)uid, pid);
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof ((struct sockaddr_un *)0)->sun_path)
		return -ENAMETOOLONG;
	return 0;
}

/* The folder part of path into dir ("." when there is none). */
static int folder_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (slash && n == 0)
		n = 1;		/* "/x.sock" lives in "/" */
	if (n + 1 > len)
		return -ENAMETOOLONG;
	if (slash)
		memcpy(dir, path, n);
	else
		dir[n++] = '.';
	dir[n] = '\0';
	return 0;
}

/*
 * /tmp is everybody's: a folder someone else made there, or a link they
 * planted, must not receive our socket. lstat, not stat, so a link is
 * seen as one; and first, since the folder is there but at a first start.
 */
static int private_folder(const char *dir)
{
	struct stat st;
	while (lstat(dir, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		if (mkdir(dir, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return -EPERM;
	if ((st.st_mode & 0777) != 0700 && chmod(dir, 0700) < 0)
		return -errno;
	return 0;
}

int aio_control_probe(const char *path)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int r = aio_sock_unix_address(path, &ss, &len);
	if (r < 0)
		return r;
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (struct sockaddr *)&ss, len) == 0 ? 1 : -errno;
	close(fd);
	if (r == -ECONNREFUSED || r == -ENOENT)
		return 0;
	return r;
}

/* Bound under a name of its own first, so that nobody can connect to it
 * before its mode is 0600, and so that it replaces a stale one atomically. */
static int bind_private(int fd, const char *path)
{
	char tmp[sizeof ((struct sockaddr_un *)0)->sun_path];
	int n = snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -ENAMETOOLONG;
	struct sockaddr_storage ss;
	socklen_t len;
	int r = aio_sock_unix_address(tmp, &ss, &len);
	if (r < 0)
		return r;
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return -errno;
	if (chmod(tmp, 0600) < 0 || rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

/* For a path that may hold something already. */
static int bind_checked(int fd, const char *path)
{
	int r = aio_control_probe(path);
	if (r == 1)
		return -EADDRINUSE;
	if (r == -ENOTSOCK)
		return -EEXIST;
	if (r < 0)
		return r;
	return bind_private(fd, path);
}

int aio_control_listen(const char *path, int flags)
{
	char dir[sizeof ((struct sockaddr_un *)0)->sun_path];
	int r = folder_of(path, dir, sizeof dir);
	if (r < 0)
		return r;
	if ((flags & AIO_CONTROL_PRIVATE_DIR) && (r = private_folder(dir)) < 0)
		return r;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = bind_checked(fd, path);
	if (r == 0 && listen(fd, 64) < 0) {
		r = -errno;
		unlink(path);
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}
