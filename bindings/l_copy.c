/* l_copy.c -- copying Lua values between Lua states: nil, booleans, numbers, strings and tables of these, cycles kept */
#include "l_copy.h"

#include <stdint.h>
#include <string.h>

/*
 * The bytes: each value is a tag and its payload. A table is 'T', its
 * keys and values in pairs, then 'e'; a table met again is 'r' and the
 * number of its first appearance, so shared tables and cycles survive.
 */
enum { T_NIL = 'n', T_FALSE = 'f', T_TRUE = 't', T_INT = 'i', T_FLOAT = 'd',
       T_STRING = 's', T_TABLE = 'T', T_END = 'e', T_REF = 'r' };

static void put(lua_State *L, struct aio_buf *b, const void *p, size_t n)
{
	if (aio_buf_append(b, p, n) < 0)
		luaL_error(L, "not enough memory");
}

static void put_tag(lua_State *L, struct aio_buf *b, char tag)
{
	put(L, b, &tag, 1);
}

/* seen: index of a table mapping each table met to its number. */
static void encode_value(lua_State *L, int idx, struct aio_buf *b, int seen, int depth)
{
	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		put_tag(L, b, T_NIL);
		return;
	case LUA_TBOOLEAN:
		put_tag(L, b, lua_toboolean(L, idx) ? T_TRUE : T_FALSE);
		return;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			lua_Integer i = lua_tointeger(L, idx);
			put_tag(L, b, T_INT);
			put(L, b, &i, sizeof i);
		} else {
			lua_Number d = lua_tonumber(L, idx);
			put_tag(L, b, T_FLOAT);
			put(L, b, &d, sizeof d);
		}
		return;
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);
		put_tag(L, b, T_STRING);
		put(L, b, &len, sizeof len);
		put(L, b, s, len);
		return;
	}
	case LUA_TTABLE:
		break;
	default:
		luaL_error(L, "cannot copy a %s to another Lua state", luaL_typename(L, idx));
	}
	if (depth > 200)
		luaL_error(L, "cannot copy tables nested more than 200 deep");
	luaL_checkstack(L, 6, "copying a table");
	lua_pushvalue(L, idx);
	if (lua_rawget(L, seen) == LUA_TNUMBER) {
		uint32_t ref = (uint32_t)lua_tointeger(L, -1);
		lua_pop(L, 1);
		put_tag(L, b, T_REF);
		put(L, b, &ref, sizeof ref);
		return;
	}
	lua_pop(L, 1);
	lua_pushvalue(L, idx);
	lua_pushinteger(L, (lua_Integer)luaL_len(L, seen) + 1);
	lua_pushvalue(L, -2);
	lua_rawseti(L, seen, lua_tointeger(L, -2));	/* seen[n] = t: counts them */
	lua_rawset(L, seen);				/* seen[t] = n */
	put_tag(L, b, T_TABLE);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		encode_value(L, -2, b, seen, depth + 1);
		encode_value(L, -1, b, seen, depth + 1);
		lua_pop(L, 1);
	}
	put_tag(L, b, T_END);
}

void laio_encode(lua_State *L, int first, int n, struct aio_buf *b)
{
	first = lua_absindex(L, first);
	uint32_t count = (uint32_t)n;
	put(L, b, &count, sizeof count);
	lua_newtable(L);
	int seen = lua_gettop(L);
	for (int i = 0; i < n; i++)
		encode_value(L, first + i, b, seen, 0);
	lua_pop(L, 1);
}

int laio_encode_string(struct aio_buf *b, const char *s)
{
	uint32_t count = 1;
	size_t len = strlen(s);
	char tag = T_STRING;
	if (aio_buf_append(b, &count, sizeof count) < 0 || aio_buf_append(b, &tag, 1) < 0 ||
	    aio_buf_append(b, &len, sizeof len) < 0 || aio_buf_append(b, s, len) < 0)
		return -1;
	return 0;
}

struct reader {
	const char *p;
	const char *end;
};

static void take(lua_State *L, struct reader *r, void *out, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		luaL_error(L, "corrupt copy of Lua values");
	memcpy(out, r->p, n);
	r->p += n;
}

static int decode_value(lua_State *L, struct reader *r, int tables)
{
	char tag;
	take(L, r, &tag, 1);
	luaL_checkstack(L, 4, "copying a table");
	switch (tag) {
	case T_NIL:
		lua_pushnil(L);
		break;
	case T_FALSE:
	case T_TRUE:
		lua_pushboolean(L, tag == T_TRUE);
		break;
	case T_INT: {
		lua_Integer i;
		take(L, r, &i, sizeof i);
		lua_pushinteger(L, i);
		break;
	}
	case T_FLOAT: {
		lua_Number d;
		take(L, r, &d, sizeof d);
		lua_pushnumber(L, d);
		break;
	}
	case T_STRING: {
		size_t len;
		take(L, r, &len, sizeof len);
		if ((size_t)(r->end - r->p) < len)
			luaL_error(L, "corrupt copy of Lua values");
		lua_pushlstring(L, r->p, len);
		r->p += len;
		break;
	}
	case T_REF: {
		uint32_t ref;
		take(L, r, &ref, sizeof ref);
		lua_rawgeti(L, tables, ref);
		break;
	}
	case T_TABLE:
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_rawseti(L, tables, (lua_Integer)luaL_len(L, tables) + 1);
		while (decode_value(L, r, tables)) {
			decode_value(L, r, tables);
			lua_rawset(L, -3);
		}
		break;
	case T_END:
		return 0;
	default:
		luaL_error(L, "corrupt copy of Lua values");
	}
	return 1;
}

int laio_decode(lua_State *L, const char *p, size_t len)
{
	struct reader r = {p, p + len};
	uint32_t count;
	take(L, &r, &count, sizeof count);
	luaL_checkstack(L, (int)count + 2, "too many values to copy");
	lua_newtable(L);
	int tables = lua_gettop(L);
	for (uint32_t i = 0; i < count; i++)
		if (!decode_value(L, &r, tables))
			luaL_error(L, "corrupt copy of Lua values");
	lua_remove(L, tables);
	return (int)count;
}
