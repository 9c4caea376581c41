#!/usr/bin/env bash
# Installs the built quiver into a scratch prefix, then configures, builds and runs the
# consumer example against it with find_package(quiver). Used by ctest.
# usage: check_consumer.sh BUILD_DIR EXAMPLE_SOURCE_DIR
set -euo pipefail
build_dir=$1
example_dir=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null
cmake -S "$example_dir" -B "$scratch/build" -G Ninja -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/build" -j2 >/dev/null
"$scratch/build/consumer" "$scratch/db"
