#!/usr/bin/env bash
# Builds everything and runs the whole test suite under ctest.
# Assumes scripts/setup.sh has installed the packages.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QUIVER_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
if [ -x "$root/scripts/fetch_test_data.sh" ]; then
  "$root/scripts/fetch_test_data.sh"
fi
cd "$build"
ctest --output-on-failure -j"${QUIVER_JOBS:-2}" --timeout 900
