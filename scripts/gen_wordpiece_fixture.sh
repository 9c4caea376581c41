#!/usr/bin/env bash
# Regenerates the WordPiece fixtures in tests/tokenizer/data (wordpiece_uncased.json,
# wordpiece_cased.json and wordpiece_expected.json, all committed) with Hugging Face tokenizers'
# Node binding. Needs node, npm and the npm registry; run by hand when the cases change.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
modules=$("$root/scripts/hf_tokenizers_node.sh")
QUIVER_GEN_NODE_MODULES="$modules" node "$root/scripts/gen_wordpiece_fixture.mjs" \
  "$root/tests/tokenizer/data"
