/* l_address.c -- a socket's own or its peer's address as Lua values */
#include "l_address.h"
#include "sock.h"

#include <string.h>

int laio_push_socket_address(lua_State *L, int fd, int peer)
{
	char host[256];
	int port;
	if (fd < 0 || aio_sock_address(fd, peer, host, sizeof host, &port) < 0)
		return 0;
	lua_pushstring(L, host);
	if (port < 0)
		return 1;
	lua_pushinteger(L, port);
	return 2;
}

int laio_push_address_text(lua_State *L, int fd, int peer)
{
	char host[256];
	int port;
	if (fd < 0)
		return 0;
	if (aio_sock_address(fd, peer, host, sizeof host, &port) < 0)
		lua_pushfstring(L, "fd %d", fd);
	else if (port < 0)
		lua_pushstring(L, host);
	else
		lua_pushfstring(L, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
	return 1;
}
