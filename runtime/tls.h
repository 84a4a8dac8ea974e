/* tls.h -- TLS (OpenSSL 3) as the transport of an aio_stream: handshake, records, close_notify */
#ifndef AIO_TLS_H
#define AIO_TLS_H

#include <errno.h>
#include <openssl/ssl.h>

struct aio_stream;

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
 * Starts TLS on an open, connected stream (a new connection, or STARTTLS
 * on one that carried plaintext): bytes read ahead and not yet consumed
 * go into the handshake, never to the owner. AIO_STREAM_CONNECT comes when
 * the handshake ends; aio_stream_error then tells how: 0, ETIMEDOUT (past
 * handshake_timeout), AIO_ETLS, or the socket's errno. Writes made before
 * it ends are sent once it is done. Afterwards input and output are the
 * plaintext, and aio_stream_close sends close_notify first.
 *
 * Returns 0 or -errno: -EINVAL if the stream is closing, failed, connecting
 * or already TLS, -ENOMEM or -EPROTO if OpenSSL cannot set up the session.
 */
int aio_stream_start_tls(struct aio_stream *s, const struct aio_tls_opts *o);

/* The session (NULL on a plaintext stream): for what was negotiated. */
SSL *aio_stream_ssl(const struct aio_stream *s);
int aio_stream_handshaking(const struct aio_stream *s);
const struct aio_tls_failure *aio_stream_tls_failure(const struct aio_stream *s);

#endif
