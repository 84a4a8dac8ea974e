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
 * Where a module may sit, from the folder of aiod or asyncio.so: beside it
 * (the build tree), else where `make install` puts it, LIBDIR/aiod, LIBDIR
 * being PREFIX/lib, or PREFIX/lib/<multiarch> for PREFIX=/usr (Debian's
 * layout). Relative, so that a tree installed under DESTDIR, or moved,
 * finds its own modules and never those of another install.
 */
#ifndef LAIO_MULTIARCH
#define LAIO_MULTIARCH ""
#endif
static const char *const program_places[] = {
	"%s/%s", "%s/../lib/aiod/%s", "%s/../lib/" LAIO_MULTIARCH "/aiod/%s", NULL
};
/* asyncio.so is in LIBDIR/lua/5.4. */
static const char *const module_places[] = {"%s/%s", "%s/../../aiod/%s", NULL};

/*
 * Loads file from the first place that has it. It resolves what it uses
 * of the core and of Lua against the program: aiod exports its symbols;
 * asyncio.so, which require opened RTLD_LOCAL, is made global for it
 * first. Loaded once per process; dlopen counts the handles. A file that
 * is there but fails to load is the error to report, not the places where
 * it is missing.
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
	const char *const *places = shared ? module_places : program_places;
	luaL_Buffer tried;
	luaL_buffinit(L, &tried);
	for (size_t i = 0; places[i]; i++) {
		snprintf(path, sizeof path, places[i], self, file);
		void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (module)
			return module;
		if (access(path, F_OK) == 0)
			luaL_error(L, "cannot load %s: %s", file, dlerror());
		luaL_addstring(&tried, i ? ", " : "");
		luaL_addstring(&tried, path);
	}
	luaL_pushresult(&tried);
	luaL_error(L, "cannot load %s: not found (looked for %s)", file, lua_tostring(L, -1));
	return NULL;
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
