# Makefile -- builds aiod and asyncio.so; `make run`, `make test`, `make fuzz`, `make bench`, `make install`, `make deb`
#
# Non-recursive: one object group per folder. `make run` and `make test`
# first install missing Debian packages (as root, else through sudo), then
# re-enter make to build, so pkg-config is only asked once they are there.

CC ?= cc
# Debian's name for the platform (x86_64-linux-gnu): where PREFIX=/usr
# keeps its libraries (make install, below).
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

# libssl-dev: TLS; openssl makes the tests' certificates; ca-certificates is
# the system CA store that client contexts trust by default.
# libcurl4-openssl-dev: asyncio.http; lua-cjson: its JSON (scripts may
# require "cjson" too). libreadline-dev: line editing for aiod -i (aiod only).
PKGS := libev-dev liblua5.4-dev check pkg-config lua5.4 libssl-dev openssl ca-certificates \
	libcurl4-openssl-dev lua-cjson libreadline-dev
BENCH_PKGS := lua-luv lua-cqueues python3-uvloop python3-aiohttp python3-httpx nodejs hyperfine wrk

ifeq ($(SANITIZE),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
RUN_ENV = $(SAN_ENV)
else
BUILD := build/rel
SANFLAGS :=
RUN_ENV :=
endif
# For what runs sanitized: GCC 12's LeakSanitizer misreads glibc 2.36's
# dynamic TLS (the DTV of a dlopen'ed asyncio_tls.so) and its tracer
# crashes at exit ("Tracer caught signal 11"), as the binary's layout
# happens to fall. Not tracking __tls_get_addr keeps it off that path;
# leaks are still found.
SAN_ENV := ASAN_OPTIONS=$(if $(ASAN_OPTIONS),$(ASAN_OPTIONS):)intercept_tls_get_addr=0

WARN := -Wall -Wextra -Werror
BASE_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -O2 -g -fPIC -MMD -MP $(WARN) $(SANFLAGS)
LUA_CFLAGS = $(shell pkg-config --cflags lua5.4)
LUA_LIBS = $(shell pkg-config --libs lua5.4)
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS = $(shell pkg-config --libs check)
SSL_LIBS = $(shell pkg-config --libs openssl)
CURL_LIBS = $(shell pkg-config --libs libcurl)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# TLS (and OpenSSL with it) is a module of its own, asyncio_tls.so, that
# aiod and asyncio.so load the first time a script uses asyncio.ssl: linked
# in, OpenSSL's loading alone doubled a hello world's start-up.
TLS_RUNTIME_SRC := runtime/tlsconn.c
TLS_BINDINGS_SRC := bindings/l_ssl.c bindings/l_ssl_errors.c bindings/l_ssl_cert.c bindings/l_stream_tls.c
# asyncio.http is another, asyncio_http.so, with libcurl, loaded the first
# time a script uses asyncio.http.
HTTP_RUNTIME_SRC := runtime/curl.c
HTTP_BINDINGS_SRC := $(wildcard bindings/l_http*.c)
RUNTIME_SRC := $(filter-out $(TLS_RUNTIME_SRC) $(HTTP_RUNTIME_SRC),$(wildcard runtime/*.c))
BINDINGS_SRC := $(filter-out $(TLS_BINDINGS_SRC) $(HTTP_BINDINGS_SRC),$(wildcard bindings/*.c))
CMD_SRC := $(wildcard cmd/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)

RUNTIME_OBJ := $(RUNTIME_SRC:%.c=$(BUILD)/%.o)
BINDINGS_OBJ := $(BINDINGS_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
TLS_RUNTIME_OBJ := $(TLS_RUNTIME_SRC:%.c=$(BUILD)/%.o)
TLS_OBJ := $(TLS_RUNTIME_OBJ) $(TLS_BINDINGS_SRC:%.c=$(BUILD)/%.o)
HTTP_RUNTIME_OBJ := $(HTTP_RUNTIME_SRC:%.c=$(BUILD)/%.o)
HTTP_OBJ := $(HTTP_RUNTIME_OBJ) $(HTTP_BINDINGS_SRC:%.c=$(BUILD)/%.o)

LIBAIORT := $(BUILD)/libaiort.a
AIOD := $(BUILD)/aiod
MODULE := $(BUILD)/asyncio.so
TLS_MODULE := $(BUILD)/asyncio_tls.so
HTTP_MODULE := $(BUILD)/asyncio_http.so
UNIT := $(BUILD)/check_runtime

.PHONY: all deps bench-deps run test fuzz check-unit check-lua check-cli bench install uninstall deb clean

all: $(AIOD) $(MODULE) $(TLS_MODULE) $(HTTP_MODULE)
ifneq ($(SANITIZE),1)
all: aiod asyncio.so asyncio_tls.so asyncio_http.so
# Replaced by rename, so a running ./aiod does not make the copy fail.
aiod: $(AIOD)
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@
asyncio.so: $(MODULE)
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@
asyncio_tls.so: $(TLS_MODULE)
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@
asyncio_http.so: $(HTTP_MODULE)
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@
endif

deps:
	@missing=""; for p in $(PKGS) $(EXTRA_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; fi

bench-deps:
	$(Q)$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"

# runtime/ is built without Lua's include path, so a stray lua.h fails here.
$(BUILD)/runtime/%.o: runtime/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(BASE_CFLAGS) -c $< -o $@

# An installed aiod looks for its modules in PREFIX/lib/<multiarch>/aiod
# too (bindings/l_plugin.c): Debian's layout for PREFIX=/usr.
$(BUILD)/bindings/l_plugin.o: BASE_CFLAGS += -DLAIO_MULTIARCH='"$(MULTIARCH)"'

$(BUILD)/bindings/%.o: bindings/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(BASE_CFLAGS) $(LUA_CFLAGS) -Iruntime -c $< -o $@

# The Lua parts are compiled to bytecode by a host tool and embedded with
# .incbin, which -MMD cannot see.
LUADUMP := $(BUILD)/tools/luadump
BYTECODE := $(patsubst bindings/%.lua,$(BUILD)/bindings/%.luac,$(wildcard bindings/*.lua))

$(LUADUMP): tools/luadump.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) $(LUA_CFLAGS) $< -o $@ $(LUA_LIBS)

$(BUILD)/bindings/%.luac: bindings/%.lua $(LUADUMP)
	@mkdir -p $(@D)
	$(Q)$(LUADUMP) =$(notdir $<) $< $@

$(BUILD)/bindings/l_embed.o: bindings/l_embed.c $(BYTECODE)
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(BASE_CFLAGS) -DLAIO_BYTECODE_DIR='"$(BUILD)/bindings"' -c $< -o $@

$(BUILD)/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(BASE_CFLAGS) $(LUA_CFLAGS) -Iruntime -Ibindings -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(BASE_CFLAGS) $(CHECK_CFLAGS) -Iruntime -c $< -o $@

$(LIBAIORT): $(RUNTIME_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

# aiod links libev and Lua statically, as Debian's lua5.4 links Lua: each
# shared library costs a hello world's start-up its loading and symbol
# binding (Lua's were a fifth of it). The whole of Lua goes in and is
# exported (-rdynamic), so C modules a script requires find every lua_*
# function. asyncio.so keeps libev dynamic (libev.a is not PIC). Readline
# (with libtinfo, from libncurses-dev, which libreadline-dev brings) is
# aiod's alone, for -i (cmd/repl.c), and static too: as shared libraries the
# two added a sixth to a hello world's start-up (1.18 ms against 0.99 ms,
# the fastest of 500 runs). asyncio.so never needs it.
$(AIOD): $(CMD_OBJ) $(BINDINGS_OBJ) $(LIBAIORT)
	@echo "  LD $@"
	$(Q)$(CC) $(SANFLAGS) -rdynamic $^ -o $@ -Wl,-Bstatic -Wl,--whole-archive -llua5.4 \
		-Wl,--no-whole-archive -lev -lreadline -ltinfo -Wl,-Bdynamic -lm -lpthread -ldl

$(MODULE): $(BINDINGS_OBJ) $(LIBAIORT)
	@echo "  LD $@"
	$(Q)$(CC) $(SANFLAGS) -shared $^ -o $@ -lev -lm -lpthread -ldl

# Its references to the streams and to Lua are left for the program that
# loads it (aiod, or asyncio.so made global for it).
$(TLS_MODULE): $(TLS_OBJ)
	@echo "  LD $@"
	$(Q)$(CC) $(SANFLAGS) -shared $^ -o $@ $(SSL_LIBS)

# The same for asyncio.http and libcurl; a certificate's error is made by
# asyncio_tls.so's code (through laio_tls), so no OpenSSL here.
$(HTTP_MODULE): $(HTTP_OBJ)
	@echo "  LD $@"
	$(Q)$(CC) $(SANFLAGS) -shared $^ -o $@ $(CURL_LIBS)

$(UNIT): $(UNIT_OBJ) $(TLS_RUNTIME_OBJ) $(HTTP_RUNTIME_OBJ) $(LIBAIORT)
	@echo "  LD $@"
	$(Q)$(CC) $(SANFLAGS) $^ -o $@ $(CHECK_LIBS) -lev $(SSL_LIBS) $(CURL_LIBS) -lm -lpthread

run:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	./aiod scripts/demo.lua

test:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT)
	$(Q)$(RUN_ENV) tests/run_all.sh $(abspath $(UNIT)) $(abspath $(AIOD)) $(abspath $(MODULE))

# The long fuzzer run, on the sanitizer build: seeds 1, 2, ... for
# FUZZ_SECONDS (default 300); make test runs a short one.
FUZZ_SECONDS ?= 300
fuzz:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 all
	$(SAN_ENV) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(abspath build/san/aiod)

bench:
	$(Q)$(MAKE) --no-print-directory bench-deps
	$(Q)$(MAKE) --no-print-directory all
	AIOD=$(abspath aiod) bench/run $(BENCH_ARGS)

# make install [PREFIX=/usr/local] [DESTDIR=...]. Lua's C modules go where
# Debian's lua5.4 looks for them: PREFIX/lib/lua/5.4 (the first place on its
# package.cpath), or for PREFIX=/usr the multiarch folder that pkg-config's
# INSTALL_CMOD names. TLS and HTTP, loaded on first use, go to LIBDIR/aiod,
# where bindings/l_plugin.c looks from bin/aiod and from LIBDIR/lua/5.4:
# none of these folders may move without the others. The unit's ExecStart
# names BINDIR; Debian 12 keeps its systemd units in /lib.
PREFIX ?= /usr/local
ifeq ($(PREFIX),/usr)
LIBDIR := $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
UNITDIR := /lib/systemd/system
else
LIBDIR := $(PREFIX)/lib
UNITDIR := $(PREFIX)/lib/systemd/system
endif
BINDIR := $(PREFIX)/bin
LUA_CMODDIR := $(LIBDIR)/lua/5.4
PLUGINDIR := $(LIBDIR)/aiod
MANDIR := $(PREFIX)/share/man
DOCDIR := $(PREFIX)/share/doc/aiod
EXAMPLES := $(wildcard scripts/*.lua) scripts/aiod.service
DOCS := $(wildcard docs/*.md)

install: all
	install -D -m 755 $(AIOD) $(DESTDIR)$(BINDIR)/aiod
	install -D -m 644 $(MODULE) $(DESTDIR)$(LUA_CMODDIR)/asyncio.so
	install -D -m 644 $(TLS_MODULE) $(DESTDIR)$(PLUGINDIR)/asyncio_tls.so
	install -D -m 644 $(HTTP_MODULE) $(DESTDIR)$(PLUGINDIR)/asyncio_http.so
	install -D -m 644 man/aiod.1 $(DESTDIR)$(MANDIR)/man1/aiod.1
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/aiod|$(BINDIR)/aiod|g' scripts/aiod@.service >$(DESTDIR)$(UNITDIR)/aiod@.service
	install -D -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -D -m 644 -t $(DESTDIR)$(DOCDIR)/docs $(DOCS)
	install -D -m 644 -t $(DESTDIR)$(DOCDIR)/examples $(EXAMPLES)

# Of the folders, only aiod's own go.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/aiod $(DESTDIR)$(LUA_CMODDIR)/asyncio.so \
		$(DESTDIR)$(PLUGINDIR)/asyncio_tls.so $(DESTDIR)$(PLUGINDIR)/asyncio_http.so \
		$(DESTDIR)$(MANDIR)/man1/aiod.1 $(DESTDIR)$(UNITDIR)/aiod@.service \
		$(DESTDIR)$(DOCDIR)/README.md $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLES))) \
		$(addprefix $(DESTDIR)$(DOCDIR)/docs/,$(notdir $(DOCS)))
	rmdir $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(DOCDIR) \
		2>/dev/null || true

# make deb: build/deb/aiod_<version>_amd64.deb, built from scratch by
# dpkg-buildpackage (debian/rules runs make install PREFIX=/usr). It writes
# beside the tree it builds, and cleans that tree first, so it builds a
# copy of the sources; nothing of this make (SANITIZE, -j) reaches it.
DEB_PKGS := debhelper dpkg-dev build-essential
DEB_DIR := build/deb
DEB_SOURCES := Makefile README.md bindings cmd debian docs man runtime scripts tools

deb:
	$(Q)$(MAKE) --no-print-directory deps EXTRA_PKGS="$(DEB_PKGS)"
	$(Q)rm -rf $(DEB_DIR)/aiod $(DEB_DIR)/aiod[-_]* && mkdir -p $(DEB_DIR)/aiod
	$(Q)cp -a $(DEB_SOURCES) $(DEB_DIR)/aiod/
	cd $(DEB_DIR)/aiod && env -u SANITIZE -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		dpkg-buildpackage -us -uc -b -Jauto
	@ls $(DEB_DIR)/*.deb

clean:
	rm -rf build aiod asyncio.so asyncio_tls.so asyncio_http.so

-include $(RUNTIME_OBJ:.o=.d) $(BINDINGS_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(TLS_OBJ:.o=.d) $(HTTP_OBJ:.o=.d)
