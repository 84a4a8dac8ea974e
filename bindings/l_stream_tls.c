/* l_stream_tls.c -- TLS on a stream connection: start_tls's handshake, and what get_extra_info tells of a session */
#include "l_tls.h"

#include <errno.h>
#include <openssl/ssl.h>
#include <string.h>

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))

/* Registry field: reader -> {sslcontext, server_hostname} of each TLS
 * connection, weak-keyed, so plaintext connections carry nothing. */
#define TLS_STREAMS "asyncio.tls_streams"

static void remember_session(lua_State *L, int writer, int ctx, int hostname)
{
	laio_push_weak_table(L, TLS_STREAMS, "k");
	lua_getiuservalue(L, writer, 1);	/* the reader */
	lua_createtable(L, 2, 0);
	lua_pushvalue(L, ctx);
	lua_rawseti(L, -2, 1);
	lua_pushvalue(L, hostname);
	lua_rawseti(L, -2, 2);
	lua_rawset(L, -3);
	lua_pop(L, 1);
}

/* Python's wording, with the timeout as Lua prints it (60.0, 0.05). */
static int raise_handshake_timeout(lua_State *L)
{
	lua_pushnumber(L, lua_tonumber(L, 5));
	const char *secs = luaL_tolstring(L, -1, NULL);
	lua_pushfstring(L, "SSL handshake is taking longer than %s seconds: aborting the connection",
			secs);
	return laio_raise(L, "TimeoutError", lua_tostring(L, -1));
}

/* The handshake ended: its error is raised, after the connection is cut
 * (as Python's transport is, and nothing of a failed session is read). */
static int handshake_end(lua_State *L, struct l_conn *c)
{
	if (!c->error && c->s)
		return 0;
	const struct aio_tls_failure *f = c->s ? aio_stream_tls_failure(c->s) : NULL;
	struct aio_tls_failure saved = {laio_conn_tls_err(c), X509_V_OK, 0};
	if (!f)
		f = &saved;
	int err = c->error;
	if (err == AIO_ETLS)
		laio_push_tls_error(L, f, lua_tostring(L, 3));
	else if (err && err != ETIMEDOUT)
		laio_push_oserror(L, err, NULL);
	c->closing = 1;
	if (c->s)
		aio_stream_abort(c->s);
	if (err == ETIMEDOUT)
		return raise_handshake_timeout(L);
	if (!err)
		return laio_raise(L, "ConnectionResetError", "Connection lost during the TLS handshake");
	return lua_error(L);
}

static int handshake_k(lua_State *L, int status, lua_KContext ctx);

static int handshake_wait(lua_State *L)
{
	struct l_conn *c = ((struct l_writer *)lua_touserdata(L, 1))->conn;
	if (c->s && !c->error && aio_stream_handshaking(c->s)) {
		struct l_task *t = laio_current_task(L, STATE(L));
		return laio_conn_park(L, t, &c->readers, &laio_wait_read, handshake_k, 0);
	}
	return handshake_end(L, c);
}

/* A cancelled handshake cuts the connection: a half-made session is of
 * no use to anyone. */
static int handshake_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	struct l_conn *c = ((struct l_writer *)lua_touserdata(L, 1))->conn;
	if (laio_state(L)->running->current->must_cancel && c->s) {
		c->closing = 1;
		aio_stream_abort(c->s);
	}
	laio_conn_resumed(L);
	return handshake_wait(L);
}

/* start_tls(writer, ctx, hostname|nil, check_hostname, handshake_timeout,
 * shutdown_timeout): a server's connection accepts, any other connects. */
int laio_start_tls(lua_State *L)
{
	struct l_conn *c = ((struct l_writer *)luaL_checkudata(L, 1, LAIO_WRITER))->conn;
	struct l_sslctx *ctx = laio_check_sslctx(L, 2);
	const char *hostname = luaL_optstring(L, 3, NULL);
	struct aio_tls_opts o = {
		.ctx = ctx->ctx,
		.server = c->accepted,
		.hostname = hostname,
		.check_hostname = lua_toboolean(L, 4),
		.handshake_timeout = luaL_checknumber(L, 5),
		.shutdown_timeout = luaL_checknumber(L, 6),
	};
	lua_settop(L, 6);
	laio_current_task(L, STATE(L));	/* raises outside a task, before anything starts */
	if (c->error) {
		laio_push_oserror(L, c->error, NULL);
		return lua_error(L);
	}
	if (!c->s || c->closing) {
		laio_push_oserror(L, EPIPE, "the StreamWriter is closed");
		return lua_error(L);
	}
	if (aio_stream_ssl(c->s))
		return luaL_error(L, "start_tls: the connection already uses TLS");
	if (!o.server && o.check_hostname && !hostname)
		return luaL_error(L, "start_tls: check_hostname requires server_hostname");
	if (ctx->server != o.server)
		return luaL_error(L, o.server
				  ? "start_tls: a server's connection needs a server SSLContext (Purpose.CLIENT_AUTH)"
				  : "start_tls: a client connection needs a client SSLContext (Purpose.SERVER_AUTH)");
	int r = aio_stream_start_tls(c->s, &o);
	if (r == -EINVAL)
		return luaL_error(L, "start_tls: the connection is at its end (closing or past end of file)");
	if (r < 0) {
		laio_push_oserror(L, -r, "start_tls");
		return lua_error(L);
	}
	remember_session(L, 1, 2, 3);
	return handshake_wait(L);
}

/*
 * get_extra_info's TLS names for connection c (writer at index writer):
 * pushes the values and returns their count (0: nothing to tell), or -1
 * when name is not one of them.
 */
int laio_push_tls_extra(lua_State *L, struct l_conn *c, int writer, const char *name)
{
	SSL *ssl = c->s ? aio_stream_ssl(c->s) : NULL;
	if (ssl && c->accepted && !strcmp(name, "server_hostname")) {
		/* A server's end: the name the client asked for (SNI), if any. */
		const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
		if (!sni)
			return 0;
		lua_pushstring(L, sni);
		return 1;
	}
	if (!strcmp(name, "sslcontext") || !strcmp(name, "server_hostname")) {
		if (!ssl || lua_getfield(L, LUA_REGISTRYINDEX, TLS_STREAMS) != LUA_TTABLE)
			return 0;
		lua_getiuservalue(L, writer, 1);
		if (lua_rawget(L, -2) != LUA_TTABLE)
			return 0;
		lua_rawgeti(L, -1, name[1] == 's' ? 1 : 2);
		return lua_isnil(L, -1) ? 0 : 1;
	}
	if (!strcmp(name, "peercert")) {
		if (!ssl)
			return 0;
		laio_push_peercert(L, ssl);
		return 1;
	}
	if (!strcmp(name, "cipher")) {
		const SSL_CIPHER *cipher = ssl ? SSL_get_current_cipher(ssl) : NULL;
		if (!cipher)
			return 0;
		lua_pushstring(L, SSL_CIPHER_get_name(cipher));
		lua_pushstring(L, SSL_CIPHER_get_version(cipher));
		lua_pushinteger(L, SSL_CIPHER_get_bits(cipher, NULL));
		return 3;
	}
	if (!strcmp(name, "tls_version")) {
		if (!ssl || aio_stream_handshaking(c->s))
			return 0;
		lua_pushstring(L, SSL_get_version(ssl));
		return 1;
	}
	if (!strcmp(name, "alpn_protocol")) {
		const unsigned char *p;
		unsigned len = 0;
		if (ssl)
			SSL_get0_alpn_selected(ssl, &p, &len);
		if (!len)
			return 0;
		lua_pushlstring(L, (const char *)p, len);
		return 1;
	}
	return -1;
}
