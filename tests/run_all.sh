#!/usr/bin/env bash
# run_all.sh -- runs every test suite (runtime unit tests, Lua script tests, CLI tests, the API fuzzer's short run) and sums them up.
# usage: tests/run_all.sh UNIT_BINARY AIOD_BINARY ASYNCIO_SO
set -u
unit=$1 aiod=$2 module=$3
root=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0

# A sanitized asyncio.so loaded by stock lua5.4 needs the sanitizer runtimes first.
preload=""
if [ "${SANITIZE:-}" = 1 ]; then
  for lib in libasan.so libubsan.so; do
    preload="$preload $(${CC:-cc} -print-file-name=$lib)"
  done
fi

log=$(mktemp)
certs=""
trap 'rm -rf "$log" ${certs:+"$certs"}' EXIT

# The TLS tests' certificates, made once for every suite (the unit tests
# and each runner make their own when this is unset).
if [ -z "${AIOD_TEST_CERTS:-}" ]; then
  certs=$(mktemp -d)
  "$root/tests/tls/mkcerts.sh" "$certs/c" || { echo "tests/tls/mkcerts.sh failed"; exit 2; }
  export AIOD_TEST_CERTS=$certs/c
fi

suite() {
  local name=$1; shift
  echo "== $name"
  "$@" 2>&1 | tee "$log"
  local out
  out=$(tail -n 1 "$log")
  if [[ $out =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
  else
    echo "$name: no summary line (crashed?)"; failed=$((failed + 1))
  fi
}

suite "runtime unit tests" "$unit"
suite "Lua script tests" env ASYNCIO_CPATH="$(dirname "$module")/?.so" LUA_PRELOAD="$preload" \
  "$root/tests/lua/run.sh" "$aiod"
suite "CLI tests" "$root/tests/cli/run.sh" "$aiod"
suite "API fuzzer (short run)" "$root/tests/fuzz/run.sh" "$aiod"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
