#!/usr/bin/env bash
# Regenerates the WordPiece fixtures in tests/tokenizer/data (wordpiece_uncased.json,
# wordpiece_cased.json and wordpiece_expected.json, all committed) with Hugging Face tokenizers'
# Node binding. Needs node, npm and the npm registry; run by hand when the cases change.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gen="$root/.cache/wordpiece-gen"
mkdir -p "$gen"
[ -f "$gen/package.json" ] || echo '{"private": true}' >"$gen/package.json"
if [ ! -d "$gen/node_modules/@anush008/tokenizers-linux-x64-gnu" ]; then
  (cd "$gen" && npm install --no-audit --no-fund --silent \
     @anush008/tokenizers@0.6.0 @anush008/tokenizers-linux-x64-gnu@0.6.0)
fi
QUIVER_GEN_NODE_MODULES="$gen/node_modules" node "$root/scripts/gen_wordpiece_fixture.mjs" \
  "$root/tests/tokenizer/data"
