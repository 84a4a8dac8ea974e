# make deb builds aiod_<version>_amd64.deb where Debian's build tools are (skipped elsewhere): make install PREFIX=/usr's files plus Debian's, Depends with lua-cjson and the libraries aiod and its modules link, and its aiod and asyncio.so run where it is unpacked; the package is never installed here
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
# make deb would install what is missing: a test never does.
dpkg -s debhelper dpkg-dev build-essential >/dev/null 2>&1 ||
	{ echo "skipped: Debian's build tools (debhelper dpkg-dev build-essential) are not here; make deb installs them"; exit 77; }
unset MAKEFLAGS MFLAGS MAKELEVEL
multiarch=$(${CC:-cc} -print-multiarch)

make --no-print-directory -C "$root" deb DEB_DIR="$T/deb" >"$T/make.out" 2>&1 ||
	{ tail -n 20 "$T/make.out"; fail "make deb failed"; }
version=$("$AIOD" --version | awk '{print $2}')
deb=$T/deb/aiod_${version}_amd64.deb
[ -f "$deb" ] || { ls "$T/deb"; fail "no $deb (the version of debian/changelog is not aiod's?)"; }

[ "$(dpkg-deb -f "$deb" Package)" = aiod ] || fail "the package is not named aiod"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the package's version is not $version"
[ "$(dpkg-deb -f "$deb" Architecture)" = amd64 ] || fail "the package is not amd64"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in lua-cjson libc6 libev4 libssl3 libcurl4; do
	[[ ", $depends," == *", $dep "* || ", $depends," == *", $dep,"* ]] || fail "Depends lacks $dep: $depends"
done

lib=usr/lib/$multiarch
{
	printf '%s\n' usr/bin/aiod "$lib/lua/5.4/asyncio.so" "$lib/aiod/asyncio_tls.so" "$lib/aiod/asyncio_http.so" \
		usr/share/man/man1/aiod.1.gz lib/systemd/system/aiod@.service usr/share/doc/aiod/README.md.gz \
		usr/share/doc/aiod/changelog.gz usr/share/doc/aiod/copyright usr/share/doc/aiod/examples/aiod.service \
		usr/share/lintian/overrides/aiod
	for f in "$root"/scripts/*.lua; do echo "usr/share/doc/aiod/examples/${f##*/}"; done
	# dh_compress gzips the pages of docs/ over 4 KiB.
	for f in "$root"/docs/*.md; do
		if [ "$(stat -c %s "$f")" -gt 4096 ]; then echo "usr/share/doc/aiod/docs/${f##*/}.gz"
		else echo "usr/share/doc/aiod/docs/${f##*/}"; fi
	done
} | sort >"$T/want"
dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sed 's|^\./||' | sort >"$T/have"
diff "$T/want" "$T/have" >"$T/diff" || { cat "$T/diff"; fail "the package's files differ"; }
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/aiod@.service | grep -q '^ExecStart=/usr/bin/aiod ' ||
	fail "the package's unit does not start /usr/bin/aiod"

# What it holds runs where it was unpacked (not installed): the stripped aiod and
# asyncio.so find their TLS and HTTP modules in the package's layout.
dpkg-deb -x "$deb" "$T/root"
probe='local a = require "asyncio" print(type(a.ssl.create_default_context), type(a.http.get))'
(cd "$T" && env -i PATH=/usr/bin:/bin "$T/root/usr/bin/aiod" -e "$probe" >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "function	function"
cjson=$(dirname "$(lua5.4 -e 'print(package.searchpath("cjson", package.cpath))')")
(cd "$T" && env -i PATH=/usr/bin:/bin LUA_CPATH="$T/root/$lib/lua/5.4/?.so;$cjson/?.so" lua5.4 -e "$probe" \
	>"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "function	function"
