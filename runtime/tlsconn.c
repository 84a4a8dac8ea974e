/* tlsconn.c -- a TLS session over a non-blocking socket, for stream.c: OpenSSL through a BIO of our own */
#include "tlsconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/ssl.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct aio_tlsconn {
	SSL *ssl;
	int fd;
	int sys_errno;		/* the socket's error, seen by the BIO (sticky) */
	struct aio_buf early;	/* read before TLS began; the BIO reads it first */
	struct aio_buf unsent;	/* ciphertext the socket did not take yet */
	struct aio_tls_failure failure;
};

/*
 * The BIO: reads come from the early bytes, then the socket; writes go to
 * the socket (MSG_NOSIGNAL: a reset peer is an error, not a signal) and
 * what it does not take is kept, so a write always succeeds in full.
 */
static int bio_read(BIO *b, char *buf, int len)
{
	struct aio_tlsconn *t = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	size_t have = aio_buf_len(&t->early);
	if (have) {
		size_t n = have < (size_t)len ? have : (size_t)len;
		memcpy(buf, aio_buf_peek(&t->early), n);
		aio_buf_consume(&t->early, n);
		return (int)n;
	}
	ssize_t r;
	while ((r = recv(t->fd, buf, (size_t)len, 0)) < 0 && errno == EINTR)
		;
	if (r >= 0)
		return (int)r;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		BIO_set_retry_read(b);
	else
		t->sys_errno = errno;
	return -1;
}

static int bio_write(BIO *b, const char *buf, int len)
{
	struct aio_tlsconn *t = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	if (t->sys_errno)
		return -1;
	size_t done = 0, n = len > 0 ? (size_t)len : 0;
	if (!aio_buf_len(&t->unsent)) {
		while (done < n) {
			ssize_t r = send(t->fd, buf + done, n - done, MSG_NOSIGNAL);
			if (r >= 0)
				done += (size_t)r;
			else if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			else if (errno != EINTR) {
				t->sys_errno = errno;
				return -1;
			}
		}
	}
	if (done < n && aio_buf_append(&t->unsent, buf + done, n - done) < 0) {
		t->sys_errno = ENOMEM;
		return -1;
	}
	return len;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH;
}

static int bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static void make_bio_method(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "aiod socket");
	if (m && (!BIO_meth_set_read(m, bio_read) || !BIO_meth_set_write(m, bio_write) ||
		  !BIO_meth_set_ctrl(m, bio_ctrl) || !BIO_meth_set_create(m, bio_create))) {
		BIO_meth_free(m);
		m = NULL;
	}
	bio_method = m;
}

static int is_ip_address(const char *name)
{
	unsigned char addr[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
}

static int set_peer_name(SSL *ssl, const char *name, int check)
{
	if (!name || !*name)
		return 1;
	if (is_ip_address(name))
		return !check || X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name);
	if (!SSL_set_tlsext_host_name(ssl, name))
		return 0;
	if (!check)
		return 1;
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return SSL_set1_host(ssl, name);
}

struct aio_tlsconn *aio_tlsconn_new(const struct aio_tls_opts *o, int fd,
				    struct aio_buf *early_in, struct aio_buf *early_out,
				    int *err)
{
	pthread_once(&bio_once, make_bio_method);
	struct aio_tlsconn *t = calloc(1, sizeof *t);
	if (!t || !bio_method) {
		free(t);
		*err = -ENOMEM;
		return NULL;
	}
	t->fd = fd;
	ERR_clear_error();
	t->ssl = SSL_new(o->ctx);
	BIO *bio = t->ssl ? BIO_new(bio_method) : NULL;
	if (!bio) {
		SSL_free(t->ssl);
		free(t);
		ERR_clear_error();
		*err = -ENOMEM;
		return NULL;
	}
	BIO_set_data(bio, t);
	SSL_set_bio(t->ssl, bio, bio);
	SSL_set_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (o->server) {
		SSL_set_accept_state(t->ssl);
	} else {
		SSL_set_connect_state(t->ssl);
		if (!set_peer_name(t->ssl, o->hostname, o->check_hostname)) {
			SSL_free(t->ssl);
			free(t);
			ERR_clear_error();
			*err = -EPROTO;
			return NULL;
		}
	}
	t->early = *early_in;
	aio_buf_init(early_in);
	t->unsent = *early_out;
	aio_buf_init(early_out);
	t->failure.verify = X509_V_OK;
	return t;
}

void aio_tlsconn_free(struct aio_tlsconn *t)
{
	if (!t)
		return;
	SSL_free(t->ssl);
	aio_buf_destroy(&t->early);
	aio_buf_destroy(&t->unsent);
	free(t);
}

/* What a failed SSL call with result r means, as -errno; remembers why. */
static int failed(struct aio_tlsconn *t, int r, int in_handshake)
{
	int e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return -EAGAIN;
	unsigned long err = ERR_peek_error();
	int eof = e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && !t->sys_errno) ||
		  (ERR_GET_LIB(err) == ERR_LIB_SSL &&
		   ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
	ERR_clear_error();
	if (t->sys_errno)
		return -t->sys_errno;
	if (eof) {
		if (!in_handshake)
			return 0;
		t->failure.eof = 1;
		return -AIO_ETLS;
	}
	if (!t->failure.err) {
		t->failure.err = err;
		if (ERR_GET_REASON(err) == SSL_R_CERTIFICATE_VERIFY_FAILED)
			t->failure.verify = SSL_get_verify_result(t->ssl);
	}
	return -AIO_ETLS;
}

int aio_tlsconn_handshake(struct aio_tlsconn *t)
{
	ERR_clear_error();
	int r = SSL_do_handshake(t->ssl);
	return r == 1 ? 1 : failed(t, r, 1);
}

ssize_t aio_tlsconn_read(struct aio_tlsconn *t, void *buf, size_t n)
{
	ERR_clear_error();
	int r = SSL_read(t->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
	return r > 0 ? r : failed(t, r, 0);
}

int aio_tlsconn_write(struct aio_tlsconn *t, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	ERR_clear_error();
	int r = SSL_write(t->ssl, p, (int)n);
	if (r > 0)
		return 0;
	r = failed(t, r, 0);
	/* The end of the peer's data: nothing written can reach it. */
	return r == 0 ? -EPIPE : r;
}

size_t aio_tlsconn_unsent(const struct aio_tlsconn *t)
{
	return aio_buf_len(&t->unsent);
}

int aio_tlsconn_flush(struct aio_tlsconn *t)
{
	if (t->sys_errno)
		return -t->sys_errno;
	ssize_t r = aio_buf_write_fd(&t->unsent, t->fd, 1);
	if (r < 0) {
		t->sys_errno = (int)-r;
		return (int)r;
	}
	return 0;
}

int aio_tlsconn_has_input(const struct aio_tlsconn *t)
{
	return aio_buf_len(&t->early) > 0 || SSL_pending(t->ssl) > 0;
}

int aio_tlsconn_shutdown(struct aio_tlsconn *t)
{
	ERR_clear_error();
	int r = SSL_shutdown(t->ssl);
	if (r >= 0)
		return r;
	r = failed(t, r, 0);
	return r == -EAGAIN ? 0 : r < 0 ? r : 1;
}

int aio_tlsconn_peer_closed(const struct aio_tlsconn *t)
{
	return !!(SSL_get_shutdown(t->ssl) & SSL_RECEIVED_SHUTDOWN);
}

SSL *aio_tlsconn_ssl(const struct aio_tlsconn *t)
{
	return t->ssl;
}

const struct aio_tls_failure *aio_tlsconn_failure(const struct aio_tlsconn *t)
{
	return &t->failure;
}

const struct aio_tls_ops aio_tlsconn_ops = {
	.open = aio_tlsconn_new,
	.free = aio_tlsconn_free,
	.handshake = aio_tlsconn_handshake,
	.read = aio_tlsconn_read,
	.write = aio_tlsconn_write,
	.unsent = aio_tlsconn_unsent,
	.flush = aio_tlsconn_flush,
	.has_input = aio_tlsconn_has_input,
	.shutdown = aio_tlsconn_shutdown,
	.peer_closed = aio_tlsconn_peer_closed,
	.ssl = aio_tlsconn_ssl,
	.failure = aio_tlsconn_failure,
};
