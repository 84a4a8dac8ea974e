/* l_ssl.c -- asyncio.ssl's SSLContext over OpenSSL 3's SSL_CTX: certificates, trust stores, verification, ALPN */
#include "l_tls.h"
#include "tlsconn.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* Python's values, so code ported from Python reads the same. */
#define PROTOCOL_TLS_CLIENT 16
#define PROTOCOL_TLS_SERVER 17
/* The CA bundle tried when neither the environment nor OpenSSL's default
 * paths hold one (Debian's ca-certificates). */
#define FALLBACK_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
/* Resumed sessions must come from the same context id (OpenSSL refuses to
 * resume a session that verified a client certificate without one). */
#define SESSION_ID_CONTEXT "aiod"

/*
 * The server's ALPN list (wire format) hangs off the SSL_CTX as ex data,
 * not off the userdata: the select callback runs during handshakes of
 * connections that may outlive the Lua object (they hold the SSL_CTX).
 */
struct alpn_list {
	unsigned len;
	unsigned char data[];
};

static int alpn_index = -1;
static pthread_once_t alpn_once = PTHREAD_ONCE_INIT;

static void alpn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	free(ptr);
}

static void alpn_index_init(void)
{
	alpn_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, alpn_free);
}

/* ---------------------------------------------------------------------
 * SSLContext */

/* A pem_password_cb that has no password: OpenSSL must never prompt on a
 * terminal (a daemon has none) for an encrypted key or certificate. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

/* load_cert_chain's password: a string, or a Lua function at stack index fn. */
struct password {
	lua_State *L;
	const char *text;
	size_t len;
	int fn;
	int asked;	/* OpenSSL asked for it: the key is encrypted */
	int failed;	/* the function failed: the error is on top of the stack */
};

static int password_cb(char *buf, int size, int rwflag, void *u)
{
	(void)rwflag;
	struct password *p = u;
	if (!p || p->failed)
		return -1;
	p->asked = 1;
	if (!p->fn) {
		if (!p->text || p->len > (size_t)size)
			return -1;
		memcpy(buf, p->text, p->len);
		return (int)p->len;
	}
	/* Errors cannot unwind through OpenSSL's frames: the call is
	 * protected and its error raised once OpenSSL has returned. */
	lua_State *L = p->L;
	lua_pushvalue(L, p->fn);
	p->failed = 1;
	if (lua_pcall(L, 0, 1, 0) != LUA_OK)
		return -1;
	size_t len;
	const char *text = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
	if (!text || len > (size_t)size) {
		/* As luaL_argerror, whose frame this still is, would say it. */
		luaL_where(L, 1);
		if (!text)
			lua_pushfstring(L, "bad argument #3 to 'load_cert_chain' (password function returned %s, "
					"not a string)", luaL_typename(L, -2));
		else
			lua_pushfstring(L, "bad argument #3 to 'load_cert_chain' (password longer than %d bytes)", size);
		lua_concat(L, 2);
		return -1;
	}
	memcpy(buf, text, len);
	lua_pop(L, 1);
	p->failed = 0;
	return (int)len;
}

static int is_key_mismatch(unsigned long e)
{
	return ERR_GET_LIB(e) == ERR_LIB_X509 && (ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH
						 || ERR_GET_REASON(e) == X509_R_KEY_TYPE_MISMATCH);
}

/* Raises the error of a failed key load (the queue says what failed). */
static int raise_key_error(lua_State *L, const struct password *pw, const char *certfile, const char *keyfile)
{
	if (pw->failed) {
		ERR_clear_error();
		return lua_error(L);
	}
	if (is_key_mismatch(ERR_peek_error())) {
		lua_pushfstring(L, "cannot use certificate file '%s' with key file", certfile);
		return laio_ssl_raise_file_error(L, lua_tostring(L, -1), keyfile, NULL, NULL);
	}
	if (pw->asked && !pw->text && !pw->fn)
		return laio_ssl_raise_file_error(L, "cannot load key file", keyfile,
					"it is encrypted and no password was given", NULL);
	const char *hint = pw->asked ? "wrong password?"
		: ERR_SYSTEM_ERROR(ERR_peek_error()) ? NULL : "no PEM private key in it?";
	return laio_ssl_raise_file_error(L, "cannot load key file", keyfile, NULL, hint);
}

/* ctx:load_cert_chain(certfile [, keyfile [, password]]) */
static int l_ctx_load_cert_chain(lua_State *L)
{
	struct l_sslctx *c = laio_check_sslctx(L, 1);
	const char *certfile = luaL_checkstring(L, 2);
	const char *keyfile = luaL_optstring(L, 3, certfile);
	struct password pw = {.L = L};
	switch (lua_type(L, 4)) {
	case LUA_TNONE:
	case LUA_TNIL:
		break;
	case LUA_TSTRING:
		pw.text = lua_tolstring(L, 4, &pw.len);
		break;
	case LUA_TFUNCTION:
		pw.fn = 4;
		break;
	default:
		return luaL_typeerror(L, 4, "string or function");
	}
	lua_settop(L, 4);
	ERR_clear_error();
	SSL_CTX_set_default_passwd_cb(c->ctx, password_cb);
	SSL_CTX_set_default_passwd_cb_userdata(c->ctx, &pw);
	int stage = 0;
	if (SSL_CTX_use_certificate_chain_file(c->ctx, certfile) == 1 && ++stage
	    && SSL_CTX_use_PrivateKey_file(c->ctx, keyfile, SSL_FILETYPE_PEM) == 1
	    && SSL_CTX_check_private_key(c->ctx) == 1)
		stage = 2;
	SSL_CTX_set_default_passwd_cb(c->ctx, no_password);
	SSL_CTX_set_default_passwd_cb_userdata(c->ctx, NULL);
	if (stage == 0) {
		if (pw.failed) {
			ERR_clear_error();
			return lua_error(L);
		}
		return laio_ssl_raise_file_error(L, "cannot load certificate file", certfile, NULL, NULL);
	}
	if (stage == 1)
		return raise_key_error(L, &pw, certfile, keyfile);
	ERR_clear_error();
	return 0;
}

/* 1 if the folder holds a file that is a certificate, 0 if not, -errno if
 * it cannot be read. */
static int dir_holds_cert(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	int found = 0;
	char file[4096];
	for (struct dirent *e; !found && (e = readdir(d)) != NULL;) {
		struct stat st;
		if (e->d_name[0] == '.' || (size_t)snprintf(file, sizeof file, "%s/%s", path, e->d_name) >= sizeof file
		    || stat(file, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		BIO *b = BIO_new_file(file, "r");
		X509 *x = b ? PEM_read_bio_X509(b, NULL, no_password, NULL) : NULL;
		found = x != NULL;
		X509_free(x);
		BIO_free(b);
	}
	closedir(d);
	ERR_clear_error();
	return found;
}

static void load_ca_file(lua_State *L, struct l_sslctx *c, const char *path)
{
	ERR_clear_error();
	if (SSL_CTX_load_verify_file(c->ctx, path) != 1)
		laio_ssl_raise_file_error(L, "cannot load CA file", path, NULL, NULL);
	ERR_clear_error();
}

static void load_ca_dir(lua_State *L, struct l_sslctx *c, const char *path)
{
	int found = dir_holds_cert(path);
	if (found < 0) {
		ERR_raise(ERR_LIB_SYS, -found);
		laio_ssl_raise_file_error(L, "cannot load CA folder", path, NULL, NULL);
	}
	if (found == 0) {
		lua_pushfstring(L, "[SSL] CA folder '%s' holds no certificate", path);
		laio_ssl_raise_queue_error(L, lua_tostring(L, -1));
	}
	if (SSL_CTX_load_verify_dir(c->ctx, path) != 1)
		laio_ssl_raise_file_error(L, "cannot load CA folder", path, NULL, NULL);
	ERR_clear_error();
}

static void load_ca_data(lua_State *L, struct l_sslctx *c, const char *data, size_t len)
{
	if (len > INT_MAX)
		luaL_argerror(L, 4, "cadata too long");
	ERR_clear_error();
	BIO *b = BIO_new_mem_buf(data, (int)len);
	if (!b)
		laio_ssl_raise_file_error(L, "cannot load cadata", NULL, NULL, NULL);
	X509_STORE *store = SSL_CTX_get_cert_store(c->ctx);
	int count = 0, added = 1;
	X509 *x;
	while (added && (x = PEM_read_bio_X509(b, NULL, no_password, NULL)) != NULL) {
		added = X509_STORE_add_cert(store, x);
		X509_free(x);
		count += added;
	}
	BIO_free(b);
	unsigned long last = ERR_peek_last_error();
	if (count > 0 && added && ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
		ERR_clear_error();	/* the end of the data after its certificates */
		return;
	}
	laio_ssl_raise_file_error(L, count == 0 && added ? "cadata holds no certificate" : "cannot load cadata",
			 NULL, NULL, NULL);
}

/* ctx:load_verify_locations([cafile [, capath [, cadata]]]): at least one. */
static int l_ctx_load_verify_locations(lua_State *L)
{
	struct l_sslctx *c = laio_check_sslctx(L, 1);
	const char *cafile = luaL_optstring(L, 2, NULL);
	const char *capath = luaL_optstring(L, 3, NULL);
	size_t len = 0;
	const char *cadata = luaL_optlstring(L, 4, NULL, &len);
	if (!cafile && !capath && !cadata)
		return luaL_argerror(L, 2, "cafile, capath and cadata cannot be all omitted");
	if (cafile)
		load_ca_file(L, c, cafile);
	if (capath)
		load_ca_dir(L, c, capath);
	if (cadata)
		load_ca_data(L, c, cadata, len);
	return 0;
}

/* Whether one of the colon-separated folders holds a certificate file. */
static int dirs_hold_cert(const char *list)
{
	char dir[4096];
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ":");
		if (n > 0 && n < sizeof dir) {
			memcpy(dir, p, n);
			dir[n] = '\0';
			if (dir_holds_cert(dir) > 0)
				return 1;
		}
		p += n + (p[n] == ':');
	}
	return 0;
}

static int load_quietly(SSL_CTX *ctx, const char *file, const char *dir)
{
	int ok = file ? SSL_CTX_load_verify_file(ctx, file) == 1
		: dirs_hold_cert(dir) && SSL_CTX_load_verify_dir(ctx, dir) == 1;
	ERR_clear_error();
	return ok;
}

/*
 * The system's CA store: SSL_CERT_FILE / SSL_CERT_DIR when either is set
 * (only those then), else OpenSSL's default file and folder, else Debian's
 * bundle. A store without a certificate raises SSLError naming where it
 * looked: a client that trusts nothing would fail every handshake later.
 */
static void load_system_store(lua_State *L, struct l_sslctx *c)
{
	const char *file_env = X509_get_default_cert_file_env(), *dir_env = X509_get_default_cert_dir_env();
	const char *file = getenv(file_env), *dir = getenv(dir_env);
	if (file && !*file)
		file = NULL;
	if (dir && !*dir)
		dir = NULL;
	int from_env = file || dir, found = 0;
	if (!from_env) {
		file = X509_get_default_cert_file();
		dir = X509_get_default_cert_dir();
	}
	if (file)
		found |= load_quietly(c->ctx, file, NULL);
	if (dir)
		found |= load_quietly(c->ctx, NULL, dir);
	if (found)
		return;
	if (!from_env && load_quietly(c->ctx, FALLBACK_CA_FILE, NULL))
		return;
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	luaL_addstring(&b, "[SSL] no CA certificate found (looked in ");
	if (from_env) {
		if (file)
			lua_pushfstring(L, "%s '%s'%s", file_env, file, dir ? ", " : "");
		else
			lua_pushliteral(L, "");
		luaL_addvalue(&b);
		if (dir)
			lua_pushfstring(L, "%s '%s'", dir_env, dir);
		else
			lua_pushliteral(L, "");
	} else {
		lua_pushfstring(L, "'%s', '%s', '%s'", file, dir, FALLBACK_CA_FILE);
	}
	luaL_addvalue(&b);
	luaL_addchar(&b, ')');
	luaL_pushresult(&b);
	laio_ssl_raise_queue_error(L, lua_tostring(L, -1));
}

/* ctx:load_default_certs() */
static int l_ctx_load_default_certs(lua_State *L)
{
	load_system_store(L, laio_check_sslctx(L, 1));
	return 0;
}

/* ctx:set_ciphers(list): the TLS 1.2 cipher list (TLS 1.3's are apart). */
static int l_ctx_set_ciphers(lua_State *L)
{
	struct l_sslctx *c = laio_check_sslctx(L, 1);
	const char *list = luaL_checkstring(L, 2);
	ERR_clear_error();
	if (SSL_CTX_set_cipher_list(c->ctx, list) != 1)
		return laio_ssl_raise_queue_error(L, "No cipher can be selected.");
	return 0;
}

/* The server's choice: the first of its protocols the client offers, as
 * Python; none in common is no ALPN, not a failed handshake. */
static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		       const unsigned char *in, unsigned inlen, void *arg)
{
	(void)arg;
	const struct alpn_list *a = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), alpn_index);
	unsigned char *chosen;
	if (!a || SSL_select_next_proto(&chosen, outlen, a->data, a->len, in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = chosen;
	return SSL_TLSEXT_ERR_OK;
}

/* ctx:set_alpn_protocols(list): offered by a client, chosen from by a server. */
static int l_ctx_set_alpn_protocols(lua_State *L)
{
	struct l_sslctx *c = laio_check_sslctx(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_Integer n = luaL_len(L, 2);
	size_t len = 0;
	for (lua_Integer i = 1; i <= n; i++) {
		size_t one;
		lua_geti(L, 2, i);
		if (lua_type(L, -1) != LUA_TSTRING)
			return luaL_argerror(L, 2, lua_pushfstring(L, "string expected at index %I, got %s",
								  i, luaL_typename(L, -1)));
		lua_tolstring(L, -1, &one);
		if (one < 1 || one > 255)
			return luaL_argerror(L, 2, lua_pushfstring(L, "protocol at index %I is %d bytes, not 1 to 255",
								  i, (int)one));
		len += 1 + one;
		if (len > 65535)
			return luaL_argerror(L, 2, "protocols longer than 65535 bytes in all");
		lua_pop(L, 1);
	}
	/* The wire format: each name after its length byte. */
	unsigned char *wire = lua_newuserdatauv(L, len ? len : 1, 0), *at = wire;
	for (lua_Integer i = 1; i <= n; i++) {
		size_t one;
		lua_geti(L, 2, i);
		const char *name = lua_tolstring(L, -1, &one);
		*at++ = (unsigned char)one;
		memcpy(at, name, one);
		at += one;
		lua_pop(L, 1);
	}
	struct alpn_list *a = NULL;
	if (len > 0) {
		a = malloc(sizeof *a + len);
		if (!a)
			return luaL_error(L, "not enough memory");
		a->len = (unsigned)len;
		memcpy(a->data, wire, len);
	}
	if (SSL_CTX_set_alpn_protos(c->ctx, len ? wire : NULL, (unsigned)len) != 0) {
		free(a);
		return laio_ssl_raise_queue_error(L, "[SSL] cannot set the ALPN protocols");
	}
	free(SSL_CTX_get_ex_data(c->ctx, alpn_index));
	SSL_CTX_set_ex_data(c->ctx, alpn_index, a);
	return 0;
}

/* ctx:cert_store_stats(): Python's counts of the trust store's objects. */
static int l_ctx_cert_store_stats(lua_State *L)
{
	struct l_sslctx *c = laio_check_sslctx(L, 1);
	X509_STORE *store = SSL_CTX_get_cert_store(c->ctx);
	lua_Integer x509 = 0, ca = 0, crl = 0;
	if (X509_STORE_lock(store)) {
		STACK_OF(X509_OBJECT) *objects = X509_STORE_get0_objects(store);
		for (int i = 0; i < sk_X509_OBJECT_num(objects); i++) {
			X509_OBJECT *o = sk_X509_OBJECT_value(objects, i);
			if (X509_OBJECT_get_type(o) == X509_LU_X509) {
				x509++;
				ca += X509_check_ca(X509_OBJECT_get0_X509(o)) != 0;
			} else if (X509_OBJECT_get_type(o) == X509_LU_CRL) {
				crl++;
			}
		}
		X509_STORE_unlock(store);
	}
	lua_createtable(L, 0, 3);
	lua_pushinteger(L, x509);
	lua_setfield(L, -2, "x509");
	lua_pushinteger(L, ca);
	lua_setfield(L, -2, "x509_ca");
	lua_pushinteger(L, crl);
	lua_setfield(L, -2, "crl");
	return 1;
}

/* OpenSSL's verify flags for a verify mode, as Python sets them. */
static int verify_flags(int mode)
{
	switch (mode) {
	case LAIO_CERT_NONE:
		return SSL_VERIFY_NONE;
	case LAIO_CERT_OPTIONAL:
		return SSL_VERIFY_PEER;
	default:
		return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	}
}

static void set_verify_mode(struct l_sslctx *c, int mode)
{
	c->verify_mode = mode;
	SSL_CTX_set_verify(c->ctx, verify_flags(mode), NULL);
}

/* The versions a context may be limited to; aiod speaks TLS 1.2 at least. */
static const char *version_name(int v)
{
	return v == TLS1_2_VERSION ? "TLSv1.2" : v == TLS1_3_VERSION ? "TLSv1.3" : "MAXIMUM_SUPPORTED";
}

/* The version for a field's value; raises on what is none. MINIMUM_SUPPORTED
 * is TLS 1.2, aiod's floor; MAXIMUM_SUPPORTED as a maximum is no limit. */
static int check_version(lua_State *L, const char *field, int maximum)
{
	const char *v = lua_type(L, 3) == LUA_TSTRING ? lua_tostring(L, 3) : NULL;
	if (v) {
		if (strcmp(v, "TLSv1.2") == 0 || strcmp(v, "MINIMUM_SUPPORTED") == 0)
			return TLS1_2_VERSION;
		if (strcmp(v, "TLSv1.3") == 0)
			return TLS1_3_VERSION;
		if (strcmp(v, "MAXIMUM_SUPPORTED") == 0)
			return maximum ? 0 : TLS1_3_VERSION;
	}
	return luaL_error(L, "invalid value for %s ('TLSv1.2', 'TLSv1.3', 'MINIMUM_SUPPORTED' or "
			  "'MAXIMUM_SUPPORTED' expected, got %s)", field,
			  v ? lua_pushfstring(L, "'%s'", v) : luaL_typename(L, 3));
}

static int no_attribute(lua_State *L)
{
	return luaL_error(L, "'SSLContext' object has no attribute '%s'", luaL_tolstring(L, 2, NULL));
}

/* __index: the methods (upvalue 1), then the fields of Python's object. */
static int l_ctx_index(lua_State *L)
{
	struct l_sslctx *c = laio_check_sslctx(L, 1);
	lua_settop(L, 2);
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "";
	if (strcmp(key, "check_hostname") == 0)
		lua_pushboolean(L, c->check_hostname);
	else if (strcmp(key, "verify_mode") == 0)
		lua_pushinteger(L, c->verify_mode);
	else if (strcmp(key, "minimum_version") == 0)
		lua_pushstring(L, version_name(SSL_CTX_get_min_proto_version(c->ctx)));
	else if (strcmp(key, "maximum_version") == 0)
		lua_pushstring(L, version_name(SSL_CTX_get_max_proto_version(c->ctx)));
	else if (strcmp(key, "protocol") == 0)
		lua_pushinteger(L, c->server ? PROTOCOL_TLS_SERVER : PROTOCOL_TLS_CLIENT);
	else
		return no_attribute(L);
	return 1;
}

/* __newindex: the writable fields, with Python's rules between them
 * (upvalue 1: the methods, which are read-only). */
static int l_ctx_newindex(lua_State *L)
{
	struct l_sslctx *c = laio_check_sslctx(L, 1);
	const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "";
	if (strcmp(key, "check_hostname") == 0) {
		if (lua_type(L, 3) != LUA_TBOOLEAN)
			return luaL_error(L, "invalid value for check_hostname (boolean expected, got %s)",
					  luaL_typename(L, 3));
		c->check_hostname = lua_toboolean(L, 3);
		if (c->check_hostname && c->verify_mode == LAIO_CERT_NONE)
			set_verify_mode(c, LAIO_CERT_REQUIRED);
	} else if (strcmp(key, "verify_mode") == 0) {
		lua_Integer mode = lua_tointeger(L, 3);
		if (!lua_isinteger(L, 3) || mode < LAIO_CERT_NONE || mode > LAIO_CERT_REQUIRED)
			return luaL_error(L, "invalid value for verify_mode (CERT_NONE, CERT_OPTIONAL or "
					  "CERT_REQUIRED expected, got %s)", lua_type(L, 3) == LUA_TNUMBER
					  ? luaL_tolstring(L, 3, NULL) : luaL_typename(L, 3));
		if (mode == LAIO_CERT_NONE && c->check_hostname)
			return luaL_error(L, "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
		set_verify_mode(c, (int)mode);
	} else if (strcmp(key, "minimum_version") == 0) {
		SSL_CTX_set_min_proto_version(c->ctx, check_version(L, key, 0));
	} else if (strcmp(key, "maximum_version") == 0) {
		SSL_CTX_set_max_proto_version(c->ctx, check_version(L, key, 1));
	} else if (strcmp(key, "protocol") == 0) {
		return luaL_error(L, "attribute 'protocol' of 'SSLContext' objects is not writable");
	} else if (lua_pushvalue(L, 2), lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) {
		return luaL_error(L, "'SSLContext' object attribute '%s' is read-only", key);
	} else {
		return no_attribute(L);
	}
	return 0;
}

static int l_ctx_gc(lua_State *L)
{
	struct l_sslctx *c = luaL_checkudata(L, 1, LAIO_SSLCONTEXT);
	SSL_CTX_free(c->ctx);	/* connections still open hold references of their own */
	c->ctx = NULL;
	return 0;
}

static int l_ctx_tostring(lua_State *L)
{
	struct l_sslctx *c = luaL_checkudata(L, 1, LAIO_SSLCONTEXT);
	lua_pushfstring(L, "SSLContext (%s): %p", c->server ? "server" : "client", (void *)c);
	return 1;
}

/* [-0, +1] A new context with what every aiod context has; a server's
 * trusts no CA (see create_default_context in ssl.lua for why). */
static struct l_sslctx *push_context(lua_State *L, int server)
{
	struct l_sslctx *c = lua_newuserdatauv(L, sizeof *c, 0);
	memset(c, 0, sizeof *c);
	luaL_setmetatable(L, LAIO_SSLCONTEXT);
	ERR_clear_error();
	c->ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!c->ctx)
		laio_ssl_raise_file_error(L, "cannot make a TLS context", NULL, NULL, NULL);
	c->server = server;
	/* An EOF without close_notify is end of file (as uvloop); no
	 * renegotiation (TLS 1.2's attack surface; 1.3 has none). */
	SSL_CTX_set_options(c->ctx, SSL_OP_ALL | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE
			    | SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
	/* Idle connections give their buffers back; a retried write may come
	 * from another address (the stream's buffer moves as it grows). */
	SSL_CTX_set_mode(c->ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	SSL_CTX_set_default_passwd_cb(c->ctx, no_password);
	X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(c->ctx), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	SSL_CTX_set_alpn_select_cb(c->ctx, alpn_select, NULL);
	/* Session tickets stay on (OpenSSL's default): resumption works. */
	SSL_CTX_set_session_id_context(c->ctx, (const unsigned char *)SESSION_ID_CONTEXT,
				       sizeof SESSION_ID_CONTEXT - 1);
	c->check_hostname = !server;
	set_verify_mode(c, server ? LAIO_CERT_NONE : LAIO_CERT_REQUIRED);
	return c;
}

/* SSLContext([protocol]): PROTOCOL_TLS_CLIENT (the default) or PROTOCOL_TLS_SERVER. */
static int l_sslcontext_new(lua_State *L)
{
	lua_Integer protocol = luaL_optinteger(L, 1, PROTOCOL_TLS_CLIENT);
	if (protocol != PROTOCOL_TLS_CLIENT && protocol != PROTOCOL_TLS_SERVER)
		return luaL_argerror(L, 1, "PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER expected");
	push_context(L, protocol == PROTOCOL_TLS_SERVER);
	return 1;
}

static int l_is_sslcontext(lua_State *L)
{
	lua_pushboolean(L, luaL_testudata(L, 1, LAIO_SSLCONTEXT) != NULL);
	return 1;
}

static const luaL_Reg ctx_methods[] = {
	{"load_cert_chain", l_ctx_load_cert_chain},
	{"load_verify_locations", l_ctx_load_verify_locations},
	{"load_default_certs", l_ctx_load_default_certs},
	{"set_ciphers", l_ctx_set_ciphers},
	{"set_alpn_protocols", l_ctx_set_alpn_protocols},
	{"cert_store_stats", l_ctx_cert_store_stats},
	{NULL, NULL}
};

static const luaL_Reg functions[] = {
	{"SSLContext", l_sslcontext_new},
	{"is_sslcontext", l_is_sslcontext},
	{"_decode_cert_file", laio_decode_cert_file},
	{NULL, NULL}
};

static const struct laio_tls_hooks hooks = {
	.push_error = laio_push_tls_error,
	.push_extra = laio_push_tls_extra,
};

/* The module's entry (see l_tls.c), run as internals.open_ssl: the TLS
 * sessions go to the streams, and asyncio.ssl's C side is returned. */
int laio_tls_open(lua_State *L)
{
	aio_stream_set_tls(&aio_tlsconn_ops);
	laio_set_tls_hooks(&hooks);
	pthread_once(&alpn_once, alpn_index_init);
	if (alpn_index < 0)
		return luaL_error(L, "cannot set up OpenSSL (no ex data index)");
	luaL_newlib(L, functions);
	luaL_newlib(L, ctx_methods);
	if (luaL_newmetatable(L, LAIO_SSLCONTEXT)) {
		lua_pushvalue(L, -2);
		lua_pushcclosure(L, l_ctx_index, 1);
		lua_setfield(L, -2, "__index");
		lua_pushvalue(L, -2);
		lua_pushcclosure(L, l_ctx_newindex, 1);
		lua_setfield(L, -2, "__newindex");
		lua_pushcfunction(L, l_ctx_gc);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, l_ctx_tostring);
		lua_setfield(L, -2, "__tostring");
		lua_pushvalue(L, -1);
		laio_name_methods(L, LAIO_SSLCONTEXT " metatable");
	}
	lua_pop(L, 1);
	lua_setfield(L, -2, "methods");
	static const struct laio_constant constants[] = {
		{"CERT_NONE", LAIO_CERT_NONE}, {"CERT_OPTIONAL", LAIO_CERT_OPTIONAL},
		{"CERT_REQUIRED", LAIO_CERT_REQUIRED},
		{"PROTOCOL_TLS_CLIENT", PROTOCOL_TLS_CLIENT}, {"PROTOCOL_TLS_SERVER", PROTOCOL_TLS_SERVER},
		{NULL, 0}
	};
	laio_set_constants(L, constants);
	lua_pushstring(L, OpenSSL_version(OPENSSL_VERSION));
	lua_setfield(L, -2, "OPENSSL_VERSION");
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushcclosure(L, laio_start_tls, 1);
	lua_setfield(L, -2, "start_tls");
	return 1;
}
