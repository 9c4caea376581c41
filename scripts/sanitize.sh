#!/usr/bin/env bash
# Builds the test suites and the CLI with sanitizers in their own build folder and runs them
# under ctest. Exits non-zero when a test fails or a sanitizer reports anything.
#   scripts/sanitize.sh address,undefined   # whole suite, ASan+UBSan, in build-asan/ (CI)
#   scripts/sanitize.sh thread              # concurrency + stress suites, TSan, in build-tsan/ (CI)
#   scripts/sanitize.sh address             # whole suite under AddressSanitizer only
#   scripts/sanitize.sh undefined           # whole suite under UndefinedBehaviorSanitizer only
#   scripts/sanitize.sh KIND CTEST_REGEX    # only the ctest tests matching a regex
# QUIVER_SANITIZE_BUILD_DIR overrides the build folder; QUIVER_JOBS the parallelism (2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:?usage: scripts/sanitize.sh address|undefined|thread|address,undefined [CTEST_REGEX]}
# The suites that run threads against one database: TSan's share of the run.
concurrency_tests='^(ConcurrencyTest|StressTest|AnalyzerTest\.Concurrent)'
all_tests=(quiver_cli cli_tests engine_tests ingest_tests embed_tests index_tests storage_tests
  text_tests tokenizer_tests util_tests)
case "$kind" in
  address,undefined | undefined,address) kind=address,undefined dir="build-asan" ;;
  address) dir="build-address" ;;
  undefined) dir="build-ubsan" ;;
  thread) dir="build-tsan" ;;
  *)
    echo "sanitize: expected address, undefined, thread or address,undefined; found '$kind'" >&2
    exit 2
    ;;
esac
if [ "$kind" = thread ]; then
  targets=(quiver_cli engine_tests text_tests)
  regex=${2:-$concurrency_tests}
else
  targets=("${all_tests[@]}")
  regex=${2:-.}
fi
build=${QUIVER_SANITIZE_BUILD_DIR:-$root/$dir}
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
fi
# -O1 -g1: quick to compile, line numbers in reports, frames kept for the stack traces;
# assertions stay on (no NDEBUG). With debug info ccache hashes the build directory unless
# -fdebug-prefix-map maps the checkout away: with it, a clone anywhere on the machine reuses
# the objects another clone compiled (reports then name files relative to the checkout).
flags="-fsanitize=$kind -fno-omit-frame-pointer -fdebug-prefix-map=$root=."
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQUIVER_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$kind" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=$kind" \
  "${launcher[@]}" >/dev/null
ninja -C "$build" -j"${QUIVER_JOBS:-2}" "${targets[@]}"
# FAISS's OpenMP runtime is not instrumented: one OpenMP thread keeps its pool out of the run.
export OMP_NUM_THREADS=1
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/scripts/tsan.supp"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# Left to the normal ctest stage: the build checks and the install check (they compile code
# rather than run it) and the Python suites (the interpreter is not instrumented, and the
# module is not built here: loading a sanitized module needs the runtime preloaded into
# python3). Tests that need the sanitized CLI find it through QUIVER_CLI_PATH.
cd "$build"
ctest --output-on-failure -j"${QUIVER_JOBS:-2}" --timeout 1800 -R "$regex" \
  -E '^(build_checks|install|python)\.'
