/* l_embed.c -- bindings/asyncio.lua compiled into the binary as a string */

/* .incbin is resolved from the directory make runs in, the project root. */
__asm__(".section .rodata\n"
	".global laio_asyncio_lua\n"
	".global laio_asyncio_lua_size\n"
	".balign 16\n"
	"laio_asyncio_lua:\n"
	".incbin \"bindings/asyncio.lua\"\n"
	"laio_asyncio_lua_end:\n"
	".byte 0\n"
	".balign 4\n"
	"laio_asyncio_lua_size:\n"
	".int laio_asyncio_lua_end - laio_asyncio_lua\n"
	".previous\n");
