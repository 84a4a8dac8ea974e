# aiod sets glibc's trim and mmap thresholds at start, unless the user chose a malloc policy: any MALLOC_*_ variable or a glibc.malloc tunable in GLIBC_TUNABLES leaves them alone
. "$(dirname "$0")/lib.bash"
cat >"$T/shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
/* Logs each mallopt call to $MALLOPT_LOG, then makes it. */
int mallopt(int param, int value)
{
	char line[64];
	int n = snprintf(line, sizeof line, "mallopt %d %d\n", param, value);
	int fd = open(getenv("MALLOPT_LOG"), O_WRONLY | O_APPEND | O_CREAT, 0600);
	if (fd >= 0) {
		write(fd, line, (size_t)n);
		close(fd);
	}
	int (*real)(int, int) = (int (*)(int, int))dlsym(RTLD_NEXT, "mallopt");
	return real ? real(param, value) : 0;
}
C
${CC:-cc} -shared -fPIC -o "$T/shim.so" "$T/shim.c" -ldl || fail "cannot build the mallopt shim"
# A sanitized aiod wants its runtime first among the preloads.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export MALLOPT_LOG=$T/log

calls() {
	rm -f "$MALLOPT_LOG"
	(cd "$T" && env "$@" LD_PRELOAD="$T/shim.so" timeout 10 "$AIOD" -e 'print("ok")' >"$OUT" 2>"$ERR")
	RC=$?
	expect_rc 0
	expect_stdout ok
	grep -c '^mallopt' "$MALLOPT_LOG" 2>/dev/null || echo 0
}

[ "$(calls)" = 2 ] || fail "by default: $(cat "$MALLOPT_LOG" 2>/dev/null), expected the mmap and trim thresholds"
grep -qx "mallopt $(printf '%d' -3) 1048576" "$MALLOPT_LOG" || fail "mmap threshold: $(cat "$MALLOPT_LOG")"
grep -qx "mallopt $(printf '%d' -1) 2097152" "$MALLOPT_LOG" || fail "trim threshold: $(cat "$MALLOPT_LOG")"
for chosen in MALLOC_TRIM_THRESHOLD_=65536 MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TOP_PAD_=0 \
	MALLOC_MMAP_MAX_=0 GLIBC_TUNABLES=glibc.malloc.trim_threshold=65536 \
	GLIBC_TUNABLES=glibc.rtld.optional_static_tls=512:glibc.malloc.mmap_threshold=65536; do
	[ "$(calls "$chosen")" = 0 ] || fail "with $chosen: $(cat "$MALLOPT_LOG")"
done
# A tunable of another part of glibc is no malloc policy.
[ "$(calls GLIBC_TUNABLES=glibc.rtld.optional_static_tls=512)" = 2 ] || fail "with an rtld tunable: $(cat "$MALLOPT_LOG" 2>/dev/null)"
exit 0
