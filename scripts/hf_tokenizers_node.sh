#!/usr/bin/env bash
# Prints the node_modules directory holding Hugging Face tokenizers' Node binding
# (@anush008/tokenizers 0.6.0 = tokenizers 0.22.2, prebuilt -linux-x64-gnu), installing it from
# the npm registry into .cache/hf-tokenizers-node first when it is not there yet. The fixture
# generators (gen_llama3_expected.sh, gen_wordpiece_fixture.sh) check quiver against it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gen="$root/.cache/hf-tokenizers-node"
mkdir -p "$gen"
[ -f "$gen/package.json" ] || echo '{"private": true}' >"$gen/package.json"
if [ ! -d "$gen/node_modules/@anush008/tokenizers-linux-x64-gnu" ]; then
  (cd "$gen" && npm install --no-audit --no-fund --silent \
     @anush008/tokenizers@0.6.0 @anush008/tokenizers-linux-x64-gnu@0.6.0) >&2
fi
echo "$gen/node_modules"
