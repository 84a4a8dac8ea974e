/* l_plugin.c -- loads the modules that carry big libraries (asyncio_tls.so: OpenSSL) the first time a script uses them */
#define _GNU_SOURCE

#include "l_plugin.h"
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
 * A module sits beside aiod or asyncio.so (the build tree), or for an
 * installed aiod in ../lib/aiod. It resolves what it uses of the core and
 * of Lua against the program: aiod exports its symbols; asyncio.so, which
 * require opened RTLD_LOCAL, is made global for it first. Loaded once per
 * process; dlopen counts the handles.
 */
static void *load_module(lua_State *L, const char *file)
{
	char self[PATH_MAX], path[PATH_MAX + 64];
	int shared;
	if (own_path(self, &shared) < 0)
		luaL_error(L, "cannot tell where asyncio was loaded from, to load %s", file);
	if (shared)
		dlopen(self, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
	*strrchr(self, '/') = '\0';
	static const char *const places[] = {"%s/%s", "%s/../lib/aiod/%s"};
	const char *first_error = NULL;
	void *module = NULL;
	for (size_t i = 0; i < sizeof places / sizeof *places && !module; i++) {
		snprintf(path, sizeof path, places[i], self, file);
		module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!module && !first_error)
			first_error = lua_pushstring(L, dlerror());
	}
	if (!module)
		luaL_error(L, "cannot load %s: %s", file, first_error);
	return module;
}

/* Runs the module's entry as the running C function, so that its upvalue 1
 * (the module state, for internals functions) is the entry's too. */
static int open_module(lua_State *L, const char *file, const char *entry)
{
	lua_CFunction open;
	*(void **)&open = dlsym(load_module(L, file), entry);
	if (!open)
		return luaL_error(L, "%s has no %s: %s", file, entry, dlerror());
	return open(L);
}

/* internals.open_ssl */
int laio_open_ssl(lua_State *L)
{
	return open_module(L, "asyncio_tls.so", "laio_tls_open");
}

/* internals.open_http */
int laio_open_http(lua_State *L)
{
	return open_module(L, "asyncio_http.so", "laio_http_open");
}
