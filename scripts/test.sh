#!/usr/bin/env bash
# Builds everything and runs the whole test suite under ctest, then the sanitizer stage:
# the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and
# the concurrency and stress suites under ThreadSanitizer (build-tsan/), by scripts/sanitize.sh.
# The sanitizer stage runs with QUIVER_SANITIZE=1. It is off by default for now: with a cold
# ccache its two extra builds of the whole tree (~60-75 min on this 2-core machine) would push
# CI past its 90-minute limit; see docs/benchmarks.md "Reliability (issue 14)".
# Assumes scripts/setup.sh has installed the packages.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QUIVER_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
if [ -x "$root/scripts/fetch_test_data.sh" ]; then
  "$root/scripts/fetch_test_data.sh"
fi
(cd "$build" && ctest --output-on-failure -j"${QUIVER_JOBS:-2}" --timeout 900)
if [ "${QUIVER_SANITIZE:-0}" != 0 ]; then
  for kind in address,undefined thread; do
    start=$SECONDS
    "$root/scripts/sanitize.sh" "$kind"
    echo "test: sanitizer stage $kind passed in $((SECONDS - start)) s"
  done
fi
