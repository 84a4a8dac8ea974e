/* check_sock.c -- Check tests for runtime/sock.c: TCP and Unix listening sockets, addresses as text */
#include "check_runtime.h"
#include "check_util.h"
#include "sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* A private directory for the Unix socket tests; removed by the fixture. */
static char dir[TEMP_DIR_SIZE];

static void dir_make(void)
{
	temp_dir_make(dir, "check_sock");
}

static void dir_remove(void)
{
	temp_dir_remove(dir);
}

static void path_in_dir(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/%s", dir, name);
}

static struct sockaddr_in v4_address(const char *host, int port)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	ck_assert_int_eq(inet_pton(AF_INET, host, &in.sin_addr), 1);
	return in;
}

static struct sockaddr_in6 v6_address(const char *host, int port)
{
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
	ck_assert_int_eq(inet_pton(AF_INET6, host, &in6.sin6_addr), 1);
	return in6;
}

static int listen_v4(const char *host, int port, unsigned flags)
{
	struct sockaddr_in in = v4_address(host, port);
	return aio_sock_listen((struct sockaddr *)&in, sizeof in, 16, flags);
}

/* The listener's port, checking the host it reports. */
static int bound_port(int fd, const char *host)
{
	char text[128];
	int port = 0;
	ck_assert_int_eq(aio_sock_address(fd, 0, text, sizeof text, &port), 0);
	ck_assert_str_eq(text, host);
	ck_assert_int_gt(port, 0);
	ck_assert_int_lt(port, 65536);
	return port;
}

/* A blocking connect, closed again: 0 or the errno. */
static int connect_status(const void *addr, socklen_t len)
{
	int fd = connect_blocking(addr, len);
	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

static int connect_v4(int port)
{
	struct sockaddr_in in = v4_address("127.0.0.1", port);
	return connect_status(&in, sizeof in);
}

static int connect_unix(const char *path)
{
	struct sockaddr_storage ss;
	socklen_t len;
	ck_assert_int_eq(aio_sock_unix_address(path, &ss, &len), 0);
	return connect_status(&ss, len);
}

/* IPv6 loopback, or -1 where the host has none: the v6 tests then pass
 * without checking anything, as there is nothing to check. */
static int listen_v6(const char *host, int port, unsigned flags)
{
	struct sockaddr_in6 in6 = v6_address(host, port);
	int fd = aio_sock_listen((struct sockaddr *)&in6, sizeof in6, 16, flags);
	if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL) {
		fprintf(stderr, "check_sock: no IPv6 here (%s), skipped\n", strerror(-fd));
		return -1;
	}
	ck_assert_int_ge(fd, 0);
	return fd;
}

/* listen */

START_TEST(test_sock_listen_v4)
{
	int fd = listen_v4("127.0.0.1", 0, 0);
	ck_assert_int_ge(fd, 0);
	check_fd_flags(fd);
	ck_assert_int_eq(sockopt(fd, SOL_SOCKET, SO_REUSEADDR), 1);
	ck_assert_int_eq(sockopt(fd, SOL_SOCKET, SO_REUSEPORT), 0);
	ck_assert_int_eq(sockopt(fd, SOL_SOCKET, SO_ACCEPTCONN), 1);
	int port = bound_port(fd, "127.0.0.1");
	ck_assert_int_eq(connect_v4(port), 0);
	close(fd);
}
END_TEST

START_TEST(test_sock_listen_v6)
{
	int fd = listen_v6("::1", 0, 0);
	if (fd < 0)
		return;
	check_fd_flags(fd);
	ck_assert_int_eq(sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	int port = bound_port(fd, "::1");
	struct sockaddr_in6 in6 = v6_address("::1", port);
	ck_assert_int_eq(connect_status(&in6, sizeof in6), 0);
	close(fd);
}
END_TEST

/* On :: without AIO_SOCK_DUAL_STACK, IPv4 clients are not taken. */
START_TEST(test_sock_listen_v6_only)
{
	int fd = listen_v6("::", 0, 0);
	if (fd < 0)
		return;
	int port = bound_port(fd, "::");
	ck_assert_int_eq(connect_v4(port), ECONNREFUSED);
	close(fd);
}
END_TEST

START_TEST(test_sock_listen_dual_stack)
{
	int fd = listen_v6("::", 0, AIO_SOCK_DUAL_STACK);
	if (fd < 0)
		return;
	ck_assert_int_eq(sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY), 0);
	int port = bound_port(fd, "::");
	struct sockaddr_in in = v4_address("127.0.0.1", port);
	int client = connect_blocking(&in, sizeof in);
	ck_assert_int_ge(client, 0);
	int conn = accept_one(fd);
	char host[128];
	int peer_port = 0;
	ck_assert_int_eq(aio_sock_address(conn, 1, host, sizeof host, &peer_port), 0);
	ck_assert_str_eq(host, "::ffff:127.0.0.1");
	ck_assert_int_gt(peer_port, 0);
	close(conn);
	close(client);
	close(fd);
}
END_TEST

/* A server that closed its connections first leaves them in TIME_WAIT on
 * its port; SO_REUSEADDR lets a restarted server bind it at once. */
START_TEST(test_sock_listen_rebind_after_close)
{
	int fd = listen_v4("127.0.0.1", 0, 0);
	ck_assert_int_ge(fd, 0);
	int port = bound_port(fd, "127.0.0.1");
	struct sockaddr_in in = v4_address("127.0.0.1", port);
	int client = connect_blocking(&in, sizeof in);
	ck_assert_int_ge(client, 0);
	close(accept_one(fd));
	char byte;
	ck_assert_int_eq(read(client, &byte, 1), 0);
	close(client);
	close(fd);
	int again = listen_v4("127.0.0.1", port, 0);
	ck_assert_int_ge(again, 0);
	ck_assert_int_eq(bound_port(again, "127.0.0.1"), port);
	ck_assert_int_eq(connect_v4(port), 0);
	close(again);
}
END_TEST

START_TEST(test_sock_listen_port_in_use)
{
	int fd = listen_v4("127.0.0.1", 0, 0);
	ck_assert_int_ge(fd, 0);
	int port = bound_port(fd, "127.0.0.1");
	ck_assert_int_eq(listen_v4("127.0.0.1", port, 0), -EADDRINUSE);
	close(fd);
}
END_TEST

START_TEST(test_sock_listen_reuse_port)
{
	int first = listen_v4("127.0.0.1", 0, AIO_SOCK_REUSE_PORT);
	ck_assert_int_ge(first, 0);
	ck_assert_int_eq(sockopt(first, SOL_SOCKET, SO_REUSEPORT), 1);
	int port = bound_port(first, "127.0.0.1");
	int second = listen_v4("127.0.0.1", port, AIO_SOCK_REUSE_PORT);
	ck_assert_int_ge(second, 0);
	ck_assert_int_eq(bound_port(second, "127.0.0.1"), port);
	close(second);
	close(first);
}
END_TEST

/* TEST-NET-1 is nobody's address here. */
START_TEST(test_sock_listen_foreign_address)
{
	ck_assert_int_eq(listen_v4("192.0.2.1", 0, 0), -EADDRNOTAVAIL);
}
END_TEST

/* unix */

START_TEST(test_sock_unix_listen)
{
	char path[128];
	path_in_dir(path, sizeof path, "s");
	int fd = aio_sock_listen_unix(path, 8);
	ck_assert_int_ge(fd, 0);
	check_fd_flags(fd);
	struct stat st;
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	char text[128];
	int port = 0;
	ck_assert_int_eq(aio_sock_address(fd, 0, text, sizeof text, &port), 0);
	ck_assert_str_eq(text, path);
	ck_assert_int_eq(port, -1);
	ck_assert_int_eq(connect_unix(path), 0);
	close(fd);
}
END_TEST

/* A dead server's socket file is replaced, and the new one works. */
START_TEST(test_sock_unix_replaces_stale)
{
	char path[128];
	path_in_dir(path, sizeof path, "stale");
	int fd = aio_sock_listen_unix(path, 8);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(connect_unix(path), ECONNREFUSED);
	fd = aio_sock_listen_unix(path, 8);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect_unix(path), 0);
	close(fd);
}
END_TEST

START_TEST(test_sock_unix_refuses_regular_file)
{
	char path[128];
	path_in_dir(path, sizeof path, "file");
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("keep me", f);
	fclose(f);
	ck_assert_int_eq(aio_sock_listen_unix(path, 8), -EADDRINUSE);
	struct stat st;
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, 7);
}
END_TEST

START_TEST(test_sock_unix_refuses_directory)
{
	char path[128];
	path_in_dir(path, sizeof path, "sub");
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(aio_sock_listen_unix(path, 8), -EADDRINUSE);
	struct stat st;
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
}
END_TEST

START_TEST(test_sock_unix_missing_directory)
{
	char path[128];
	path_in_dir(path, sizeof path, "no/such/s");
	ck_assert_int_eq(aio_sock_listen_unix(path, 8), -ENOENT);
}
END_TEST

START_TEST(test_sock_unix_path_too_long)
{
	struct sockaddr_un un;
	char path[sizeof un.sun_path + 8];
	struct sockaddr_storage ss;
	socklen_t len = 0;
	/* The longest path that fits leaves room for the NUL. */
	memset(path, 'a', sizeof un.sun_path - 1);
	path[sizeof un.sun_path - 1] = '\0';
	ck_assert_int_eq(aio_sock_unix_address(path, &ss, &len), 0);
	ck_assert_uint_eq(len, offsetof(struct sockaddr_un, sun_path) + sizeof un.sun_path);
	memset(path, 'a', sizeof un.sun_path);
	path[sizeof un.sun_path] = '\0';
	ck_assert_int_eq(aio_sock_unix_address(path, &ss, &len), -ENAMETOOLONG);
	ck_assert_int_eq(aio_sock_listen_unix(path, 8), -ENAMETOOLONG);
	memset(path, 'a', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	ck_assert_int_eq(aio_sock_listen_unix(path, 8), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_sock_unix_address_fill)
{
	struct sockaddr_storage ss;
	memset(&ss, 0xff, sizeof ss);
	socklen_t len = 0;
	ck_assert_int_eq(aio_sock_unix_address("/run/x.sock", &ss, &len), 0);
	const struct sockaddr_un *un = (const struct sockaddr_un *)&ss;
	ck_assert_int_eq(un->sun_family, AF_UNIX);
	ck_assert_str_eq(un->sun_path, "/run/x.sock");
	ck_assert_uint_eq(len, offsetof(struct sockaddr_un, sun_path) + 12);
}
END_TEST

/* format */

START_TEST(test_sock_format_v4)
{
	struct sockaddr_in in = v4_address("10.1.2.3", 8080);
	char host[64];
	int port = 0;
	ck_assert_int_eq(aio_sock_format((struct sockaddr *)&in, sizeof in, host, sizeof host, &port), 0);
	ck_assert_str_eq(host, "10.1.2.3");
	ck_assert_int_eq(port, 8080);
	in = v4_address("0.0.0.0", 65535);
	ck_assert_int_eq(aio_sock_format((struct sockaddr *)&in, sizeof in, host, sizeof host, &port), 0);
	ck_assert_str_eq(host, "0.0.0.0");
	ck_assert_int_eq(port, 65535);
}
END_TEST

START_TEST(test_sock_format_v6)
{
	struct sockaddr_in6 in6 = v6_address("2001:db8:0:0::1", 443);
	char host[64];
	int port = 0;
	ck_assert_int_eq(aio_sock_format((struct sockaddr *)&in6, sizeof in6, host, sizeof host, &port), 0);
	ck_assert_str_eq(host, "2001:db8::1");
	ck_assert_int_eq(port, 443);
	in6 = v6_address("::ffff:192.0.2.7", 0);
	ck_assert_int_eq(aio_sock_format((struct sockaddr *)&in6, sizeof in6, host, sizeof host, &port), 0);
	ck_assert_str_eq(host, "::ffff:192.0.2.7");
	ck_assert_int_eq(port, 0);
}
END_TEST

START_TEST(test_sock_format_unix)
{
	struct sockaddr_storage ss;
	socklen_t len;
	ck_assert_int_eq(aio_sock_unix_address("/tmp/app.sock", &ss, &len), 0);
	char host[256];
	int port = 0;
	ck_assert_int_eq(aio_sock_format((struct sockaddr *)&ss, len, host, sizeof host, &port), 0);
	ck_assert_str_eq(host, "/tmp/app.sock");
	ck_assert_int_eq(port, -1);
	/* Unnamed: only the family. */
	port = 0;
	ck_assert_int_eq(aio_sock_format((struct sockaddr *)&ss,
					 offsetof(struct sockaddr_un, sun_path),
					 host, sizeof host, &port), 0);
	ck_assert_str_eq(host, "");
	ck_assert_int_eq(port, -1);
}
END_TEST

/* A path filling sun_path has no NUL; len bounds it. */
START_TEST(test_sock_format_unix_full_path)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	memset(un.sun_path, 'p', sizeof un.sun_path);
	char host[256];
	int port = 0;
	ck_assert_int_eq(aio_sock_format((struct sockaddr *)&un, sizeof un, host, sizeof host, &port), 0);
	ck_assert_uint_eq(strlen(host), sizeof un.sun_path);
	ck_assert_int_eq(port, -1);
	/* A buffer too small truncates, NUL-terminated. */
	ck_assert_int_eq(aio_sock_format((struct sockaddr *)&un, sizeof un, host, 10, &port), 0);
	ck_assert_str_eq(host, "ppppppppp");
}
END_TEST

START_TEST(test_sock_format_unknown_family)
{
	struct sockaddr_storage ss = {.ss_family = AF_UNSPEC};
	char host[64] = "untouched";
	int port = 7;
	ck_assert_int_eq(aio_sock_format((struct sockaddr *)&ss, sizeof ss, host, sizeof host, &port),
			 -EAFNOSUPPORT);
	ck_assert_str_eq(host, "untouched");
	ck_assert_int_eq(port, 7);
}
END_TEST

/* address */

START_TEST(test_sock_address_peer)
{
	int fd = listen_v4("127.0.0.1", 0, 0);
	ck_assert_int_ge(fd, 0);
	int port = bound_port(fd, "127.0.0.1");
	char host[64];
	int peer_port = 0;
	ck_assert_int_eq(aio_sock_address(fd, 1, host, sizeof host, &peer_port), -ENOTCONN);
	struct sockaddr_in in = v4_address("127.0.0.1", port);
	int client = connect_blocking(&in, sizeof in);
	ck_assert_int_ge(client, 0);
	ck_assert_int_eq(aio_sock_address(client, 1, host, sizeof host, &peer_port), 0);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_int_eq(peer_port, port);
	int local_port = 0;
	ck_assert_int_eq(aio_sock_address(client, 0, host, sizeof host, &local_port), 0);
	ck_assert_int_ne(local_port, port);
	int conn = accept_one(fd);
	ck_assert_int_eq(aio_sock_address(conn, 1, host, sizeof host, &peer_port), 0);
	ck_assert_int_eq(peer_port, local_port);
	close(conn);
	close(client);
	close(fd);
}
END_TEST

START_TEST(test_sock_address_socketpair_and_bad_fd)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	char host[64] = "x";
	int port = 0;
	ck_assert_int_eq(aio_sock_address(sv[0], 1, host, sizeof host, &port), 0);
	ck_assert_str_eq(host, "");
	ck_assert_int_eq(port, -1);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(aio_sock_address(sv[0], 0, host, sizeof host, &port), -EBADF);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(aio_sock_address(p[0], 0, host, sizeof host, &port), -ENOTSOCK);
	close(p[0]);
	close(p[1]);
}
END_TEST

Suite *sock_suite(void)
{
	Suite *s = suite_create("sock");
	TCase *tc = check_tcase(s, "listen", dir_make, dir_remove, 5);
	tcase_add_test(tc, test_sock_listen_v4);
	tcase_add_test(tc, test_sock_listen_v6);
	tcase_add_test(tc, test_sock_listen_v6_only);
	tcase_add_test(tc, test_sock_listen_dual_stack);
	tcase_add_test(tc, test_sock_listen_rebind_after_close);
	tcase_add_test(tc, test_sock_listen_port_in_use);
	tcase_add_test(tc, test_sock_listen_reuse_port);
	tcase_add_test(tc, test_sock_listen_foreign_address);

	tc = check_tcase(s, "unix", dir_make, dir_remove, 5);
	tcase_add_test(tc, test_sock_unix_listen);
	tcase_add_test(tc, test_sock_unix_replaces_stale);
	tcase_add_test(tc, test_sock_unix_refuses_regular_file);
	tcase_add_test(tc, test_sock_unix_refuses_directory);
	tcase_add_test(tc, test_sock_unix_missing_directory);
	tcase_add_test(tc, test_sock_unix_path_too_long);
	tcase_add_test(tc, test_sock_unix_address_fill);

	tc = check_tcase(s, "format", dir_make, dir_remove, 5);
	tcase_add_test(tc, test_sock_format_v4);
	tcase_add_test(tc, test_sock_format_v6);
	tcase_add_test(tc, test_sock_format_unix);
	tcase_add_test(tc, test_sock_format_unix_full_path);
	tcase_add_test(tc, test_sock_format_unknown_family);

	tc = check_tcase(s, "address", dir_make, dir_remove, 5);
	tcase_add_test(tc, test_sock_address_peer);
	tcase_add_test(tc, test_sock_address_socketpair_and_bad_fd);
	return s;
}
