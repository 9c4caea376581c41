#!/usr/bin/env bash
# Builds everything and runs the whole test suite under ctest, then the sanitizer stage:
# the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and
# the concurrency and stress suites under ThreadSanitizer (build-tsan/), by scripts/sanitize.sh.
# QUIVER_SANITIZE=0 skips the sanitizer stage (for a quick run while developing); CI runs it.
# Assumes scripts/setup.sh has installed the packages.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QUIVER_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
if [ -x "$root/scripts/fetch_test_data.sh" ]; then
  "$root/scripts/fetch_test_data.sh"
fi
(cd "$build" && ctest --output-on-failure -j"${QUIVER_JOBS:-2}" --timeout 900)
if [ "${QUIVER_SANITIZE:-1}" != 0 ]; then
  for kind in address,undefined thread; do
    start=$SECONDS
    "$root/scripts/sanitize.sh" "$kind"
    echo "test: sanitizer stage $kind passed in $((SECONDS - start)) s"
  done
fi
