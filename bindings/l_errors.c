/* l_errors.c -- asyncio's error objects as seen from C (the classes are in asyncio.lua), and the report of an error that reaches the top */
#include "l_core.h"
#include "l_traceback.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void laio_push_error(lua_State *L, const char *cls, const char *msg)
{
	lua_getfield(L, LUA_REGISTRYINDEX, LAIO_ERRORS);
	lua_getfield(L, -1, cls);
	lua_remove(L, -2);
	lua_pushstring(L, msg ? msg : "");
	lua_call(L, 1, 1);
}

/* The class Python's OSError constructor picks for an errno. */
static const char *oserror_class(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "ConnectionRefusedError";
	case ECONNRESET:
		return "ConnectionResetError";
	case EPIPE:
	case ESHUTDOWN:
		return "BrokenPipeError";
	case ECONNABORTED:
		return "ConnectionError";
	case ENOENT:
		return "FileNotFoundError";
	case EACCES:
	case EPERM:
		return "PermissionError";
	case ETIMEDOUT:
		return "TimeoutError";
	default:
		return "OSError";
	}
}

void laio_push_oserror(lua_State *L, int err, const char *context)
{
	const char *text = strerror(err);
	if (context)
		lua_pushfstring(L, "[Errno %d] %s (%s)", err, text, context);
	else
		lua_pushfstring(L, "[Errno %d] %s", err, text);
	laio_push_error(L, oserror_class(err), lua_tostring(L, -1));
	lua_remove(L, -2);
	lua_pushinteger(L, err);
	lua_setfield(L, -2, "errno");
	lua_pushstring(L, text);
	lua_setfield(L, -2, "strerror");
}

int laio_raise(lua_State *L, const char *cls, const char *msg)
{
	laio_push_error(L, cls, msg);
	return lua_error(L);
}

int laio_is_error(lua_State *L, int idx, const char *cls)
{
	int found = 0;
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
		return 0;
	lua_getfield(L, LUA_REGISTRYINDEX, LAIO_ERRORS);
	lua_getfield(L, -1, cls);
	lua_replace(L, -2);
	/* Walk the class chain through each class's 'base' field. */
	for (int depth = 0; depth < 64 && lua_istable(L, -2); depth++) {
		if (lua_rawequal(L, -1, -2)) {
			found = 1;
			break;
		}
		lua_pushliteral(L, "base");
		lua_rawget(L, -3);
		lua_replace(L, -3);
	}
	lua_pop(L, 2);
	return found;
}

/* Message handler that turns any error into its text plus a traceback. */
int laio_traceback_handler(lua_State *L)
{
	const char *msg = luaL_tolstring(L, 1, NULL);
	laio_traceback(L, L, msg, 1);
	return 1;
}

void laio_report(lua_State *L, const char *what, int idx)
{
	const char *text = luaL_tolstring(L, idx, NULL);
	fprintf(stderr, "%s\n%s\n", what, text);
	fflush(stderr);
	lua_pop(L, 1);
}
