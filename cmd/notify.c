/* notify.c -- tells systemd about readiness, status and liveness over $NOTIFY_SOCKET (no libsystemd) */
#include "notify.h"
#include "laio.h"
#include "ticker.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* How often STATUS= goes out when no watchdog asks for more. */
#define STATUS_INTERVAL 5.0

void aiod_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr;
	size_t len = path ? strlen(path) : 0;
	if (len == 0 || len >= sizeof addr.sun_path)
		return;
	memset(&addr, 0, sizeof addr);
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, len);
	if (addr.sun_path[0] == '@')
		addr.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	close(fd);
}

static struct {
	struct l_loop *loop;
	struct aio_ticker *ticker;
	int watchdog;
} notifier;

/* Connections being served: each open server's count of them. */
static lua_Integer count_connections(lua_State *L)
{
	lua_Integer n = 0;
	lua_getfield(L, LUA_REGISTRYINDEX, LAIO_INTERNALS);
	/* internals.open_servers exists once streams are loaded */
	if (lua_getfield(L, -1, "open_servers") == LUA_TFUNCTION &&
	    lua_pcall(L, 0, 1, 0) == LUA_OK && lua_istable(L, -1)) {
		for (int i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
			lua_getfield(L, -1, "_active");
			n += lua_tointeger(L, -1);
			lua_pop(L, 2);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
	return n;
}

void notify_with_status(lua_State *L, const char *state)
{
	struct l_loop *loop = notifier.loop;
	if (!getenv("NOTIFY_SOCKET"))
		return;
	if (!loop) {
		aiod_notify(state);
		return;
	}
	int tasks = 0;
	for (struct l_link *k = loop->tasks.next; k != &loop->tasks; k = k->next)
		tasks++;
	int conns = (int)count_connections(L);
	lua_pushfstring(L, "%s%sSTATUS=generation %d, %d task%s, %d connection%s",
			state, *state ? "\n" : "", (int)loop->gen, tasks,
			tasks == 1 ? "" : "s", conns, conns == 1 ? "" : "s");
	aiod_notify(lua_tostring(L, -1));
	lua_pop(L, 1);
}

static void on_tick(struct aio_ticker *ticker, void *udata)
{
	struct l_loop *loop = udata;
	(void)ticker;
	notify_with_status(loop->L, notifier.watchdog ? "WATCHDOG=1" : "");
}

/* Half of $WATCHDOG_USEC in seconds, or 0 when no watchdog is ours. */
static double watchdog_interval(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	char *end;
	if (!usec || (pid && strtol(pid, &end, 10) != (long)getpid()))
		return 0;
	double us = strtod(usec, &end);
	return *end || !(us > 0) ? 0 : us / 2e6;
}

void notify_start(struct l_loop *loop)
{
	if (!getenv("NOTIFY_SOCKET"))
		return;
	double interval = watchdog_interval();
	notifier.watchdog = interval > 0;
	notifier.loop = loop;
	int err;
	notifier.ticker = aio_ticker_new(loop->rt, interval > 0 ? interval : STATUS_INTERVAL,
					 on_tick, loop, &err);
}

void notify_stop(void)
{
	aio_ticker_free(notifier.ticker);
	notifier.ticker = NULL;
	notifier.loop = NULL;
}
