/* check_tls.c -- Check tests for runtime/tls.c: TLS as the transport of an aio_stream (handshake, records, close_notify, failures) */
#include "check_runtime.h"
#include "check_util.h"
#include "stream.h"
#include "tls.h"
#include "tlsconn.h"

#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Handshakes and bulk transfers take many turns. */
#define RUN_UNTIL_STEP(cond, step) RUN_UNTIL_WITHIN(3000, cond, step)
#define RUN_UNTIL(cond) RUN_UNTIL_STEP(cond, (void)0)

/*
 * The test certificates: $AIOD_TEST_CERTS (tests/run_all.sh and the script
 * runners set it), else made here once by tests/tls/mkcerts.sh, before
 * Check forks the tests, and removed by the process that made them.
 */
static char certs[PATH_MAX];
static char made_certs[TEMP_DIR_SIZE];
static pid_t certs_maker;

static void certs_remove(void)
{
	if (getpid() == certs_maker && made_certs[0]) {
		char cmd[TEMP_DIR_SIZE + 16];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", made_certs);
		if (system(cmd) != 0)
			fprintf(stderr, "check_tls: could not remove %s\n", made_certs);
	}
}

static void certs_find(void)
{
	const char *env = getenv("AIOD_TEST_CERTS");
	if (env && *env) {
		snprintf(certs, sizeof certs, "%s", env);
		return;
	}
	snprintf(made_certs, sizeof made_certs, "/tmp/check_tls.XXXXXX");
	if (!mkdtemp(made_certs)) {
		made_certs[0] = 0;
		return;
	}
	certs_maker = getpid();
	atexit(certs_remove);
	char cmd[PATH_MAX];
	snprintf(cmd, sizeof cmd, "tests/tls/mkcerts.sh '%s/c' >/dev/null", made_certs);
	if (system(cmd) == 0)
		snprintf(certs, sizeof certs, "%s/c", made_certs);
}

static const char *cert_path(const char *name)
{
	static char path[2][PATH_MAX + 64];
	static int which;
	ck_assert_msg(certs[0], "no test certificates: set AIOD_TEST_CERTS or run from the repository root");
	which ^= 1;
	snprintf(path[which], sizeof path[which], "%s/%s", certs, name);
	return path[which];
}

static SSL_CTX *server_ctx_make(const char *name)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	ck_assert_ptr_nonnull(ctx);
	char pem[32], key[32];
	snprintf(pem, sizeof pem, "%s.pem", name);
	snprintf(key, sizeof key, "%s.key", name);
	ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(ctx, cert_path(pem)), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(ctx, cert_path(key), SSL_FILETYPE_PEM), 1);
	return ctx;
}

/* A client context that trusts cafile and verifies the peer. */
static SSL_CTX *client_ctx_make(const char *cafile)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(SSL_CTX_load_verify_locations(ctx, cert_path(cafile), NULL), 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

/*
 * Each test: the fixture loop and socketpair; sv[0] is the client's end,
 * sv[1] the server's, either a stream (whose events peer records) or a raw
 * descriptor the test drives with OpenSSL itself.
 */
static SSL_CTX *sctx, *cctx;
static struct stream_probe peer;
static int sv1_taken;

static void tls_setup(void)
{
	/* the raw OpenSSL ends write without MSG_NOSIGNAL */
	ck_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	/* what asyncio_tls.so does when it loads */
	aio_stream_set_tls(&aio_tlsconn_ops);
	pair_setup();
	peer = (struct stream_probe){.fd_at_close = -2};
	sv1_taken = 0;
	sctx = server_ctx_make("server");
	cctx = client_ctx_make("ca.pem");
}

static void tls_teardown(void)
{
	if (peer.s)
		aio_stream_release(peer.s);
	peer.s = NULL;
	if (sv1_taken)
		sv[1] = -1;
	pair_teardown();
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

static struct aio_stream *client_stream(void)
{
	return stream_make(sv[0], AIO_STREAM_SOCKET, &seen);
}

static struct aio_stream *server_stream(void)
{
	sv1_taken = 1;
	return stream_make(sv[1], AIO_STREAM_SOCKET, &peer);
}

static struct aio_tls_opts client_opts(const char *hostname)
{
	return (struct aio_tls_opts){.ctx = cctx, .hostname = hostname, .check_hostname = 1,
				     .handshake_timeout = 5, .shutdown_timeout = 5};
}

static struct aio_tls_opts server_opts(void)
{
	return (struct aio_tls_opts){.ctx = sctx, .server = 1, .handshake_timeout = 5,
				     .shutdown_timeout = 5};
}

/* Both ends as TLS streams, the handshake done on both. */
static void tls_pair(struct aio_stream **c, struct aio_stream **s)
{
	*c = client_stream();
	*s = server_stream();
	struct aio_tls_opts co = client_opts("localhost"), so = server_opts();
	ck_assert_int_eq(aio_stream_start_tls(*c, &co), 0);
	ck_assert_int_eq(aio_stream_start_tls(*s, &so), 0);
	RUN_UNTIL(seen.connects == 1 && peer.connects == 1);
	ck_assert_int_eq(aio_stream_error(*c), 0);
	ck_assert_int_eq(aio_stream_error(*s), 0);
}

/* Consumes all of s's input; returns how much there was. */
static size_t drain_input(struct aio_stream *s, size_t *at)
{
	struct aio_buf *in = aio_stream_input(s);
	size_t n = aio_buf_len(in);
	if (n) {
		check_pattern(aio_buf_peek(in), n, *at);
		*at += n;
		aio_stream_consume(s, n);
	}
	return n;
}

static void consume(struct aio_stream *s, size_t n)
{
	aio_stream_consume(s, n);
}

/* A raw OpenSSL end on sv[1], blocking-free, that the test drives: it
 * does only what the test tells it (never answers close_notify by itself). */
static SSL *raw_server(void)
{
	SSL *ssl = SSL_new(sctx);
	ck_assert_ptr_nonnull(ssl);
	ck_assert_int_eq(SSL_set_fd(ssl, sv[1]), 1);
	SSL_set_accept_state(ssl);
	return ssl;
}

/* One step of ssl's handshake: 1 when done; fails the test on an error. */
static int raw_step(SSL *ssl)
{
	int r = SSL_do_handshake(ssl);
	if (r == 1)
		return 1;
	int e = SSL_get_error(ssl, r);
	ck_assert_msg(e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE,
		      "raw handshake failed: %d, %lu", e, ERR_peek_error());
	return 0;
}

/* Reads up to n bytes of plaintext from ssl now; -1 when none is there. */
static int raw_read(SSL *ssl, char *p, int n)
{
	int r = SSL_read(ssl, p, n);
	if (r > 0)
		return r;
	int e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	ck_assert_msg(e == SSL_ERROR_WANT_READ, "raw read failed: %d (%s)", e, ERR_reason_error_string(ERR_peek_error()));
	return -1;
}

/* Whether fd has input (or EOF) now. */
static int readable_now(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) == 1;
}

/* Runs the raw end's handshake to its end while the loop turns, until the
 * client's stream has its CONNECT too. */
static void raw_handshake(SSL *raw)
{
	int done = 0;
	RUN_UNTIL_STEP(done && seen.connects == 1, done = done || raw_step(raw));
	ck_assert_int_eq(aio_stream_error(seen.s), 0);
}

/* What a raw descriptor holds now, up to n bytes; 0 at EOF, -1 if none. */
static ssize_t raw_bytes(int fd, char *p, size_t n)
{
	ssize_t r = read(fd, p, n);
	if (r < 0)
		ck_assert_msg(errno == EAGAIN || errno == ECONNRESET, "read: %s", strerror(errno));
	return r < 0 ? (errno == ECONNRESET ? 0 : -1) : r;
}

/* handshake */

START_TEST(test_tls_handshake)
{
	struct aio_stream *c = client_stream(), *s = server_stream();
	struct aio_tls_opts co = client_opts("localhost"), so = server_opts();
	ck_assert_ptr_null(aio_stream_ssl(c));
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	ck_assert_int_eq(aio_stream_start_tls(s, &so), 0);
	ck_assert(aio_stream_handshaking(c));
	ck_assert(aio_stream_handshaking(s));
	ck_assert_ptr_nonnull(aio_stream_ssl(c));
	/* events come from the loop, never from inside the call */
	ck_assert_int_eq(seen.calls, 0);
	ck_assert_int_eq(peer.calls, 0);
	RUN_UNTIL(seen.connects == 1 && peer.connects == 1);
	ck_assert_int_eq(aio_stream_error(c), 0);
	ck_assert_int_eq(aio_stream_error(s), 0);
	ck_assert(!aio_stream_handshaking(c));
	ck_assert(!aio_stream_handshaking(s));
	SSL *ssl = aio_stream_ssl(c);
	ck_assert_int_eq(SSL_version(ssl), TLS1_3_VERSION);
	ck_assert_int_eq(SSL_get_verify_result(ssl), X509_V_OK);
	ck_assert_ptr_nonnull(SSL_get0_peer_certificate(ssl));
	ck_assert_str_eq(SSL_get_servername(aio_stream_ssl(s), TLSEXT_NAMETYPE_host_name), "localhost");
	/* plaintext both ways */
	ck_assert_int_eq(aio_stream_write(c, "ping", 4), 0);
	RUN_UNTIL(input_len(s) == 4);
	check_input(s, "ping");
	ck_assert_int_eq(aio_stream_write(s, "pong!", 5), 0);
	RUN_UNTIL(input_len(c) == 5);
	check_input(c, "pong!");
	/* the stream's own context reference: the caller's may go */
	SSL_CTX_free(cctx);
	cctx = NULL;
	ck_assert_int_eq(aio_stream_write(c, "again", 5), 0);
	RUN_UNTIL(input_len(s) == 9);
}
END_TEST

/* Written before the handshake ends: sent once it is done, in order. */
START_TEST(test_tls_write_before_handshake)
{
	struct aio_stream *c = client_stream(), *s = server_stream();
	struct aio_tls_opts co = client_opts("localhost"), so = server_opts();
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	ck_assert_int_eq(aio_stream_write(c, "early ", 6), 0);
	ck_assert_int_eq(aio_stream_write(c, "bird", 4), 0);
	ck_assert_int_eq(aio_stream_start_tls(s, &so), 0);
	ck_assert_int_eq(aio_stream_write(s, "eager", 5), 0);
	RUN_UNTIL(input_len(s) == 10 && input_len(c) == 5);
	check_input(s, "early bird");
	check_input(c, "eager");
	ck_assert_int_eq(seen.connects, 1);
	ck_assert_int_eq(aio_stream_error(c), 0);
}
END_TEST

/* A second start_tls, or one on a closing stream, is refused. */
START_TEST(test_tls_start_refused)
{
	struct aio_stream *c, *s;
	tls_pair(&c, &s);
	struct aio_tls_opts co = client_opts("localhost");
	ck_assert_int_eq(aio_stream_start_tls(c, &co), -EINVAL);
	struct stream_probe other = {.fd_at_close = -2};
	int pair[2];
	socketpair_make(pair);
	struct aio_stream *o = stream_make(pair[0], AIO_STREAM_SOCKET, &other);
	aio_stream_close(o);
	ck_assert_int_eq(aio_stream_start_tls(o, &co), -EINVAL);
	RUN_UNTIL(other.closes == 1);
	close(pair[1]);
}
END_TEST

/* data */

/* 1 MiB each way with a small read_high and write_low: reading pauses
 * while the owner does not consume, the writer's output waits, and
 * everything arrives in order once it does. */
START_TEST(test_tls_bulk_backpressure)
{
	struct aio_stream *c, *s;
	tls_pair(&c, &s);
	const size_t n = BULK / 2, high = 4096;
	aio_stream_set_read_high(c, high);
	aio_stream_set_read_high(s, high);
	aio_stream_set_write_low(c, 1024);
	aio_stream_set_write_low(s, 1024);
	ck_assert_int_eq(aio_stream_write(c, bulk, n), 0);
	ck_assert_int_eq(aio_stream_write(s, bulk, n), 0);
	/* nobody consumes: input stops growing well short of 1 MiB */
	turns(50);
	size_t held_c = input_len(c), held_s = input_len(s);
	turns(20);
	ck_assert_uint_eq(input_len(c), held_c);
	ck_assert_uint_eq(input_len(s), held_s);
	ck_assert_uint_lt(held_s, 128 * 1024);
	ck_assert_uint_lt(held_c, 128 * 1024);
	ck_assert_uint_gt(aio_stream_write_pending(c) + aio_stream_write_pending(s), 0);
	/* consuming lets it all through */
	size_t at_c = 0, at_s = 0;
	seen.writes = peer.writes = 0;
	RUN_UNTIL_WITHIN(20000, at_c == n && at_s == n, (drain_input(c, &at_c), drain_input(s, &at_s)));
	ck_assert_uint_eq(aio_stream_write_pending(c), 0);
	ck_assert_uint_eq(aio_stream_write_pending(s), 0);
	ck_assert_int_gt(seen.writes, 0);
	ck_assert_int_gt(peer.writes, 0);
	ck_assert_int_eq(aio_stream_error(c), 0);
	ck_assert_int_eq(aio_stream_error(s), 0);
}
END_TEST

/* A TLS 1.3 key update asked by one end: the other must write (its own
 * update) while it reads; neither direction stalls. */
START_TEST(test_tls_key_update)
{
	struct aio_stream *c, *s;
	tls_pair(&c, &s);
	for (int round = 0; round < 3; round++) {
		struct aio_stream *from = round % 2 ? s : c, *to = round % 2 ? c : s;
		ck_assert_int_eq(SSL_key_update(aio_stream_ssl(from), SSL_KEY_UPDATE_REQUESTED), 1);
		ck_assert_int_eq(aio_stream_write(from, "after update", 12), 0);
		RUN_UNTIL(input_len(to) == 12);
		check_input(to, "after update");
		consume(to, 12);
		ck_assert_int_eq(aio_stream_write(to, "answer", 6), 0);
		RUN_UNTIL(input_len(from) == 6);
		check_input(from, "answer");
		consume(from, 6);
	}
	ck_assert_int_eq(aio_stream_error(c), 0);
	ck_assert_int_eq(aio_stream_error(s), 0);
}
END_TEST

/* TLS 1.2: the server asks to renegotiate while data flows; the client
 * must write (its new ClientHello) while it reads, without stalling:
 * data goes both ways during and after, and the stream has no error. */
START_TEST(test_tls_renegotiation)
{
	ck_assert_int_eq(SSL_CTX_set_max_proto_version(sctx, TLS1_2_VERSION), 1);
	struct aio_stream *c = client_stream();
	struct aio_tls_opts co = client_opts("localhost");
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	SSL *raw = raw_server();
	raw_handshake(raw);
	ck_assert_int_eq(SSL_version(aio_stream_ssl(c)), TLS1_2_VERSION);
	ck_assert_int_eq(SSL_renegotiate(raw), 1);
	ck_assert_int_eq(SSL_write(raw, "before", 6), 6);	/* HelloRequest, then the data */
	RUN_UNTIL(input_len(c) == 6);
	check_input(c, "before");
	consume(c, 6);
	ck_assert_int_eq(aio_stream_error(c), 0);
	/* SSL_write says WANT_READ until the new handshake is done: not EPIPE */
	ck_assert_int_eq(aio_stream_write(c, "during", 6), 0);
	char buf[16];
	int n = -1;
	RUN_UNTIL_STEP(n > 0, n = raw_read(raw, buf, sizeof buf));
	ck_assert_int_eq(n, 6);
	ck_assert_int_eq(memcmp(buf, "during", 6), 0);
	RUN_UNTIL_STEP(!SSL_renegotiate_pending(raw), (void)raw_read(raw, buf, sizeof buf));
	ck_assert_int_eq(SSL_write(raw, "after", 5), 5);
	RUN_UNTIL(input_len(c) == 5);
	check_input(c, "after");
	ck_assert_int_eq(aio_stream_error(c), 0);
	SSL_free(raw);
}
END_TEST

/* A client context that refuses renegotiation (as every asyncio.ssl
 * context does): the client reads on, declines with its warning alert
 * (OpenSSL's server then gives up the connection), and never stalls. */
static int raw_fails(SSL *ssl, unsigned long *why)
{
	char buf[64];
	int r = SSL_read(ssl, buf, sizeof buf);
	if (r > 0 || SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ)
		return 0;
	*why = ERR_peek_error();
	return 1;
}

START_TEST(test_tls_renegotiation_refused)
{
	ck_assert_int_eq(SSL_CTX_set_max_proto_version(sctx, TLS1_2_VERSION), 1);
	SSL_CTX_set_options(cctx, SSL_OP_NO_RENEGOTIATION);
	struct aio_stream *c = client_stream();
	struct aio_tls_opts co = client_opts("localhost");
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	SSL *raw = raw_server();
	raw_handshake(raw);
	ck_assert_int_eq(SSL_renegotiate(raw), 1);
	ck_assert_int_eq(SSL_write(raw, "before", 6), 6);
	RUN_UNTIL(input_len(c) == 6);
	check_input(c, "before");
	ck_assert_int_eq(aio_stream_error(c), 0);
	unsigned long why = 0;
	RUN_UNTIL(raw_fails(raw, &why));
	ck_assert_int_eq(ERR_GET_REASON(why), SSL_R_NO_RENEGOTIATION);
	SSL_free(raw);
	peer_close();
	RUN_UNTIL(aio_stream_eof(c) || aio_stream_error(c));
}
END_TEST

/* close */

/* close sends close_notify: the peer reads end of file, no error, and no
 * stray bytes; its own close ends both. */
START_TEST(test_tls_close_notify)
{
	struct aio_stream *c, *s;
	tls_pair(&c, &s);
	ck_assert_int_eq(aio_stream_write(c, "last words", 10), 0);
	aio_stream_close(c);
	RUN_UNTIL(aio_stream_eof(s));
	ck_assert_int_eq(aio_stream_error(s), 0);
	check_input(s, "last words");
	ck_assert_int_eq(seen.closes, 0);	/* waits for the answer */
	aio_stream_close(s);
	RUN_UNTIL(seen.closes == 1 && peer.closes == 1);
	ck_assert_int_eq(seen.fd_at_close, -1);
	ck_assert_int_eq(peer.fd_at_close, -1);
}
END_TEST

/* The peer's close_notify on a stream that is not closing: end of file. */
START_TEST(test_tls_peer_close_notify_is_eof)
{
	struct aio_stream *c, *s;
	tls_pair(&c, &s);
	aio_stream_close(s);
	RUN_UNTIL(aio_stream_eof(c));
	ck_assert_int_eq(aio_stream_error(c), 0);
	ck_assert_uint_eq(input_len(c), 0);
	aio_stream_close(c);
	RUN_UNTIL(seen.closes == 1 && peer.closes == 1);
}
END_TEST

/* A peer that never answers close_notify: CLOSED after shutdown_timeout. */
START_TEST(test_tls_shutdown_timeout)
{
	struct aio_stream *c = client_stream();
	struct aio_tls_opts co = client_opts("localhost");
	co.shutdown_timeout = 0.05;
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	SSL *raw = raw_server();
	raw_handshake(raw);
	usleep(30000);	/* a stale loop clock, as in test_tls_handshake_timeout */
	double t0 = aio_loop_time(loop);
	aio_stream_close(c);
	char buf[16];
	RUN_UNTIL(seen.closes == 1);
	double took = aio_loop_time(loop) - t0;
	ck_assert_msg(took >= 0.04 && took < 1, "closed after %.3f s", took);
	/* it did send close_notify */
	ck_assert_int_eq(raw_read(raw, buf, sizeof buf), 0);
	SSL_free(raw);
}
END_TEST

/* An EOF without close_notify after the handshake is end of file. */
START_TEST(test_tls_eof_without_close_notify)
{
	struct aio_stream *c = client_stream();
	struct aio_tls_opts co = client_opts("localhost");
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	SSL *raw = raw_server();
	raw_handshake(raw);
	ck_assert_int_eq(SSL_write(raw, "data", 4), 4);
	SSL_free(raw);
	peer_close();
	RUN_UNTIL(aio_stream_eof(c));
	ck_assert_int_eq(aio_stream_error(c), 0);
	check_input(c, "data");
}
END_TEST

/* failures */

START_TEST(test_tls_handshake_timeout)
{
	struct aio_stream *c = client_stream();
	struct aio_tls_opts co = client_opts("localhost");
	co.handshake_timeout = 0.05;
	/* The loop has not turned for a while (as after a busy task): the
	 * timeout still counts from the call, not from the last turn. */
	usleep(30000);
	double t0 = aio_loop_time(loop);
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	RUN_UNTIL(seen.connects == 1);
	double took = aio_loop_time(loop) - t0;
	ck_assert_int_eq(aio_stream_error(c), ETIMEDOUT);
	ck_assert_msg(took >= 0.04 && took < 1, "timed out after %.3f s", took);
	/* the peer got a ClientHello and nothing else */
	char buf[4096];
	ck_assert_int_gt(raw_bytes(sv[1], buf, sizeof buf), 0);
	ck_assert_int_eq(buf[0], 22);
	ck_assert_int_eq(aio_stream_write(c, "x", 1), -ETIMEDOUT);
	aio_stream_close(c);
	RUN_UNTIL(seen.closes == 1);
}
END_TEST

/* A server whose client never speaks. */
START_TEST(test_tls_server_handshake_timeout)
{
	struct aio_stream *s = server_stream();
	struct aio_tls_opts so = server_opts();
	so.handshake_timeout = 0.05;
	ck_assert_int_eq(aio_stream_start_tls(s, &so), 0);
	RUN_UNTIL(peer.connects == 1);
	ck_assert_int_eq(aio_stream_error(s), ETIMEDOUT);
	aio_stream_close(s);
	RUN_UNTIL(peer.closes == 1);
	char byte;
	ck_assert_int_eq(raw_bytes(sv[0], &byte, 1), 0);
}
END_TEST

/* A CA that did not sign the server's certificate. */
START_TEST(test_tls_verify_wrong_ca)
{
	SSL_CTX_free(cctx);
	cctx = client_ctx_make("selfsigned.pem");
	struct aio_stream *c = client_stream(), *s = server_stream();
	struct aio_tls_opts co = client_opts("localhost"), so = server_opts();
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	ck_assert_int_eq(aio_stream_start_tls(s, &so), 0);
	RUN_UNTIL(seen.connects == 1 && peer.connects == 1);
	ck_assert_int_eq(aio_stream_error(c), AIO_ETLS);
	const struct aio_tls_failure *f = aio_stream_tls_failure(c);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->verify, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	/* the server learns of it by the client's alert */
	ck_assert_int_ne(aio_stream_error(s), 0);
}
END_TEST

static long verify_failure(const char *cert, const char *hostname, int check)
{
	SSL_CTX_free(sctx);
	sctx = server_ctx_make(cert);
	struct aio_stream *c = client_stream(), *s = server_stream();
	struct aio_tls_opts co = client_opts(hostname), so = server_opts();
	co.check_hostname = check;
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	ck_assert_int_eq(aio_stream_start_tls(s, &so), 0);
	RUN_UNTIL(seen.connects == 1 && peer.connects == 1);
	if (aio_stream_error(c) == 0)
		return X509_V_OK;
	ck_assert_int_eq(aio_stream_error(c), AIO_ETLS);
	return aio_stream_tls_failure(c)->verify;
}

START_TEST(test_tls_verify_wrong_host)
{
	ck_assert_int_eq(verify_failure("wronghost", "localhost", 1), X509_V_ERR_HOSTNAME_MISMATCH);
}
END_TEST

START_TEST(test_tls_verify_wrong_ip)
{
	ck_assert_int_eq(verify_failure("server", "127.0.0.2", 1), X509_V_ERR_IP_ADDRESS_MISMATCH);
}
END_TEST

START_TEST(test_tls_verify_expired)
{
	ck_assert_int_eq(verify_failure("expired", "localhost", 1), X509_V_ERR_CERT_HAS_EXPIRED);
}
END_TEST

/* check_hostname off: the chain is still checked, the name is not, and it
 * still goes as SNI. */
START_TEST(test_tls_no_name_check_still_sends_sni)
{
	ck_assert_int_eq(verify_failure("wronghost", "localhost", 0), X509_V_OK);
	ck_assert_str_eq(SSL_get_servername(aio_stream_ssl(peer.s), TLSEXT_NAMETYPE_host_name),
			 "localhost");
}
END_TEST

/* An IP address is checked against the IP SANs and never sent as SNI. */
START_TEST(test_tls_ip_address_no_sni)
{
	ck_assert_int_eq(verify_failure("server", "127.0.0.1", 1), X509_V_OK);
	ck_assert_ptr_null(SSL_get_servername(aio_stream_ssl(peer.s), TLSEXT_NAMETYPE_host_name));
}
END_TEST

START_TEST(test_tls_ipv6_address_no_sni)
{
	ck_assert_int_eq(verify_failure("server", "::1", 1), X509_V_OK);
	ck_assert_ptr_null(SSL_get_servername(aio_stream_ssl(peer.s), TLSEXT_NAMETYPE_host_name));
}
END_TEST

/* The peer reads the ClientHello and goes away: eof, no OpenSSL error. */
START_TEST(test_tls_peer_closes_mid_handshake)
{
	struct aio_stream *c = client_stream();
	struct aio_tls_opts co = client_opts("localhost");
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	char buf[4096];
	RUN_UNTIL(readable_now(sv[1]));
	ck_assert_int_gt(raw_bytes(sv[1], buf, sizeof buf), 0);
	peer_close();
	RUN_UNTIL(seen.connects == 1);
	ck_assert_int_eq(aio_stream_error(c), AIO_ETLS);
	const struct aio_tls_failure *f = aio_stream_tls_failure(c);
	ck_assert_int_eq(f->eof, 1);
	ck_assert_uint_eq(f->err, 0);
	ck_assert_int_eq(f->verify, X509_V_OK);
}
END_TEST

/* Plaintext where a ServerHello should be: an OpenSSL error. */
START_TEST(test_tls_garbage_answer)
{
	struct aio_stream *c = client_stream();
	struct aio_tls_opts co = client_opts("localhost");
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	RUN_UNTIL(readable_now(sv[1]));
	peer_write(sv[1], "HTTP/1.0 400 Bad Request\r\n\r\n");
	RUN_UNTIL(seen.connects == 1);
	ck_assert_int_eq(aio_stream_error(c), AIO_ETLS);
	const struct aio_tls_failure *f = aio_stream_tls_failure(c);
	ck_assert_uint_ne(f->err, 0);
	ck_assert_int_eq(ERR_GET_REASON(f->err), SSL_R_WRONG_VERSION_NUMBER);
	ck_assert_int_eq(f->eof, 0);
}
END_TEST

/* STARTTLS */

/* The server's stream read "STARTTLS\n" and the ClientHello behind it in
 * one go; the owner consumes the command and starts TLS: the ClientHello
 * goes into the handshake, never into the input. */
START_TEST(test_tls_starttls_read_ahead)
{
	struct aio_stream *c = client_stream(), *s = server_stream();
	ck_assert_int_eq(aio_stream_write(c, "STARTTLS\n", 9), 0);
	struct aio_tls_opts co = client_opts("localhost"), so = server_opts();
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	RUN_UNTIL(input_len(s) > 9 + 5);
	ck_assert_int_eq(memcmp(aio_buf_peek(aio_stream_input(s)), "STARTTLS\n", 9), 0);
	ck_assert_int_eq(aio_buf_peek(aio_stream_input(s))[9], 22);	/* a handshake record */
	consume(s, 9);
	ck_assert_int_eq(aio_stream_start_tls(s, &so), 0);
	ck_assert_uint_eq(input_len(s), 0);
	RUN_UNTIL(seen.connects == 1 && peer.connects == 1);
	ck_assert_int_eq(aio_stream_error(c), 0);
	ck_assert_int_eq(aio_stream_error(s), 0);
	ck_assert_uint_eq(input_len(s), 0);
	ck_assert_int_eq(aio_stream_write(c, "secret", 6), 0);
	RUN_UNTIL(input_len(s) == 6);
	check_input(s, "secret");
}
END_TEST

/* Plaintext first, both ways, then start_tls on both ends. */
START_TEST(test_tls_starttls_after_plaintext)
{
	struct aio_stream *c = client_stream(), *s = server_stream();
	ck_assert_int_eq(aio_stream_write(s, "220 ready\n", 10), 0);
	RUN_UNTIL(input_len(c) == 10);
	consume(c, 10);
	ck_assert_int_eq(aio_stream_write(c, "STARTTLS\n", 9), 0);
	RUN_UNTIL(input_len(s) == 9);
	consume(s, 9);
	ck_assert_int_eq(aio_stream_write(s, "220 go\n", 7), 0);
	RUN_UNTIL(input_len(c) == 7);
	consume(c, 7);
	struct aio_tls_opts co = client_opts("localhost"), so = server_opts();
	ck_assert_int_eq(aio_stream_start_tls(s, &so), 0);
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	RUN_UNTIL(seen.connects == 1 && peer.connects == 1);
	ck_assert_int_eq(aio_stream_error(c), 0);
	ck_assert_int_eq(aio_stream_write(s, "over tls", 8), 0);
	RUN_UNTIL(input_len(c) == 8);
	check_input(c, "over tls");
}
END_TEST

/* ending mid-handshake */

START_TEST(test_tls_abort_during_handshake)
{
	struct aio_stream *c = client_stream();
	struct aio_tls_opts co = client_opts("localhost");
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	ck_assert_int_eq(aio_stream_write(c, "never sent", 10), 0);
	aio_stream_abort(c);
	ck_assert(aio_stream_closing(c));
	RUN_UNTIL(seen.closes == 1);
	ck_assert_int_eq(seen.fd_at_close, -1);
	/* the peer saw at most a ClientHello, then the end */
	char buf[4096];
	ssize_t n;
	do
		n = raw_bytes(sv[1], buf, sizeof buf);
	while (n > 0);
	ck_assert_int_eq(n, 0);
}
END_TEST

/* The owner lets go mid-handshake, on either side: no events, the peer
 * sees the end, nothing leaks (ASan). */
START_TEST(test_tls_release_during_handshake)
{
	struct aio_stream *c = client_stream(), *s = server_stream();
	struct aio_tls_opts co = client_opts("localhost"), so = server_opts();
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	ck_assert_int_eq(aio_stream_start_tls(s, &so), 0);
	turn();
	release(&seen);
	turns(3);
	release(&peer);
	RUN_UNTIL(aio_loop_state(loop) == AIO_LOOP_IDLE);
}
END_TEST

/* Released with a raw peer that never answers: the handshake timer does
 * not outlive the stream, and the descriptor closes. */
START_TEST(test_tls_release_waiting_peer)
{
	struct aio_stream *c = client_stream();
	struct aio_tls_opts co = client_opts("localhost");
	co.handshake_timeout = 0.05;
	ck_assert_int_eq(aio_stream_start_tls(c, &co), 0);
	RUN_UNTIL(readable_now(sv[1]));
	release(&seen);
	char buf[4096];
	ssize_t n;
	RUN_UNTIL((n = raw_bytes(sv[1], buf, sizeof buf)) == 0);
	RUN_UNTIL(aio_loop_state(loop) == AIO_LOOP_IDLE);
}
END_TEST

/* The loop is freed with TLS streams in every state. */
START_TEST(test_tls_loop_freed_first)
{
	struct aio_stream *c, *s;
	tls_pair(&c, &s);
	ck_assert_int_eq(aio_stream_write(c, bulk, BULK), 0);
	aio_stream_close(s);
	loop_free_now();
	ck_assert(aio_stream_closing(c));
	release(&seen);
	release(&peer);
}
END_TEST

Suite *tls_suite(void)
{
	pattern_fill();
	certs_find();
	Suite *s = suite_create("tls");
	TCase *tc = check_tcase(s, "handshake", tls_setup, tls_teardown, 10);
	tcase_add_test(tc, test_tls_handshake);
	tcase_add_test(tc, test_tls_write_before_handshake);
	tcase_add_test(tc, test_tls_start_refused);

	tc = check_tcase(s, "data", tls_setup, tls_teardown, 20);
	tcase_add_test(tc, test_tls_bulk_backpressure);
	tcase_add_test(tc, test_tls_key_update);
	tcase_add_test(tc, test_tls_renegotiation);
	tcase_add_test(tc, test_tls_renegotiation_refused);

	tc = check_tcase(s, "close", tls_setup, tls_teardown, 10);
	tcase_add_test(tc, test_tls_close_notify);
	tcase_add_test(tc, test_tls_peer_close_notify_is_eof);
	tcase_add_test(tc, test_tls_shutdown_timeout);
	tcase_add_test(tc, test_tls_eof_without_close_notify);

	tc = check_tcase(s, "failure", tls_setup, tls_teardown, 10);
	tcase_add_test(tc, test_tls_handshake_timeout);
	tcase_add_test(tc, test_tls_server_handshake_timeout);
	tcase_add_test(tc, test_tls_verify_wrong_ca);
	tcase_add_test(tc, test_tls_verify_wrong_host);
	tcase_add_test(tc, test_tls_verify_wrong_ip);
	tcase_add_test(tc, test_tls_verify_expired);
	tcase_add_test(tc, test_tls_no_name_check_still_sends_sni);
	tcase_add_test(tc, test_tls_ip_address_no_sni);
	tcase_add_test(tc, test_tls_ipv6_address_no_sni);
	tcase_add_test(tc, test_tls_peer_closes_mid_handshake);
	tcase_add_test(tc, test_tls_garbage_answer);

	tc = check_tcase(s, "starttls", tls_setup, tls_teardown, 10);
	tcase_add_test(tc, test_tls_starttls_read_ahead);
	tcase_add_test(tc, test_tls_starttls_after_plaintext);

	tc = check_tcase(s, "ending", tls_setup, tls_teardown, 10);
	tcase_add_test(tc, test_tls_abort_during_handshake);
	tcase_add_test(tc, test_tls_release_during_handshake);
	tcase_add_test(tc, test_tls_release_waiting_peer);
	tcase_add_test(tc, test_tls_loop_freed_first);
	return s;
}
