#!/usr/bin/env bash
# Installs the built quiver into a scratch prefix, then builds and runs the consumer example
# against it every way a consumer can link it: find_package(quiver) with the static
# quiver::quiver and (when built) the shared quiver::shared, and pkg-config. Used by ctest.
# usage: check_consumer.sh BUILD_DIR EXAMPLE_SOURCE_DIR
set -euo pipefail
build_dir=$1
example_dir=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/prefix
cmake --install "$build_dir" --prefix "$prefix" >/dev/null

# Builds the example with CMake (extra arguments are cache settings) and runs it.
consume_with_cmake() {
  local name=$1
  shift
  cmake -S "$example_dir" -B "$scratch/$name" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" "$@" >/dev/null
  cmake --build "$scratch/$name" -j2 >/dev/null
  "$scratch/$name/consumer" "$scratch/$name.db"
  echo "check_consumer: $name ok"
}

consume_with_cmake cmake-static
pc_file=$(find "$prefix" -name quiver.pc)
shared_library=$(find "$prefix" -name 'libquiver.so' | head -n 1)
if [ -n "$shared_library" ]; then
  consume_with_cmake cmake-shared -DCONSUMER_LINK_SHARED=ON
  ldd "$scratch/cmake-shared/consumer" | grep -q "libquiver.so" || {
    echo "check_consumer: the shared consumer does not load libquiver.so" >&2
    exit 1
  }
fi

# pkg-config: a plain compiler line, as a Makefile would write it.
export PKG_CONFIG_PATH=$(dirname "$pc_file")
read -r -a pc_flags <<<"$(pkg-config --cflags --libs quiver)"
c++ -std=c++20 -O1 "$example_dir/main.cc" -o "$scratch/pkg-config-consumer" "${pc_flags[@]}"
LD_LIBRARY_PATH=$(dirname "${shared_library:-$pc_file}") \
  "$scratch/pkg-config-consumer" "$scratch/pkg-config.db"
echo "check_consumer: pkg-config ok"
