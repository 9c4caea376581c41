#!/usr/bin/env bash
# Checks the module layering of docs/design.md:
#   1. each quiver module includes only its own headers, those of the modules to its left,
#      and the installed API (a source scan, for readable messages);
#   2. each third-party library is included only by the module that owns it;
#   3. the build enforces 1: probes compiled with a module's include paths fail when they
#      include a header of a module to the right (CMake targets in tests/CMakeLists.txt).
# Usage: scripts/check_layering.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${QUIVER_BUILD_DIR:-$root/build}}
failures=0
fail() {
  echo "check_layering: $*" >&2
  failures=$((failures + 1))
}

# Module -> the quiver modules it may include (besides itself and quiver/).
declare -A allowed=(
  [util]=""
  [storage]="util"
  [index]="util"
  [text]="util"
  [tokenizer]="util"
  [embed]="util tokenizer"
  [ingest]="util tokenizer embed"
  [engine]="util storage index text tokenizer embed ingest"
  [cli]=""
  [python]=""
)
# Third-party header prefix -> the one module that may include it.
declare -A owner=(
  [rocksdb/]=storage [faiss/]=index [sentencepiece]=tokenizer [pcre2.h]=tokenizer
  [Eigen/]=embed [utf8proc.h]=util [xxhash.h]=util [zlib.h]=ingest
  [boost/program_options]=cli [libstemmer.h]=text [unicode/]=text [pybind11/]=python
)

for module in "${!allowed[@]}"; do
  [ -d "$root/$module" ] || continue
  while IFS=: read -r file line include; do
    header=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$include")
    dep=${header%%/*}
    [ "$header" = "$dep" ] && continue  # a header beside the file
    [ "$dep" = "$module" ] || [ "$dep" = "quiver" ] && continue
    [[ " ${allowed[$module]} " == *" $dep "* ]] && continue
    fail "${file#$root/}:$line includes $header, but $module/ may use only: ${allowed[$module]:-none} (and quiver/)"
  done < <(grep -rnE '^#include "' --include='*.h' --include='*.cc' "$root/$module")
done

for prefix in "${!owner[@]}"; do
  while IFS=: read -r file line _; do
    rel=${file#$root/}
    module=${rel%%/*}
    [ "$module" = "${owner[$prefix]}" ] && continue
    fail "$rel:$line includes <$prefix...>, which only ${owner[$prefix]}/ may include"
  done < <(grep -rnF "#include <$prefix" --include='*.h' --include='*.cc' \
             "$root"/{util,storage,index,text,tokenizer,embed,ingest,engine,cli,python} 2>/dev/null)
done

# The build refuses what the scan forbids; and the allowed probe proves the probes can build.
probe() {  # probe TARGET expect(ok|fail) HEADER
  local output
  output=$(cmake --build "$build" --target "$1" 2>&1)
  local status=$?
  if [ "$2" = ok ] && [ $status -ne 0 ]; then
    fail "probe $1 should compile but did not:"$'\n'"$output"
  elif [ "$2" = fail ]; then
    if [ $status -eq 0 ]; then
      fail "probe $1 compiled, so the build does not stop a module from including $3"
    elif ! grep -q "$3: No such file" <<<"$output"; then
      fail "probe $1 failed for another reason than a hidden $3:"$'\n'"$output"
    fi
  fi
}
if [ -f "$build/build.ninja" ] || [ -f "$build/Makefile" ]; then
  probe layering_probe_allowed ok ""
  probe layering_probe_tokenizer_engine fail engine/db_impl.h
  probe layering_probe_cli_storage fail storage/store.h
else
  fail "no build in $build: the build-enforcement probes did not run"
fi

if ((failures)); then
  echo "check_layering: $failures problem(s)" >&2
  exit 1
fi
echo "check_layering: module includes, third-party owners and build enforcement all hold"
