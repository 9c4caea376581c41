#!/usr/bin/env bash
# Builds one libFuzzer target of fuzz/ with clang (-fsanitize=fuzzer,address,undefined) and
# runs it for a bounded time, starting from its committed seeds in fuzz/corpus/TARGET/.
#   scripts/fuzz.sh TARGET [SECONDS]     # SECONDS defaults to 60
#   scripts/fuzz.sh list                 # the targets
# TARGET is one of: tokenizer safetensors word_vectors jsonl csv filter query.
# Needs clang (`apt-get install clang` on Debian 12) besides the packages of setup.sh. Not part
# of the CMake build or CI. The binary and the growing corpus live in build-fuzz/ (or
# $QUIVER_FUZZ_DIR); a crash is written there as crash-* and re-runs with
#   build-fuzz/TARGET_fuzz build-fuzz/crash-...
# Exits non-zero when the target crashes, leaks or trips a sanitizer.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
targets="tokenizer safetensors word_vectors jsonl csv filter query"
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]; TARGET: $targets}
seconds=${2:-60}
if [ "$target" = list ]; then
  echo "$targets"
  exit 0
fi
command -v clang++ >/dev/null || { echo "fuzz: clang++ is required (apt-get install clang)" >&2; exit 1; }

# Each target compiles the real sources of the code it fuzzes (plus util/) and links the
# libraries they need, nothing else: a small build, independent of the CMake tree.
util=("$root"/util/*.cc)
case "$target" in
  tokenizer) sources=("$root"/tokenizer/*.cc) packages="sentencepiece libpcre2-8" libs=() ;;
  safetensors) sources=("$root/embed/safetensors.cc") packages="" libs=() ;;
  word_vectors) sources=("$root/embed/word_vectors.cc") packages="" libs=() ;;
  jsonl) sources=("$root/ingest/record_readers.cc" "$root/ingest/csv_values.cc"
    "$root/cli/jsonl_records.cc") packages="" libs=() ;;
  csv) sources=("$root/ingest/record_readers.cc" "$root/ingest/csv_values.cc") packages="" libs=() ;;
  filter) sources=("$root/engine/metadata_filter.cc" "$root/tokenizer/regex.cc")
    packages="libpcre2-8" libs=() ;;
  query) sources=("$root"/text/*.cc) packages="icu-uc icu-i18n" libs=(-lstemmer) ;;
  *)
    echo "fuzz: expected a target among: $targets; found '$target'" >&2
    exit 2
    ;;
esac
packages="$packages libutf8proc libxxhash"
# Loaders of files get room for a few records; parsers of one line or query, less.
case "$target" in safetensors | word_vectors | jsonl | csv) max_len=65536 ;; *) max_len=4096 ;; esac
out=${QUIVER_FUZZ_DIR:-$root/build-fuzz}
binary="$out/${target}_fuzz"
harness="$root/fuzz/${target}_fuzz.cc"
mkdir -p "$out/corpus-$target"
# Objects are kept per source file in $out/obj (shared by the targets; ccache when present)
# and rebuilt when their source or any header is newer.
# shellcheck disable=SC2054  # the commas are clang's list of sanitizers
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -I"$root" -I"$root/include")
# shellcheck disable=SC2086
read -r -a package_flags <<<"$(pkg-config --cflags $packages)"
compiler=(clang++)
command -v ccache >/dev/null && compiler=(ccache clang++) && export CCACHE_BASEDIR=$root
newest_header=$(find "$root"/{include/quiver,util,embed,ingest,cli,engine,text,tokenizer,fuzz} \
  -name '*.h' -printf '%T@\n' | sort -n | tail -1)
objects=()
for src in "${sources[@]}" "${util[@]}" "$harness"; do
  obj="$out/obj/${src#"$root"/}.o"
  objects+=("$obj")
  if [ -f "$obj" ] && [ "$obj" -nt "$src" ] &&
    awk -v h="$newest_header" -v o="$(stat -c %Y "$obj")" 'BEGIN { exit !(o >= h) }'; then
    continue
  fi
  echo "fuzz: compiling ${src#"$root"/}"
  mkdir -p "$(dirname "$obj")"
  "${compiler[@]}" "${flags[@]}" "${package_flags[@]}" -c "$src" -o "$obj"
done
# shellcheck disable=SC2046,SC2086
clang++ "${flags[@]}" "${objects[@]}" $(pkg-config --libs $packages) "${libs[@]}" -o "$binary"
cp -n "$root/fuzz/corpus/$target"/* "$out/corpus-$target/" 2>/dev/null || true
cd "$out"
"$binary" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 "corpus-$target"
