/* l_embed.c -- bindings/asyncio.lua, precompiled by tools/luadump, embedded in the binary */

/* The Makefile passes the bytecode's path; .incbin reads it relative to the
 * directory make runs in, the project root. */
#ifndef LAIO_BYTECODE
#error "build through the Makefile: LAIO_BYTECODE names the compiled asyncio.lua"
#endif

__asm__(".section .rodata\n"
	".global laio_asyncio_lua\n"
	".global laio_asyncio_lua_size\n"
	".balign 16\n"
	"laio_asyncio_lua:\n"
	".incbin \"" LAIO_BYTECODE "\"\n"
	"laio_asyncio_lua_end:\n"
	".balign 4\n"
	"laio_asyncio_lua_size:\n"
	".int laio_asyncio_lua_end - laio_asyncio_lua\n"
	".previous\n");
