/* luadump.c -- build tool: compiles a Lua file to bytecode (debug info kept) for embedding */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>

static int writer(lua_State *L, const void *p, size_t size, void *out)
{
	(void)L;
	return fwrite(p, 1, size, out) != size;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: luadump CHUNKNAME INPUT.lua OUTPUT\n");
		return 2;
	}
	lua_State *L = luaL_newstate();
	FILE *in = fopen(argv[2], "rb");
	if (!L || !in) {
		fprintf(stderr, "luadump: cannot open %s\n", argv[2]);
		return 1;
	}
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof text, in);
	fclose(in);
	if (n == sizeof text || luaL_loadbufferx(L, text, n, argv[1], "t") != LUA_OK) {
		fprintf(stderr, "luadump: %s\n", n == sizeof text ? "input too large"
								  : lua_tostring(L, -1));
		return 1;
	}
	FILE *out = fopen(argv[3], "wb");
	if (!out || lua_dump(L, writer, out, 0) != 0 || fclose(out) != 0) {
		fprintf(stderr, "luadump: cannot write %s\n", argv[3]);
		return 1;
	}
	lua_close(L);
	return 0;
}
