/* tls.h -- TLS (OpenSSL 3) as the transport of an aio_stream: handshake, records, close_notify */
#ifndef AIO_TLS_H
#define AIO_TLS_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

/* OpenSSL's types, declared as it declares them: the streams' core does
 * not link OpenSSL (see aio_stream_set_tls). */
typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

struct aio_buf;
struct aio_stream;
struct aio_tlsconn;

/* aio_stream_error's value for a TLS failure; aio_stream_tls_failure says which. */
#define AIO_ETLS EPROTO

struct aio_tls_opts {
	SSL_CTX *ctx;		/* the stream's SSL takes a reference of its own */
	int server;		/* accept the handshake instead of starting it */
	/* Client only: sent as SNI unless it is an IP address; NULL: none. */
	const char *hostname;
	/* Client only: check hostname against the certificate (an IP address
	 * against its IP SANs); ignored without a hostname. */
	int check_hostname;
	double handshake_timeout;	/* seconds; 0: none */
	double shutdown_timeout;	/* seconds close waits for the peer's close_notify; 0: none */
};

/* Why a TLS stream failed (valid while aio_stream_error is AIO_ETLS). */
struct aio_tls_failure {
	unsigned long err;	/* OpenSSL's first queued error (ERR_get_error), 0 if none */
	long verify;		/* SSL_get_verify_result when the peer's certificate failed, else X509_V_OK */
	int eof;		/* the peer closed mid-handshake (err is then 0) */
};

/*
 * The TLS sessions a stream drives (tlsconn.h says what each does). They
 * live with OpenSSL in a module loaded on first use, so a program that
 * never speaks TLS never loads OpenSSL (a third of a hello world's
 * start-up); the module hands them over once, before any start_tls.
 */
struct aio_tls_ops {
	struct aio_tlsconn *(*open)(const struct aio_tls_opts *o, int fd, struct aio_buf *early_in,
				    struct aio_buf *early_out, int *err);
	void (*free)(struct aio_tlsconn *t);
	int (*handshake)(struct aio_tlsconn *t);
	ssize_t (*read)(struct aio_tlsconn *t, void *buf, size_t n);
	int (*write)(struct aio_tlsconn *t, const void *p, size_t n);
	size_t (*unsent)(const struct aio_tlsconn *t);
	int (*flush)(struct aio_tlsconn *t);
	int (*has_input)(const struct aio_tlsconn *t);
	int (*shutdown)(struct aio_tlsconn *t);
	int (*peer_closed)(const struct aio_tlsconn *t);
	SSL *(*ssl)(const struct aio_tlsconn *t);
	const struct aio_tls_failure *(*failure)(const struct aio_tlsconn *t);
};
void aio_stream_set_tls(const struct aio_tls_ops *ops);

/*
 * Starts TLS on an open, connected stream (a new connection, or STARTTLS
 * on one that carried plaintext): bytes read ahead and not yet consumed
 * go into the handshake, never to the owner. AIO_STREAM_CONNECT comes when
 * the handshake ends; aio_stream_error then tells how: 0, ETIMEDOUT (past
 * handshake_timeout), AIO_ETLS, or the socket's errno. Writes made before
 * it ends are sent once it is done. Afterwards input and output are the
 * plaintext, and aio_stream_close sends close_notify first.
 *
 * Returns 0 or -errno: -EINVAL if the stream is closing, failed, connecting
 * or already TLS, -ENOMEM or -EPROTO if OpenSSL cannot set up the session,
 * -ENOSYS before aio_stream_set_tls.
 */
int aio_stream_start_tls(struct aio_stream *s, const struct aio_tls_opts *o);

/* The session (NULL on a plaintext stream): for what was negotiated. */
SSL *aio_stream_ssl(const struct aio_stream *s);
int aio_stream_handshaking(const struct aio_stream *s);
const struct aio_tls_failure *aio_stream_tls_failure(const struct aio_stream *s);

#endif
