/* l_tls.h -- what the files of asyncio_tls.so share: SSLContext, TLS errors, certificates, TLS on a stream */
#ifndef L_TLS_H
#define L_TLS_H

#include "l_stream.h"

#include <openssl/ssl.h>

#define LAIO_SSLCONTEXT "asyncio.ssl.SSLContext"

/* l_ssl.c: asyncio.ssl's SSLContext */
enum { LAIO_CERT_NONE, LAIO_CERT_OPTIONAL, LAIO_CERT_REQUIRED };
struct l_sslctx {
	SSL_CTX *ctx;		/* freed with the userdata; sessions hold references of their own */
	int check_hostname;
	int verify_mode;	/* LAIO_CERT_* */
	int server;		/* made for Purpose.CLIENT_AUTH: it serves */
};
/* The open SSLContext at arg. Inline so that l_stream_tls.c, which
 * l_ssl.c's entry hands to the streams, need not call back into l_ssl.c. */
static inline struct l_sslctx *laio_check_sslctx(lua_State *L, int arg)
{
	struct l_sslctx *c = luaL_checkudata(L, arg, LAIO_SSLCONTEXT);
	if (!c->ctx)
		luaL_error(L, "attempt to use a closed SSLContext");
	return c;
}
/* The entry of asyncio_tls.so: the C side of asyncio.ssl. */
int laio_tls_open(lua_State *L);

/* l_ssl_errors.c */
/*
 * [-0, +1] The error of a failed TLS stream: SSLCertVerificationError
 * (verify_code, verify_message) when f->verify is not X509_V_OK, else
 * SSLError (reason, library), with Python's messages; hostname (may be
 * NULL) names what a mismatched certificate was checked against.
 */
void laio_push_tls_error(lua_State *L, const struct aio_tls_failure *f, const char *hostname);
/* Raise SSLError for what failed on a file (path may be NULL; text stands
 * for OpenSSL's reason, hint follows in parentheses), or with msg; library
 * and reason from OpenSSL's error queue, then cleared. */
int laio_ssl_raise_file_error(lua_State *L, const char *what, const char *path,
			      const char *text, const char *hint);
int laio_ssl_raise_queue_error(lua_State *L, const char *msg);

/* l_ssl_cert.c */
/* [-0, +1] The peer's certificate as Python's getpeercert() dict; {} when
 * it was not verified, nil when the peer sent none. */
void laio_push_peercert(lua_State *L, SSL *ssl);
int laio_decode_cert_file(lua_State *L);	/* internals._decode_cert_file(path), for tests */

/* l_stream_tls.c */
/* net.start_tls(writer, ctx, server, hostname, check_hostname,
 * handshake_timeout, shutdown_timeout): suspends until the handshake ends. */
int laio_start_tls(lua_State *L);
/* get_extra_info's TLS names: pushes n values and returns n, or -1 when
 * name is none of them. */
int laio_push_tls_extra(lua_State *L, struct l_conn *c, int writer, const char *name);

#endif
