/* l_ssl_errors.c -- TLS errors as Python names them: SSLError and SSLCertVerificationError from OpenSSL's error queue */
#include "l_tls.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* Python's SSLError.errno: SSL_ERROR_SSL */
#define SSL_ERROR_SSL_ERRNO 1

/* Python's short name of an OpenSSL library ("SSL", "PEM", ...), or NULL. */
static const char *lib_name(int lib)
{
	static const struct { int lib; const char *name; } names[] = {
		{ERR_LIB_SYS, "SYS"}, {ERR_LIB_BN, "BN"}, {ERR_LIB_RSA, "RSA"}, {ERR_LIB_DH, "DH"},
		{ERR_LIB_EVP, "EVP"}, {ERR_LIB_BUF, "BUF"}, {ERR_LIB_OBJ, "OBJ"}, {ERR_LIB_PEM, "PEM"},
		{ERR_LIB_DSA, "DSA"}, {ERR_LIB_X509, "X509"}, {ERR_LIB_ASN1, "ASN1"},
		{ERR_LIB_CONF, "CONF"}, {ERR_LIB_CRYPTO, "CRYPTO"}, {ERR_LIB_EC, "EC"},
		{ERR_LIB_SSL, "SSL"}, {ERR_LIB_BIO, "BIO"}, {ERR_LIB_PKCS7, "PKCS7"},
		{ERR_LIB_X509V3, "X509V3"}, {ERR_LIB_PKCS12, "PKCS12"}, {ERR_LIB_RAND, "RAND"},
		{ERR_LIB_DSO, "DSO"}, {ERR_LIB_ENGINE, "ENGINE"}, {ERR_LIB_OCSP, "OCSP"},
		{ERR_LIB_UI, "UI"}, {ERR_LIB_COMP, "COMP"}, {ERR_LIB_ECDSA, "ECDSA"},
		{ERR_LIB_ECDH, "ECDH"}, {ERR_LIB_OSSL_STORE, "OSSL_STORE"}, {ERR_LIB_FIPS, "FIPS"},
		{ERR_LIB_CMS, "CMS"}, {ERR_LIB_TS, "TS"}, {ERR_LIB_HMAC, "HMAC"}, {ERR_LIB_CT, "CT"},
		{ERR_LIB_ASYNC, "ASYNC"}, {ERR_LIB_KDF, "KDF"}, {ERR_LIB_SM2, "SM2"},
		{ERR_LIB_ESS, "ESS"}, {ERR_LIB_PROP, "PROP"}, {ERR_LIB_CRMF, "CRMF"},
		{ERR_LIB_PROV, "PROV"}, {ERR_LIB_CMP, "CMP"}, {ERR_LIB_OSSL_ENCODER, "ENCODER"},
		{ERR_LIB_OSSL_DECODER, "DECODER"}, {ERR_LIB_HTTP, "HTTP"}, {ERR_LIB_USER, "USER"},
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i].lib == lib)
			return names[i].name;
	return NULL;
}

/* "PEM lib", "system lib": a library saying only that the one below it failed. */
static int is_wrapper(unsigned long e)
{
	return !ERR_SYSTEM_ERROR(e) && ERR_COMMON_ERROR(e)
		&& (ERR_GET_REASON(e) & ~(ERR_RFLAGS_MASK << ERR_RFLAGS_OFFSET)) < ERR_LIB_USER;
}

/* The queued error that says most (the first that is no wrapper), and the
 * queue emptied: a stale error would be blamed on the next call. */
static unsigned long take_error(void)
{
	unsigned long e, best = 0, last = 0;
	while ((e = ERR_get_error()) != 0) {
		if (!best && !is_wrapper(e))
			best = e;
		last = e;
	}
	return best ? best : last;
}

/* What an OpenSSL error code says, in Python's terms. */
struct why {
	const char *library;	/* "SSL", "X509", ...; NULL if none */
	char reason[64];	/* "KEY_VALUES_MISMATCH"; "" if none */
	const char *text;	/* "key values mismatch" */
	int sys_errno;		/* a system error's errno, else 0 */
};

static void explain(unsigned long e, struct why *w)
{
	memset(w, 0, sizeof *w);
	w->text = "unknown error";
	if (e == 0)
		return;
	if (ERR_SYSTEM_ERROR(e)) {
		w->sys_errno = ERR_GET_REASON(e);
		w->text = strerror(w->sys_errno);
		return;
	}
	w->library = lib_name(ERR_GET_LIB(e));
	const char *text = ERR_reason_error_string(e);
	if (!text)
		return;
	w->text = text;
	size_t i = 0;
	for (; text[i] && i < sizeof w->reason - 1; i++)
		w->reason[i] = text[i] == ' ' ? '_' : (char)toupper((unsigned char)text[i]);
	w->reason[i] = '\0';
}

/* [-0, +1] "[LIB: REASON]", Python's prefix ("[SSL]" without a reason). */
static void push_prefix(lua_State *L, const struct why *w)
{
	if (w->library && w->reason[0])
		lua_pushfstring(L, "[%s: %s]", w->library, w->reason);
	else
		lua_pushliteral(L, "[SSL]");
}

/* [-1, +1] The error of class cls with the message on top, filled from w:
 * errno (the system's, or Python's SSL_ERROR_SSL), strerror, library, reason. */
static void push_error_from(lua_State *L, const char *cls, const struct why *w)
{
	laio_push_error(L, cls, lua_tostring(L, -1));
	lua_pushinteger(L, w->sys_errno ? w->sys_errno : SSL_ERROR_SSL_ERRNO);
	lua_setfield(L, -2, "errno");
	if (w->sys_errno)
		lua_pushstring(L, w->text);
	else
		lua_pushvalue(L, -2);
	lua_setfield(L, -2, "strerror");
	if (w->library) {
		lua_pushstring(L, w->library);
		lua_setfield(L, -2, "library");
	}
	if (w->reason[0]) {
		lua_pushstring(L, w->reason);
		lua_setfield(L, -2, "reason");
	}
	lua_remove(L, -2);
}

/*
 * Raises SSLError for what failed on a file (or NULL), from OpenSSL's
 * queue: "[PEM: NO_START_LINE] cannot load certificate file 'x.pem': no
 * start line". text (may be NULL) stands for OpenSSL's reason text; hint
 * (may be NULL) follows it in parentheses.
 */
int laio_ssl_raise_file_error(lua_State *L, const char *what, const char *path, const char *text,
			      const char *hint)
{
	struct why w;
	explain(take_error(), &w);
	push_prefix(L, &w);
	lua_pushfstring(L, "%s %s", lua_tostring(L, -1), what);
	if (path)
		lua_pushfstring(L, " '%s'", path);
	else
		lua_pushliteral(L, "");
	lua_pushfstring(L, ": %s", text ? text : w.text);
	if (hint)
		lua_pushfstring(L, " (%s)", hint);
	else
		lua_pushliteral(L, "");
	lua_concat(L, 4);
	lua_remove(L, -2);
	push_error_from(L, "SSLError", &w);
	return lua_error(L);
}

/* Raises SSLError with msg; library and reason from OpenSSL's queue (if it
 * holds an error), which is cleared. */
int laio_ssl_raise_queue_error(lua_State *L, const char *msg)
{
	struct why w;
	explain(take_error(), &w);
	lua_pushstring(L, msg);
	push_error_from(L, "SSLError", &w);
	return lua_error(L);
}

void laio_push_tls_error(lua_State *L, const struct aio_tls_failure *f, const char *hostname)
{
	struct why w;
	if (f->verify != X509_V_OK) {
		explain(0, &w);
		w.library = "SSL";
		strcpy(w.reason, "CERTIFICATE_VERIFY_FAILED");
		if (f->verify == X509_V_ERR_HOSTNAME_MISMATCH)
			lua_pushfstring(L, "Hostname mismatch, certificate is not valid for '%s'.",
					hostname ? hostname : "");
		else if (f->verify == X509_V_ERR_IP_ADDRESS_MISMATCH)
			lua_pushfstring(L, "IP address mismatch, certificate is not valid for '%s'.",
					hostname ? hostname : "");
		else
			lua_pushstring(L, X509_verify_cert_error_string(f->verify));
		lua_pushfstring(L, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s",
				lua_tostring(L, -1));
		push_error_from(L, "SSLCertVerificationError", &w);
		lua_insert(L, -2);
		lua_setfield(L, -2, "verify_message");
		lua_pushinteger(L, f->verify);
		lua_setfield(L, -2, "verify_code");
	} else if (f->err) {
		explain(f->err, &w);
		push_prefix(L, &w);
		lua_pushfstring(L, "%s %s", lua_tostring(L, -1), w.text);
		lua_remove(L, -2);
		push_error_from(L, "SSLError", &w);
	} else if (f->eof) {
		/* Python's asyncio: the peer left before the handshake ended. */
		laio_push_error(L, "ConnectionResetError", "Connection lost during the TLS handshake");
		lua_pushinteger(L, ECONNRESET);
		lua_setfield(L, -2, "errno");
		lua_pushstring(L, strerror(ECONNRESET));
		lua_setfield(L, -2, "strerror");
	} else {
		explain(0, &w);
		lua_pushliteral(L, "[SSL] the TLS session failed");
		push_error_from(L, "SSLError", &w);
	}
}
