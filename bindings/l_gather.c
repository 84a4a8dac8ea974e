/* l_gather.c -- asyncio.gather: one future over many, as CPython's _GatheringFuture */
#include "l_gather.h"
#include "l_task.h"

#define STATE(L) ((struct l_state *)lua_touserdata(L, lua_upvalueindex(1)))

/* User values: the children (a sequence, repeats kept), the outer future. */
struct l_gather {
	struct l_future *outer;	/* as GV_OUTER */
	int nchildren;
	int nfuts;		/* distinct children */
	int nfinished;
	unsigned mark;		/* stamps children already counted */
	int due;		/* runs of child_done scheduled, not run yet */
	unsigned char return_exceptions;
	unsigned char cancel_requested;
};

enum { GV_CHILDREN = 1, GV_OUTER, GV_COUNT = GV_OUTER };

static int cancel_children(lua_State *L);

int laio_push_gather_children(lua_State *L, int idx)
{
	laio_get_extra(L, idx, "cancel_handler");
	if (lua_tocfunction(L, -1) != cancel_children) {
		lua_pop(L, 1);
		return 0;
	}
	lua_getupvalue(L, -1, 1);
	lua_getiuservalue(L, -1, GV_CHILDREN);
	lua_replace(L, -3);
	lua_pop(L, 1);
	return 1;
}

/* [-0, +1]: a child's place in the result list. */
static void push_outcome(lua_State *L, int child)
{
	struct l_future *f = lua_touserdata(L, child);
	if (f->state == FUT_CANCELLED) {
		laio_push_cancelled_error(L, child);
	} else if (f->failed) {
		f->unretrieved = 0;
		laio_push_exception(L, child);
	} else {
		int top = lua_gettop(L);
		int n = laio_push_results(L, child);
		if (n == 0)
			lua_pushnil(L);
		else if (n > 1)
			lua_settop(L, top + 1);
	}
}

/* Done callback shared by every child: gather.upvalue(1), fut. */
static int child_done(lua_State *L)
{
	struct l_gather *g = lua_touserdata(L, lua_upvalueindex(1));
	struct l_future *f = lua_touserdata(L, 1);
	g->due--;
	g->nfinished++;
	lua_getiuservalue(L, lua_upvalueindex(1), GV_OUTER);
	int outer = lua_gettop(L);
	if (((struct l_future *)lua_touserdata(L, outer))->state != FUT_PENDING) {
		if (f->state == FUT_FINISHED)
			f->unretrieved = 0;
		return 0;
	}
	if (!g->return_exceptions && (f->state == FUT_CANCELLED || f->failed)) {
		push_outcome(L, 1);
		laio_future_set_exception(L, outer, -1);
		/* Whoever awaits the gather learns which task failed, for reports. */
		lua_pushvalue(L, 1);
		laio_set_extra(L, outer, "awaited");
		return 0;
	}
	if (g->nfinished < g->nfuts)
		return 0;
	if (g->cancel_requested) {
		/* Cancelling gather cancelled its children: raise for the gather. */
		laio_push_cancelled_error(L, 1);
		if (!laio_is_error(L, -1, "CancelledError")) {
			lua_pop(L, 1);
			laio_push_error(L, "CancelledError", NULL);
		}
		laio_future_set_exception(L, outer, -1);
		return 0;
	}
	lua_getiuservalue(L, lua_upvalueindex(1), GV_CHILDREN);
	int children = lua_gettop(L);
	lua_createtable(L, g->nchildren, 1);
	for (int i = 1; i <= g->nchildren; i++) {
		lua_rawgeti(L, children, i);
		push_outcome(L, -1);
		lua_rawseti(L, -3, i);
		lua_pop(L, 1);
	}
	lua_pushinteger(L, g->nchildren);
	lua_setfield(L, -2, "n");
	laio_future_set_result(L, outer, -1, 1);
	return 0;
}

/*
 * Counting a child when it finishes, not when its callback would have run,
 * changes nothing one can see if no run of the callback is due before it
 * (due counts them): without return_exceptions the gather ends at the run
 * for the last child or for the first that failed, whatever was counted
 * before, and the count only decides which child is last, whose run is
 * still scheduled. (With return_exceptions, a failed child's run, due
 * earlier, would see itself last too soon.)
 */
int laio_gather_child_done(lua_State *L, int cb_idx, struct l_future *f, int may_count)
{
	if (lua_tocfunction(L, cb_idx) != child_done)
		return 0;
	lua_getupvalue(L, cb_idx, 1);
	struct l_gather *g = lua_touserdata(L, -1);
	lua_pop(L, 1);
	if (may_count && g->due == 0 && !g->return_exceptions &&
	    g->outer->state == FUT_PENDING && f->state == FUT_FINISHED && !f->failed &&
	    g->nfinished + 1 < g->nfuts) {
		g->nfinished++;
		return 1;
	}
	g->due++;
	return 0;
}

/* Cancel handler of the outer future: cancel the children instead. */
static int cancel_children(lua_State *L)
{
	struct l_gather *g = lua_touserdata(L, lua_upvalueindex(1));
	if (((struct l_future *)lua_touserdata(L, 1))->state != FUT_PENDING) {
		lua_pushboolean(L, 0);
		return 1;
	}
	int any = 0;
	lua_getiuservalue(L, lua_upvalueindex(1), GV_CHILDREN);
	for (int i = 1; i <= g->nchildren; i++) {
		lua_rawgeti(L, -1, i);
		any |= laio_future_cancel(L, -1, 2);
		lua_pop(L, 1);
	}
	if (any)
		g->cancel_requested = 1;
	lua_pushboolean(L, any);
	return 1;
}

/* [args 1..n are awaitables] -> pushes the outer future. */
static void gather_future(lua_State *L, int n, int return_exceptions)
{
	static unsigned next_mark;
	for (int i = 1; i <= n; i++)
		laio_ensure_future(L, i, 0);
	struct l_gather *g = lua_newuserdatauv(L, sizeof *g, GV_COUNT);
	int gidx = lua_gettop(L);
	g->nchildren = n;
	g->nfuts = 0;
	g->nfinished = 0;
	g->mark = ++next_mark ? next_mark : ++next_mark;
	g->due = 0;
	g->return_exceptions = (unsigned char)return_exceptions;
	g->cancel_requested = 0;
	lua_createtable(L, n, 0);
	for (int i = 1; i <= n; i++) {
		lua_pushvalue(L, i);
		lua_rawseti(L, -2, i);
	}
	lua_setiuservalue(L, gidx, GV_CHILDREN);

	if (n > 0)
		lua_getiuservalue(L, 1, UV_LOOP);
	else
		laio_push_running_loop(L);
	struct l_loop *loop = lua_touserdata(L, -1);
	g->outer = laio_new_future(L, loop);
	lua_remove(L, -2);
	int outer = lua_gettop(L);
	lua_pushvalue(L, outer);
	lua_setiuservalue(L, gidx, GV_OUTER);
	if (n == 0) {
		lua_createtable(L, 0, 1);
		lua_pushinteger(L, 0);
		lua_setfield(L, -2, "n");
		laio_future_set_result(L, outer, -1, 1);
		lua_pop(L, 1);
		lua_replace(L, gidx);
		return;
	}
	lua_pushvalue(L, gidx);
	lua_pushcclosure(L, cancel_children, 1);
	laio_set_extra(L, outer, "cancel_handler");
	lua_pushvalue(L, gidx);
	lua_pushcclosure(L, child_done, 1);
	int done = lua_gettop(L);
	/* Children done already are counted at once, after the others were
	 * hooked, as Python does; the rest call back when they finish. */
	int any_done = 0;
	for (int i = 1; i <= n; i++) {
		struct l_future *f = lua_touserdata(L, i);
		if (f->gather_mark == g->mark)
			continue;
		f->gather_mark = g->mark;
		g->nfuts++;
		if (f->state != FUT_PENDING)
			any_done = 1;
		else
			laio_future_add_callback(L, i, done);
	}
	for (int i = 1; any_done && i <= n; i++) {
		struct l_future *f = lua_touserdata(L, i);
		if (f->state != FUT_PENDING && f->gather_mark == g->mark) {
			f->gather_mark = 0;	/* once per distinct child */
			g->due++;
			lua_pushvalue(L, done);
			lua_pushvalue(L, i);
			lua_call(L, 1, 0);
		}
	}
	lua_settop(L, outer);
	lua_replace(L, gidx);
}

static int check_options(lua_State *L, int *n)
{
	int return_exceptions = 0;
	if (*n > 0 && lua_type(L, *n) == LUA_TTABLE && !lua_getmetatable(L, *n)) {
		int t = lua_getfield(L, *n, "return_exceptions");
		if (t != LUA_TNIL && t != LUA_TBOOLEAN)
			luaL_argerror(L, *n, lua_pushfstring(L,
				"field 'return_exceptions': boolean expected, got %s",
				lua_typename(L, t)));
		return_exceptions = lua_toboolean(L, -1);
		lua_settop(L, --*n);
	}
	return return_exceptions;
}

/* asyncio.gather(aw, ... [, {return_exceptions = bool}]) */
static int l_gather(lua_State *L)
{
	int n = lua_gettop(L);
	int return_exceptions = check_options(L, &n);
	laio_current_task(L, STATE(L));
	gather_future(L, n, return_exceptions);
	lua_insert(L, 1);
	lua_settop(L, 1);
	return laio_await(L);
}

/* Internal: gather_future(return_exceptions, children...), not awaited. */
int laio_gather_future(lua_State *L)
{
	int return_exceptions = lua_toboolean(L, 1);
	lua_remove(L, 1);
	gather_future(L, lua_gettop(L), return_exceptions);
	return 1;
}

void laio_open_gather(lua_State *L, int state)
{
	lua_pushvalue(L, state);
	lua_pushcclosure(L, l_gather, 1);
	lua_setfield(L, -2, "gather");
}
