/* l_tls.c -- loads asyncio_tls.so, where TLS lives with OpenSSL, the first time a script uses asyncio.ssl */
#define _GNU_SOURCE
#include "laio.h"

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TLS_MODULE "asyncio_tls.so"

const struct laio_tls_hooks *laio_tls;

void laio_set_tls_hooks(const struct laio_tls_hooks *hooks)
{
	laio_tls = hooks;
}

/*
 * The file this code runs from, aiod or asyncio.so; *shared tells which.
 * asyncio.so's name is the one require opened it by (made absolute here,
 * so it must be asked before the script changes directory, or be absolute).
 */
static int own_path(char *buf, int *shared)
{
	Dl_info info;
	struct link_map *map = NULL;
	if (!dladdr1((void *)own_path, &info, (void **)&map, RTLD_DL_LINKMAP) || !map)
		return -1;
	*shared = map->l_name[0] != '\0';
	if (*shared)
		return realpath(map->l_name, buf) ? 0 : -1;
	ssize_t n = readlink("/proc/self/exe", buf, PATH_MAX - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * The module sits beside aiod or asyncio.so (the build tree), or for an
 * installed aiod in ../lib/aiod. It resolves what it uses of the streams
 * and of Lua against the program: aiod exports its symbols; asyncio.so,
 * which require opened RTLD_LOCAL, is made global for it first.
 */
static void *load_module(lua_State *L)
{
	static void *module;
	if (module)
		return module;
	char self[PATH_MAX], path[PATH_MAX + sizeof "/../lib/aiod/" TLS_MODULE];
	int shared;
	if (own_path(self, &shared) < 0)
		luaL_error(L, "asyncio.ssl: cannot tell where asyncio was loaded from");
	if (shared)
		dlopen(self, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
	*strrchr(self, '/') = '\0';
	static const char *const places[] = {"%s/" TLS_MODULE, "%s/../lib/aiod/" TLS_MODULE};
	const char *first_error = NULL;
	for (size_t i = 0; i < sizeof places / sizeof *places && !module; i++) {
		snprintf(path, sizeof path, places[i], self);
		module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!module && !first_error)
			first_error = lua_pushstring(L, dlerror());
	}
	if (!module)
		luaL_error(L, "asyncio.ssl: cannot load the TLS module: %s", first_error);
	return module;
}

/* internals.open_ssl: called with the module state as upvalue 1, which
 * the module's entry uses as its own. */
int laio_open_ssl(lua_State *L)
{
	lua_CFunction open;
	*(void **)&open = dlsym(load_module(L), "laio_tls_open");
	if (!open)
		return luaL_error(L, "asyncio.ssl: the TLS module has no entry: %s", dlerror());
	return open(L);
}
