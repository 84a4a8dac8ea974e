/* l_http_response.c -- what a finished transfer tells: status, headers, url, version, or its error as asyncio's classes */
#include "l_http.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/x509_vfy.h>
#include <string.h>

/* The field value without the blanks around it. */
static void trim(const char **p, const char **end)
{
	while (*p < *end && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*end > *p && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
		(*end)--;
}

/* [-0, +0] headers[name] = value, or its old value .. ", " .. value. */
static void add_field(lua_State *L, int headers, const char *name, size_t nlen,
		      const char *value, size_t vlen)
{
	char lower[256];
	if (nlen == 0 || nlen >= sizeof lower)
		return;
	for (size_t i = 0; i < nlen; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lua_pushlstring(L, lower, nlen);
	lua_pushvalue(L, -1);
	if (lua_rawget(L, headers) == LUA_TSTRING) {
		lua_pushliteral(L, ", ");
		lua_pushlstring(L, value, vlen);
		lua_concat(L, 3);
	} else {
		lua_pop(L, 1);
		lua_pushlstring(L, value, vlen);
	}
	lua_rawset(L, headers);
}

/* [-0, +1] The headers table of a block "HTTP/1.1 200 OK\r\nName: v\r\n...". */
static void push_headers(lua_State *L, const char *p, size_t len)
{
	const char *end = p + len;
	lua_createtable(L, 0, 8);
	int headers = lua_gettop(L);
	const char *nl = memchr(p, '\n', len);
	p = nl ? nl + 1 : end;	/* past the status line */
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		if (colon) {
			const char *v = colon + 1, *vend = eol;
			trim(&v, &vend);
			add_field(L, headers, p, (size_t)(colon - p), v, (size_t)(vend - v));
		}
		p = nl ? nl + 1 : end;
	}
}

int laio_http_parse_headers(lua_State *L)
{
	size_t len;
	const char *raw = luaL_checklstring(L, 1, &len);
	push_headers(L, raw, len);
	return 1;
}

static void push_version(lua_State *L, long v)
{
	switch (v) {
	case CURL_HTTP_VERSION_1_0: lua_pushliteral(L, "1.0"); break;
	case CURL_HTTP_VERSION_1_1: lua_pushliteral(L, "1.1"); break;
	case CURL_HTTP_VERSION_2_0: lua_pushliteral(L, "2"); break;
	case CURL_HTTP_VERSION_3: lua_pushliteral(L, "3"); break;
	default: lua_pushnil(L); break;
	}
}

int laio_http_info(lua_State *L)
{
	struct l_http_xfer *lx = laio_check_xfer(L, 1);
	if (!lx->x)
		return luaL_error(L, "the response is closed");
	long status = 0, version = 0;
	char *url = NULL;
	curl_easy_getinfo(lx->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(lx->easy, CURLINFO_HTTP_VERSION, &version);
	curl_easy_getinfo(lx->easy, CURLINFO_EFFECTIVE_URL, &url);
	const struct aio_buf *h = aio_curl_headers(lx->x);
	lua_pushinteger(L, status);
	push_headers(L, aio_buf_peek(h), aio_buf_len(h));
	lua_pushlstring(L, aio_buf_peek(h), aio_buf_len(h));
	lua_pushstring(L, url);
	push_version(L, version);
	return 5;
}

/* [-0, +1] HTTPError (or cls) with curl's message and its code. */
static void push_curl_error(lua_State *L, struct l_http_xfer *lx, const char *cls, CURLcode rc)
{
	const char *msg = lx->x ? aio_curl_error(lx->x) : "";
	if (!msg || !*msg)
		msg = lx->errbuf[0] ? lx->errbuf : curl_easy_strerror(rc);
	laio_push_error(L, cls, msg);
	lua_pushinteger(L, rc);
	lua_setfield(L, -2, "curl_code");
}

/* A certificate that failed: the TLS module's error, verify_code and
 * verify_message as asyncio.ssl gives them. 0 when that module is not
 * loaded yet. */
static int push_verify_error(lua_State *L, struct l_http_xfer *lx)
{
	if (!laio_tls)
		return 0;
	long verify = X509_V_OK;
	char *url = NULL;
	curl_easy_getinfo(lx->easy, CURLINFO_SSL_VERIFYRESULT, &verify);
	curl_easy_getinfo(lx->easy, CURLINFO_EFFECTIVE_URL, &url);
	/* libcurl checks the host name itself, after OpenSSL verified the
	 * chain, and leaves X509_V_OK or X509_V_ERR_UNSPECIFIED: its message
	 * tells the name's mismatch ("... match target host name ..."). */
	const char *msg = aio_curl_error(lx->x);
	if (verify == X509_V_OK || (verify == X509_V_ERR_UNSPECIFIED && msg && strstr(msg, "target host name")))
		verify = X509_V_ERR_HOSTNAME_MISMATCH;
	CURLU *u = curl_url();
	char *host = NULL;
	if (u && url && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
		curl_url_get(u, CURLUPART_HOST, &host, 0);
	struct aio_tls_failure f = {0, verify, 0};
	laio_tls->push_error(L, &f, host);
	curl_free(host);
	curl_url_cleanup(u);
	return 1;
}

int laio_http_error(lua_State *L)
{
	struct l_http_xfer *lx = laio_check_xfer(L, 1);
	if (!lx->x) {
		laio_push_error(L, "HTTPError", lx->pool_closed ? "the Session was closed"
				: "the response was closed");
		return 1;
	}
	CURLcode rc = aio_curl_result(lx->x);
	if (aio_curl_too_big(lx->x)) {
		lua_pushfstring(L, "the response body is larger than max_body (%I bytes)",
				(lua_Integer)lx->max_body);
		laio_push_error(L, "HTTPError", lua_tostring(L, -1));
		return 1;
	}
	long os_errno = 0;
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(lx->easy, CURLINFO_OS_ERRNO, &os_errno);
		if (os_errno == ECONNREFUSED) {
			laio_push_oserror(L, ECONNREFUSED, aio_curl_error(lx->x));
			return 1;
		}
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		push_curl_error(L, lx, "OSError", rc);
		return 1;
	case CURLE_OPERATION_TIMEDOUT:
		push_curl_error(L, lx, "TimeoutError", rc);
		return 1;
	case CURLE_PEER_FAILED_VERIFICATION:
		return push_verify_error(L, lx);
	default:
		break;
	}
	push_curl_error(L, lx, "HTTPError", rc);
	return 1;
}
