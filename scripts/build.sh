#!/usr/bin/env bash
# Configures and builds quiver (Release, Ninja) in ./build, or in $QUIVER_BUILD_DIR.
# Extra arguments are passed to ninja as targets, e.g. `scripts/build.sh quiver_cli`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QUIVER_BUILD_DIR:-$root/build}
launcher=()
# ccache, when installed, makes rebuilds in several build folders cheap; it is optional.
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
ninja -C "$build" -j"${QUIVER_JOBS:-2}" "$@"
