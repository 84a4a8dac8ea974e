/* l_traceback.c -- tracebacks as luaL_traceback writes them, without searching package.loaded once per frame */
#include "l_traceback.h"

#include <string.h>

#include "l_core.h"
#include "l_loop.h"
#include "loop.h"

/*
 * luaL_traceback names each frame's function by first looking for it two
 * levels deep in package.loaded (so a library function reads "function
 * 'string.format'"): a walk over every loaded module's fields per frame,
 * some 70,000 instructions in aiod. An error object takes its traceback
 * when it is made, so one cost half a million instructions in a connection
 * handler, and cancelling 10,000 tasks took 4 times as long as in Python.
 * Here one walk builds a map from function to name, in the same order (the
 * first name found wins, "_G." dropped), and the map serves the rest of the
 * loop's turn: a function put into a module during that turn, after the
 * map was made, goes unnamed in tracebacks until the next turn.
 */

#define NAMES_KEY "asyncio.traceback names"	/* registry: {map, turn}, map weak */
#define LEVELS_HEAD 10	/* a long stack shows its first frames ... */
#define LEVELS_TAIL 11	/* ... and its last ones, as luaL_traceback does */

/* [-2, +0] map[value at -1] = name at -2 unless the value has a name already. */
static void add_name(lua_State *L, int map)
{
	const char *name = lua_tostring(L, -2);
	if (strncmp(name, LUA_GNAME ".", 3) == 0) {
		lua_pushstring(L, name + 3);
		lua_replace(L, -3);
	}
	lua_pushvalue(L, -1);
	if (lua_rawget(L, map) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_insert(L, -2);
		lua_rawset(L, map);
	} else {
		lua_pop(L, 3);
	}
}

/* [-0, +1] The map from each function of package.loaded to its name. */
static void build_names(lua_State *L)
{
	lua_newtable(L);
	int map = lua_gettop(L);
	lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	int loaded = map + 1;
	lua_pushnil(L);
	while (lua_next(L, loaded)) {
		if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION) {
			lua_pushvalue(L, -2);
			lua_pushvalue(L, -2);
			add_name(L, map);
		} else if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TTABLE) {
			int mod = lua_gettop(L);
			lua_pushnil(L);
			while (lua_next(L, mod)) {
				if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION) {
					lua_pushfstring(L, "%s.%s", lua_tostring(L, mod - 1),
							lua_tostring(L, -2));
					lua_pushvalue(L, -2);
					add_name(L, map);
				}
				lua_pop(L, 1);
			}
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/*
 * [-0, +1] The names map, made again when the loop's turn has moved on.
 * The cache is held weakly: a collection drops it (it is some 16 KiB),
 * so an error now and then leaves nothing behind.
 */
static void push_names(lua_State *L)
{
	struct l_state *S = laio_state(L);
	lua_Integer turn = S && S->running && S->running->rt
		? (lua_Integer)aio_loop_turns(S->running->rt) + 1 : 0;
	if (!turn) {
		build_names(L);
		return;
	}
	laio_push_weak_table(L, NAMES_KEY, "v");
	int holder = lua_gettop(L);
	if (lua_rawgeti(L, holder, 2) == LUA_TNUMBER && lua_tointeger(L, -1) == turn &&
	    lua_rawgeti(L, holder, 1) == LUA_TTABLE) {
		lua_replace(L, holder);
		lua_settop(L, holder);
		return;
	}
	lua_settop(L, holder);
	build_names(L);
	lua_pushvalue(L, -1);
	lua_rawseti(L, holder, 1);
	lua_pushinteger(L, turn);
	lua_rawseti(L, holder, 2);
	lua_replace(L, holder);
}

/* The deepest level of L1's stack (a binary search over lua_getstack). */
static int last_level(lua_State *L1)
{
	lua_Debug ar;
	int below = 1, above = 1;
	while (lua_getstack(L1, above, &ar)) {
		below = above;
		above *= 2;
	}
	while (below < above) {
		int mid = (below + above) / 2;
		if (lua_getstack(L1, mid, &ar))
			below = mid + 1;
		else
			above = mid;
	}
	return above - 1;
}

/* [-0, +1] How a frame's function is called in a traceback. */
static void push_function_name(lua_State *L, lua_State *L1, lua_Debug *ar, int map)
{
	lua_getinfo(L1, "f", ar);
	if (L1 != L)
		lua_xmove(L1, L, 1);
	if (lua_rawget(L, map) == LUA_TSTRING) {
		lua_pushfstring(L, "function '%s'", lua_tostring(L, -1));
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	if (*ar->namewhat)
		lua_pushfstring(L, "%s '%s'", ar->namewhat, ar->name);
	else if (*ar->what == 'm')
		lua_pushliteral(L, "main chunk");
	else if (*ar->what != 'C')
		lua_pushfstring(L, "function <%s:%d>", ar->short_src, ar->linedefined);
	else
		lua_pushliteral(L, "?");
}

void laio_traceback(lua_State *L, lua_State *L1, const char *msg, int level)
{
	luaL_checkstack(L, 8, "no room for a traceback");
	if (L1 != L && !lua_checkstack(L1, 1))
		luaL_error(L, "no room for a traceback");
	push_names(L);
	int map = lua_gettop(L);
	int last = last_level(L1);
	int head = last - level > LEVELS_HEAD + LEVELS_TAIL ? LEVELS_HEAD : -1;
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	if (msg) {
		luaL_addstring(&b, msg);
		luaL_addchar(&b, '\n');
	}
	luaL_addstring(&b, "stack traceback:");
	lua_Debug ar;
	while (lua_getstack(L1, level++, &ar)) {
		if (head-- == 0) {
			int skip = last - level - LEVELS_TAIL + 1;
			lua_pushfstring(L, "\n\t...\t(skipping %d levels)", skip);
			luaL_addvalue(&b);
			level += skip;
			continue;
		}
		lua_getinfo(L1, "Slnt", &ar);
		if (ar.currentline <= 0)
			lua_pushfstring(L, "\n\t%s: in ", ar.short_src);
		else
			lua_pushfstring(L, "\n\t%s:%d: in ", ar.short_src, ar.currentline);
		luaL_addvalue(&b);
		push_function_name(L, L1, &ar, map);
		luaL_addvalue(&b);
		if (ar.istailcall)
			luaL_addstring(&b, "\n\t(...tail calls...)");
	}
	luaL_pushresult(&b);
	lua_remove(L, map);
}

int laio_l_traceback(lua_State *L)
{
	int arg = lua_isthread(L, 1);
	lua_State *L1 = arg ? lua_tothread(L, 1) : L;
	const char *msg = lua_tostring(L, arg + 1);
	if (!msg && !lua_isnoneornil(L, arg + 1))
		lua_pushvalue(L, arg + 1);
	else
		laio_traceback(L, L1, msg, (int)luaL_optinteger(L, arg + 2, L1 == L ? 1 : 0));
	return 1;
}
