#!/usr/bin/env bash
# Builds fuzz/tokenizer_fuzz.cc with clang's libFuzzer and AddressSanitizer and runs it for a
# bounded time (default 60 s): the tokenizer.json loader and the encoders/decoders.
#   scripts/fuzz_tokenizer.sh [SECONDS]
# Needs clang (`apt-get install clang` on Debian 12) besides the packages of setup.sh. Not part
# of the CMake build or CI. Crashes are written to build-fuzz/ as crash-* files; re-run one with
#   build-fuzz/tokenizer_fuzz build-fuzz/crash-...
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
out="$root/build-fuzz"
mkdir -p "$out/corpus"
command -v clang++ >/dev/null || { echo "fuzz_tokenizer: clang++ is required (apt-get install clang)" >&2; exit 1; }

sources=("$root"/tokenizer/*.cc "$root/fuzz/tokenizer_fuzz.cc")
if [ ! -x "$out/tokenizer_fuzz" ] || [ -n "$(find "${sources[@]}" "$root"/tokenizer/*.h -newer "$out/tokenizer_fuzz")" ]; then
  echo "fuzz_tokenizer: building $out/tokenizer_fuzz"
  # shellcheck disable=SC2046
  clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root" -I"$root/include" $(pkg-config --cflags sentencepiece libpcre2-8) \
    "${sources[@]}" "$root/engine/status.cc" \
    $(pkg-config --libs sentencepiece libpcre2-8) -o "$out/tokenizer_fuzz"
fi
cp -n "$root"/fuzz/corpus/* "$out/corpus/" 2>/dev/null || true
cd "$out"
./tokenizer_fuzz -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 corpus
