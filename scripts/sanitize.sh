#!/usr/bin/env bash
# Builds the engine test suite with a sanitizer in build-<kind>/ and runs tests under it.
#   scripts/sanitize.sh thread                 # the concurrency suite under ThreadSanitizer
#   scripts/sanitize.sh address 'Corruption*'  # any gtest filter, under AddressSanitizer
# Exits non-zero when a test fails or the sanitizer reports anything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:?usage: scripts/sanitize.sh thread|address|undefined [GTEST_FILTER]}
filter=${2:-ConcurrencyTest.*}
case "$kind" in thread | address | undefined) ;; *)
  echo "sanitize: expected thread, address or undefined; found '$kind'" >&2
  exit 2
  ;;
esac
build=${QUIVER_SANITIZE_BUILD_DIR:-$root/build-$kind}
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=$root
fi
flags="-fsanitize=$kind -fno-omit-frame-pointer -g"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQUIVER_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$kind" "${launcher[@]}" >/dev/null
ninja -C "$build" -j"${QUIVER_JOBS:-2}" engine_tests
# FAISS's OpenMP runtime is not instrumented: one OpenMP thread keeps its pool out of the run.
export OMP_NUM_THREADS=1
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/scripts/tsan.supp"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
"$build/tests/engine_tests" --gtest_filter="$filter"
