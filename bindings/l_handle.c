/* l_handle.c -- asyncio.Handle: a callback scheduled on the loop, now or at a time */
#include "l_handle.h"

/* User values: the function, its arguments, then the loop (kept alive). */
struct l_handle {
	struct aio_timer timer;	/* its call is the ready-queue node */
	struct l_loop *loop;
	int ref;		/* anchored while scheduled */
	int nargs;
	unsigned char cancelled;
	unsigned char timed;
};

static void drop(lua_State *L, struct l_handle *h)
{
	laio_unanchor(L, h->loop->S, &h->ref);
}

static void handle_run(struct aio_call *call)
{
	struct l_handle *h = aio_container_of(call, struct l_handle, timer.call);
	lua_State *L = h->loop->L;
	int top = lua_gettop(L);
	lua_pushcfunction(L, laio_traceback_handler);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->ref);
	drop(L, h);
	int ud = lua_gettop(L);
	luaL_checkstack(L, h->nargs + 1, "too many arguments");
	for (int i = 1; i <= h->nargs + 1; i++)
		lua_getiuservalue(L, ud, i);
	if (lua_pcall(L, h->nargs, 0, top + 1) != LUA_OK)
		laio_report(L, "Exception in callback:", -1);
	lua_settop(L, top);
}

/* [-(nargs+1), +1]: fn and its arguments become a new Handle on the loop
 * at loop_idx, anchored until it runs or is cancelled. */
static struct l_handle *new_handle(lua_State *L, int loop_idx, int nargs)
{
	struct l_loop *loop = lua_touserdata(L, loop_idx);
	loop_idx = lua_absindex(L, loop_idx);
	if (nargs > LAIO_MAX_USER_VALUES - 2)
		luaL_error(L, "too many arguments (more than %d)", LAIO_MAX_USER_VALUES - 2);
	struct l_handle *h = lua_newuserdatauv(L, sizeof *h, nargs + 2);
	aio_timer_init(&h->timer);
	h->loop = loop;
	h->nargs = nargs;
	h->cancelled = 0;
	h->timed = 0;
	luaL_setmetatable(L, LAIO_HANDLE);
	lua_pushvalue(L, loop_idx);
	lua_setiuservalue(L, -2, nargs + 2);
	lua_insert(L, -nargs - 2);
	for (int i = nargs + 1; i >= 1; i--)
		lua_setiuservalue(L, -(i + 1), i);
	lua_pushvalue(L, -1);
	h->ref = laio_anchor(L, loop->S);
	return h;
}

int laio_handle_drop(lua_State *L, struct aio_call *call)
{
	if (call->fn != handle_run)
		return 0;
	struct l_handle *h = aio_container_of(call, struct l_handle, timer.call);
	drop(L, h);
	return 1;
}

void laio_call_soon(lua_State *L, int loop_idx, int nargs)
{
	/* A Future of a closed loop still takes callbacks; as in Python,
	 * scheduling them is the error. */
	if (!((struct l_loop *)lua_touserdata(L, loop_idx))->rt)
		luaL_error(L, "Event loop is closed");
	struct l_handle *h = new_handle(L, loop_idx, nargs);
	aio_call_soon(h->loop->rt, &h->timer.call, handle_run);
	lua_pop(L, 1);
}



/* loop:call_soon(fn, ...) */
int laio_loop_call_soon(lua_State *L)
{
	struct l_loop *loop = laio_check_open_loop(L, 1);
	laio_check_callable(L, 2);
	struct l_handle *h = new_handle(L, 1, lua_gettop(L) - 2);
	aio_call_soon(loop->rt, &h->timer.call, handle_run);
	return 1;
}

static int schedule_at(lua_State *L, struct l_loop *loop, lua_Number when)
{
	laio_check_callable(L, 3);
	lua_remove(L, 2);
	struct l_handle *h = new_handle(L, 1, lua_gettop(L) - 2);
	h->timed = 1;
	if (aio_timer_start(loop->rt, &h->timer, when, handle_run)) {
		drop(L, h);
		return luaL_error(L, "not enough memory");
	}
	return 1;
}

/* loop:call_later(delay, fn, ...) */
int laio_loop_call_later(lua_State *L)
{
	struct l_loop *loop = laio_check_open_loop(L, 1);
	lua_Number delay = laio_check_time(L, 2);
	return schedule_at(L, loop, aio_loop_time(loop->rt) + delay);
}

/* loop:call_at(when, fn, ...) */
int laio_loop_call_at(lua_State *L)
{
	struct l_loop *loop = laio_check_open_loop(L, 1);
	return schedule_at(L, loop, laio_check_time(L, 2));
}

static int l_handle_cancel(lua_State *L)
{
	struct l_handle *h = luaL_checkudata(L, 1, LAIO_HANDLE);
	if (h->cancelled)
		return 0;
	h->cancelled = 1;
	if (h->ref != LUA_NOREF) {
		if (h->loop->rt)
			aio_timer_stop(h->loop->rt, &h->timer);
		drop(L, h);
	}
	for (int i = 1; i <= h->nargs + 1; i++) {	/* the loop stays */
		lua_pushnil(L);
		lua_setiuservalue(L, 1, i);
	}
	return 0;
}

static int l_handle_cancelled(lua_State *L)
{
	struct l_handle *h = luaL_checkudata(L, 1, LAIO_HANDLE);
	lua_pushboolean(L, h->cancelled);
	return 1;
}

static int l_handle_when(lua_State *L)
{
	struct l_handle *h = luaL_checkudata(L, 1, LAIO_HANDLE);
	if (!h->timed)
		return luaL_error(L, "when() is only for handles of call_later and call_at");
	lua_pushnumber(L, h->timer.when);
	return 1;
}

static int l_handle_tostring(lua_State *L)
{
	struct l_handle *h = luaL_checkudata(L, 1, LAIO_HANDLE);
	lua_pushfstring(L, "<%s%s>", h->timed ? "TimerHandle" : "Handle",
			h->cancelled ? " cancelled" : "");
	return 1;
}

static const luaL_Reg handle_methods[] = {
	{"cancel", l_handle_cancel},
	{"cancelled", l_handle_cancelled},
	{"when", l_handle_when},
	{NULL, NULL}
};

void laio_open_handle(lua_State *L, int state)
{
	static const luaL_Reg *const methods[] = {handle_methods, NULL};
	static const luaL_Reg metamethods[] = {
		{"__tostring", l_handle_tostring},
		{NULL, NULL}
	};
	laio_new_class(L, LAIO_HANDLE, state, methods, metamethods);
}
