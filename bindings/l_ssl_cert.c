/* l_ssl_cert.c -- certificates as Lua values: Python's getpeercert() dict */
#include "l_tls.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* [-0, +1] An ASN1 string as UTF-8. */
static void push_asn1_string(lua_State *L, const ASN1_STRING *s)
{
	unsigned char *utf8 = NULL;
	int len = ASN1_STRING_to_UTF8(&utf8, s);
	if (len < 0) {
		ERR_clear_error();
		lua_pushstring(L, "<invalid>");
		return;
	}
	lua_pushlstring(L, (const char *)utf8, (size_t)len);
	OPENSSL_free(utf8);
}

/* [-0, +1] An object's long name ("commonName"), or its dotted form. */
static void push_object_name(lua_State *L, const ASN1_OBJECT *o)
{
	char buf[128];
	int len = OBJ_obj2txt(buf, sizeof buf, o, 0);
	lua_pushlstring(L, buf, len > 0 ? ((size_t)len < sizeof buf ? (size_t)len : sizeof buf - 1) : 0);
}

/* [-0, +1] A name as Python gives it: a sequence of RDNs, each a sequence
 * of {attribute, value} pairs (entries of one multi-valued RDN share a set). */
static void push_name(lua_State *L, const X509_NAME *name)
{
	int n = X509_NAME_entry_count(name), rdns = 0, last_set = -1;
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		int set = X509_NAME_ENTRY_set(e);
		if (set != last_set) {
			if (rdns > 0)
				lua_rawseti(L, -2, rdns);
			lua_newtable(L);
			rdns++;
			last_set = set;
		}
		lua_createtable(L, 2, 0);
		push_object_name(L, X509_NAME_ENTRY_get_object(e));
		lua_rawseti(L, -2, 1);
		push_asn1_string(L, X509_NAME_ENTRY_get_data(e));
		lua_rawseti(L, -2, 2);
		lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	}
	if (rdns > 0)
		lua_rawseti(L, -2, rdns);
}

/* [-0, +1] What print wrote into a memory BIO (freed here), or nil. */
static void push_printed(lua_State *L, int (*print)(BIO *, const void *), const void *what)
{
	char buf[256];
	int len = -1;
	BIO *b = BIO_new(BIO_s_mem());
	if (b && print(b, what) > 0)
		len = BIO_read(b, buf, sizeof buf);
	BIO_free(b);
	ERR_clear_error();
	if (len < 0)
		lua_pushnil(L);
	else
		lua_pushlstring(L, buf, (size_t)len);
}

static int print_integer(BIO *b, const void *v)
{
	return i2a_ASN1_INTEGER(b, v);
}

static int print_time(BIO *b, const void *v)
{
	return ASN1_TIME_print(b, v);
}

/* [-0, +1] An IP SAN as Python 3.11 prints it (IPv6: eight %X groups). */
static void push_ip(lua_State *L, const ASN1_OCTET_STRING *ip)
{
	const unsigned char *p = ASN1_STRING_get0_data(ip);
	int len = ASN1_STRING_length(ip);
	if (len == 4) {
		lua_pushfstring(L, "%d.%d.%d.%d", p[0], p[1], p[2], p[3]);
	} else if (len == 16) {
		char buf[48];
		snprintf(buf, sizeof buf, "%X:%X:%X:%X:%X:%X:%X:%X",
			 p[0] << 8 | p[1], p[2] << 8 | p[3], p[4] << 8 | p[5], p[6] << 8 | p[7],
			 p[8] << 8 | p[9], p[10] << 8 | p[11], p[12] << 8 | p[13], p[14] << 8 | p[15]);
		lua_pushstring(L, buf);
	} else {
		lua_pushliteral(L, "<invalid>");
	}
}

/* [-0, +1] One general name as Python's {type, value} pair. */
static void push_general_name(lua_State *L, const GENERAL_NAME *g)
{
	int type;
	const void *value = GENERAL_NAME_get0_value(g, &type);
	lua_createtable(L, 2, 0);
	switch (type) {
	case GEN_DNS:
	case GEN_EMAIL:
	case GEN_URI:
		lua_pushstring(L, type == GEN_DNS ? "DNS" : type == GEN_EMAIL ? "email" : "URI");
		push_asn1_string(L, value);
		break;
	case GEN_IPADD:
		lua_pushliteral(L, "IP Address");
		push_ip(L, value);
		break;
	case GEN_DIRNAME:
		lua_pushliteral(L, "DirName");
		push_name(L, value);
		break;
	case GEN_RID:
		lua_pushliteral(L, "Registered ID");
		push_object_name(L, value);
		break;
	default:
		lua_pushstring(L, type == GEN_OTHERNAME ? "othername" : type == GEN_X400 ? "X400Name" : "EdiPartyName");
		lua_pushliteral(L, "<unsupported>");
	}
	lua_rawseti(L, -3, 2);
	lua_rawseti(L, -2, 1);
}

/* Sets field subjectAltName of the table on top, when the certificate has one. */
static void set_alt_names(lua_State *L, X509 *x)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (!names) {
		ERR_clear_error();
		return;
	}
	int n = sk_GENERAL_NAME_num(names);
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		push_general_name(L, sk_GENERAL_NAME_value(names, i));
		lua_rawseti(L, -2, i + 1);
	}
	GENERAL_NAMES_free(names);
	lua_setfield(L, -2, "subjectAltName");
}

/* [-0, +0] Appends the URI to the sequence field of the table on top. */
static void add_uri(lua_State *L, const char *field, const GENERAL_NAME *g)
{
	int type;
	const void *value = GENERAL_NAME_get0_value(g, &type);
	if (type != GEN_URI)
		return;
	if (lua_getfield(L, -1, field) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, -3, field);
	}
	push_asn1_string(L, value);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	lua_pop(L, 1);
}

/* Fields OCSP, caIssuers (authority information access) and
 * crlDistributionPoints of the table on top, when the certificate has them. */
static void set_uris(lua_State *L, X509 *x)
{
	AUTHORITY_INFO_ACCESS *info = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
	for (int i = 0; info && i < sk_ACCESS_DESCRIPTION_num(info); i++) {
		const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(info, i);
		int nid = OBJ_obj2nid(ad->method);
		if (nid == NID_ad_OCSP || nid == NID_ad_ca_issuers)
			add_uri(L, nid == NID_ad_OCSP ? "OCSP" : "caIssuers", ad->location);
	}
	AUTHORITY_INFO_ACCESS_free(info);
	CRL_DIST_POINTS *points = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	for (int i = 0; points && i < sk_DIST_POINT_num(points); i++) {
		const DIST_POINT *dp = sk_DIST_POINT_value(points, i);
		if (!dp->distpoint || dp->distpoint->type != 0)
			continue;
		const GENERAL_NAMES *full = dp->distpoint->name.fullname;
		for (int j = 0; j < sk_GENERAL_NAME_num(full); j++)
			add_uri(L, "crlDistributionPoints", sk_GENERAL_NAME_value(full, j));
	}
	CRL_DIST_POINTS_free(points);
	ERR_clear_error();
}

/* [-0, +1] Python's _decode_certificate: the dict of getpeercert(). */
static void push_cert(lua_State *L, X509 *x)
{
	lua_createtable(L, 0, 8);
	push_name(L, X509_get_subject_name(x));
	lua_setfield(L, -2, "subject");
	push_name(L, X509_get_issuer_name(x));
	lua_setfield(L, -2, "issuer");
	lua_pushinteger(L, X509_get_version(x) + 1);
	lua_setfield(L, -2, "version");
	push_printed(L, print_integer, X509_get0_serialNumber(x));
	lua_setfield(L, -2, "serialNumber");
	push_printed(L, print_time, X509_get0_notBefore(x));
	lua_setfield(L, -2, "notBefore");
	push_printed(L, print_time, X509_get0_notAfter(x));
	lua_setfield(L, -2, "notAfter");
	set_alt_names(L, x);
	set_uris(L, x);
}

void laio_push_peercert(lua_State *L, SSL *ssl)
{
	X509 *x = SSL_get0_peer_certificate(ssl);
	if (!x)
		lua_pushnil(L);
	else if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) == 0 || SSL_get_verify_result(ssl) != X509_V_OK)
		lua_newtable(L);	/* Python's {} for a certificate nobody verified */
	else
		push_cert(L, x);
}

/* _decode_cert_file(path): the dict of a PEM certificate file, for tests
 * to compare with Python's ssl._ssl._test_decode_cert. */
int laio_decode_cert_file(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	BIO *b = BIO_new_file(path, "r");
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (!x)
		return laio_ssl_raise_file_error(L, "cannot load certificate file", path, NULL, NULL);
	ERR_clear_error();
	push_cert(L, x);
	X509_free(x);
	return 1;
}
