/* tlsconn.h -- a TLS session over a non-blocking socket, for stream.c: OpenSSL through a BIO of our own */
#ifndef AIO_TLSCONN_H
#define AIO_TLSCONN_H

#include "buf.h"
#include "tls.h"

#include <sys/types.h>

/*
 * The session reads the socket itself, but never waits on it: a call that
 * needs input the socket has not got returns -EAGAIN, and the stream polls.
 * Output is never refused: ciphertext the socket does not take waits in
 * the session (aio_tlsconn_unsent) until aio_tlsconn_flush sends it, so
 * OpenSSL never reports WANT_WRITE, and a read that must answer (a TLS 1.3
 * key update) or a write that is blocked never stalls the other direction.
 */
struct aio_tlsconn;

/* The sessions' functions for aio_stream_set_tls; what each does: */
extern const struct aio_tls_ops aio_tlsconn_ops;

/*
 * A session on fd, set up as o says. It takes over the plaintext of the
 * connection before TLS began: *early_in (read from fd, not consumed) is
 * read first, and *early_out (not sent yet) goes out first, as it is;
 * both are left empty. NULL with *err = -ENOMEM or -EPROTO (OpenSSL
 * refused the settings).
 */
struct aio_tlsconn *aio_tlsconn_new(const struct aio_tls_opts *o, int fd,
				    struct aio_buf *early_in, struct aio_buf *early_out,
				    int *err);
void aio_tlsconn_free(struct aio_tlsconn *t);

/* 1 once the handshake is done, -EAGAIN while it needs input, else -errno:
 * AIO_ETLS (aio_tlsconn_failure says why, also for a peer that closed),
 * the socket's error. */
int aio_tlsconn_handshake(struct aio_tlsconn *t);

/* As read(2): bytes of plaintext, 0 at the end of the peer's data
 * (close_notify or a bare end of file), -EAGAIN, or -errno as above. */
ssize_t aio_tlsconn_read(struct aio_tlsconn *t, void *buf, size_t n);

/* Encrypts all of p[0, n), n at most INT_MAX, and sends what the socket
 * takes: 0, or -EAGAIN when the session needs the peer's input first (a
 * TLS 1.2 renegotiation): then call again with the same n bytes once input
 * came; or -errno. */
int aio_tlsconn_write(struct aio_tlsconn *t, const void *p, size_t n);

size_t aio_tlsconn_unsent(const struct aio_tlsconn *t);
/* Sends waiting ciphertext as far as the socket takes it: 0 or -errno. */
int aio_tlsconn_flush(struct aio_tlsconn *t);

/* Whether input waits inside the session, where polling cannot see it. */
int aio_tlsconn_has_input(const struct aio_tlsconn *t);

/* Queues close_notify: 1 if the peer's came already, 0 if it is still to
 * come (aio_tlsconn_read returns 0 then), -errno. */
int aio_tlsconn_shutdown(struct aio_tlsconn *t);
/* Whether the peer's close_notify came. */
int aio_tlsconn_peer_closed(const struct aio_tlsconn *t);

SSL *aio_tlsconn_ssl(const struct aio_tlsconn *t);
const struct aio_tls_failure *aio_tlsconn_failure(const struct aio_tlsconn *t);

#endif
