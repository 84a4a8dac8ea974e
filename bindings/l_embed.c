/* l_embed.c -- the module's Lua parts (bindings/NAME.lua), precompiled by tools/luadump, in the binary */

/* The Makefile passes the bytecode's folder; .incbin reads it relative to the
 * directory make runs in, the project root. */
#ifndef LAIO_BYTECODE_DIR
#error "build through the Makefile: LAIO_BYTECODE_DIR names the compiled Lua parts"
#endif

#define EMBED(name)							\
	__asm__(".section .rodata\n"					\
		".global laio_" #name "_lua\n"				\
		".global laio_" #name "_lua_size\n"			\
		".balign 16\n"						\
		"laio_" #name "_lua:\n"					\
		".incbin \"" LAIO_BYTECODE_DIR "/" #name ".luac\"\n"	\
		"laio_" #name "_lua_end:\n"				\
		".balign 4\n"						\
		"laio_" #name "_lua_size:\n"				\
		".int laio_" #name "_lua_end - laio_" #name "_lua\n"	\
		".previous\n")

EMBED(asyncio);
EMBED(tasks);
EMBED(locks);
EMBED(queues);
EMBED(streams);
EMBED(takeover);
EMBED(datagrams);
EMBED(processes);
EMBED(run_process);
EMBED(ssl);
EMBED(http);
EMBED(daemon);
EMBED(control);
EMBED(inspect);
EMBED(attach);
EMBED(repl);
