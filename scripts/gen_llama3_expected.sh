#!/usr/bin/env bash
# Regenerates tests/tokenizer/data/hf_expected.json (committed) from Hugging Face tokenizers'
# Node binding. Needs node, npm and the npm registry; run by hand when the cases change.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/fetch_test_data.sh"
gen="$root/.cache/llama3-gen"
mkdir -p "$gen"
[ -f "$gen/package.json" ] || echo '{"private": true}' >"$gen/package.json"
if [ ! -d "$gen/node_modules/@anush008/tokenizers-linux-x64-gnu" ]; then
  (cd "$gen" && npm install --no-audit --no-fund --silent \
     @anush008/tokenizers@0.6.0 @anush008/tokenizers-linux-x64-gnu@0.6.0)
fi
QUIVER_GEN_NODE_MODULES="$gen/node_modules" node "$root/scripts/gen_llama3_expected.mjs" \
  "$root/.cache/testdata" "$root/tests/tokenizer/data/hf_expected.json"
