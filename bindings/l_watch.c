/* l_watch.c -- aiod --watch: a reload when the script or a module from its folder changes */
#include "l_watch.h"
#include "l_loop.h"
#include "filewatch.h"

#include <string.h>

#define WATCH "asyncio.FileWatch"
#define WATCH_KEY "asyncio.filewatch"

/* An editor's save is several writes and renames: report it once. */
#define SETTLE 0.1

struct l_watch {
	struct aio_filewatch *w;
	struct l_loop *loop;
};

/* Calls the watch's function (its user value) on the loop's thread. */
static void files_changed(struct aio_filewatch *fw, void *udata)
{
	struct l_watch *lw = udata;
	lua_State *L = lw->loop->L;
	(void)fw;
	lua_getfield(L, LUA_REGISTRYINDEX, WATCH_KEY);
	lua_getiuservalue(L, -1, 1);
	lua_remove(L, -2);
	if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
		laio_report(L, "aiod: --watch:", -1);
		lua_pop(L, 1);
	}
}

static int l_watch_gc(lua_State *L)
{
	struct l_watch *lw = luaL_checkudata(L, 1, WATCH);
	aio_filewatch_free(lw->w);
	lw->w = NULL;
	return 0;
}

/* watch_files(paths, fn): from now on, fn() runs when one of paths
 * changes; the set replaces the one before. */
static int l_watch_files(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	struct l_loop *loop = laio_push_running_loop(L);
	lua_pop(L, 1);
	struct l_watch *lw;
	if (lua_getfield(L, LUA_REGISTRYINDEX, WATCH_KEY) == LUA_TUSERDATA) {
		lw = lua_touserdata(L, -1);
	} else {
		lua_pop(L, 1);
		lw = lua_newuserdatauv(L, sizeof *lw, 1);
		lw->w = NULL;
		lw->loop = loop;
		if (luaL_newmetatable(L, WATCH)) {
			lua_pushcfunction(L, l_watch_gc);
			lua_setfield(L, -2, "__gc");
		}
		lua_setmetatable(L, -2);
		int err;
		lw->w = aio_filewatch_new(loop->rt, SETTLE, files_changed, lw, &err);
		if (!lw->w)
			return luaL_error(L, "not enough memory");
		lua_pushvalue(L, -1);
		lua_setfield(L, LUA_REGISTRYINDEX, WATCH_KEY);
	}
	lua_pushvalue(L, 2);
	lua_setiuservalue(L, -2, 1);
	aio_filewatch_clear(lw->w);
	lua_Integer n = luaL_len(L, 1);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, 1, i);
		if (aio_filewatch_add(lw->w, luaL_checkstring(L, -1)) < 0)
			return luaL_error(L, "not enough memory");
		lua_pop(L, 1);
	}
	return 0;
}

const luaL_Reg laio_watch_functions[] = {
	{"watch_files", l_watch_files},
	{NULL, NULL}
};
