/* l_core.c -- the bindings' leaf: the module state, class making, weak tables, constants, argument checks */
#include "l_core.h"

#include <string.h>

#include "pool.h"

#define STATE_KEY "asyncio.state"

/*
 * The state is asked for on every task step and stream wake-up. On aiod's
 * own heap it sits beside the pool (found through lua_getallocf); under any
 * other allocator (asyncio.so in lua5.4) it is found by name in the registry.
 */
struct l_state *laio_new_state(lua_State *L)
{
	struct l_state *S = lua_newuserdatauv(L, sizeof *S, 0);
	memset(S, 0, sizeof *S);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, STATE_KEY);
	void *ud;
	if (lua_getallocf(L, &ud) == aio_pool_alloc)
		*aio_pool_user(ud) = S;
	/* luaL_ref keeps its free list's head in a registry slot of the array
	 * part, made on its first call: made now, before laio_anchor takes a
	 * slot past the border, which could be that one. */
	lua_pushboolean(L, 1);
	luaL_unref(L, LUA_REGISTRYINDEX, luaL_ref(L, LUA_REGISTRYINDEX));
	return S;
}

struct l_state *laio_state(lua_State *L)
{
	void *ud;
	if (lua_getallocf(L, &ud) == aio_pool_alloc)
		return *aio_pool_user(ud);
	lua_getfield(L, LUA_REGISTRYINDEX, STATE_KEY);
	struct l_state *S = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return S;
}

/*
 * [-1, +0] package.loaded[tname] = the method table on top (and
 * "<tname> metatable" = the metatable, for metamethods). A method called
 * without a name at the call site (pcall(fut.set_result, 1)) then raises
 * "bad argument #1 to 'asyncio.Future.set_result'": luaL_argerror's last
 * resort is to look the function up two levels deep in package.loaded, and
 * says '?' when that fails. Costs nothing until an error is raised.
 */
void laio_name_methods(lua_State *L, const char *tname)
{
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_insert(L, -2);
	lua_setfield(L, -2, tname);
	lua_pop(L, 1);
}

void laio_new_class(lua_State *L, const char *tname, int state,
		    const luaL_Reg *const methods[], const luaL_Reg *metamethods)
{
	luaL_newmetatable(L, tname);
	/* Sized once: grown a doubling at a time, the table of a class's
	 * dozens of methods is rebuilt several times at start-up. */
	int n = 0;
	for (const luaL_Reg *const *list = methods; *list; list++)
		for (const luaL_Reg *r = *list; r->name; r++)
			n++;
	lua_createtable(L, 0, n);
	for (; *methods; methods++) {
		lua_pushvalue(L, state);
		lua_pushvalue(L, -3);
		luaL_setfuncs(L, *methods, 2);
	}
	lua_pushvalue(L, -1);
	laio_name_methods(L, tname);
	lua_setfield(L, -2, "__index");
	luaL_setfuncs(L, metamethods, 0);
	lua_pushfstring(L, "%s metatable", tname);
	lua_pushvalue(L, -2);
	laio_name_methods(L, lua_tostring(L, -2));
	lua_pop(L, 2);
}

void *laio_checkself(lua_State *L, const char *tname)
{
	void *p = lua_touserdata(L, 1);
	if (p && lua_getmetatable(L, 1)) {
		/* Tables are equal only as the same object: no need of lua_rawequal's general case. */
		int same = lua_topointer(L, -1) == lua_topointer(L, lua_upvalueindex(2));
		lua_pop(L, 1);
		if (same)
			return p;
	}
	return luaL_checkudata(L, 1, tname);
}

/*
 * A new slot is the registry's first nil one after its border, as
 * luaL_ref's are. A released slot holds the next free one, an integer, as
 * in luaL_ref's own free list, but the list's head is kept in C: taking a
 * slot is one lookup, where luaL_ref makes three before it measures the
 * registry. Never nil, a released slot is no border for luaL_ref to land
 * on, nor are luaL_ref's for us.
 */
int laio_anchor(lua_State *L, struct l_state *S)
{
	int slot = S->anchor_free;
	if (slot) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, slot);
		S->anchor_free = (int)lua_tointeger(L, -1);
		lua_pop(L, 1);
	} else {
		slot = (int)lua_rawlen(L, LUA_REGISTRYINDEX) + 1;
	}
	lua_rawseti(L, LUA_REGISTRYINDEX, slot);
	return slot;
}

void laio_unanchor(lua_State *L, struct l_state *S, int *ref)
{
	/* As luaL_unref: no slot is no-op; taken into the free list, a
	 * negative one would later be handed out as an anchor. */
	if (*ref < 0)
		return;
	lua_pushinteger(L, S->anchor_free);
	lua_rawseti(L, LUA_REGISTRYINDEX, *ref);
	S->anchor_free = *ref;
	*ref = LUA_NOREF;
}

void laio_push_weak_table(lua_State *L, const char *key, const char *mode)
{
	if (lua_getfield(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE)
		return;
	lua_pop(L, 1);
	lua_newtable(L);
	lua_createtable(L, 0, 1);
	lua_pushstring(L, mode);
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, key);
}

void laio_set_constants(lua_State *L, const struct laio_constant *c)
{
	for (; c->name; c++) {
		lua_pushinteger(L, c->value);
		lua_setfield(L, -2, c->name);
	}
}

int laio_check_callable(lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TFUNCTION) {
		if (luaL_getmetafield(L, idx, "__call") == LUA_TNIL)
			return luaL_typeerror(L, idx, "function");
		lua_pop(L, 1);
	}
	return idx;
}

lua_Number laio_check_time(lua_State *L, int idx)
{
	lua_Number x = luaL_checknumber(L, idx);
	if (x != x)
		luaL_argerror(L, idx, "number expected, got NaN");
	return x;
}
