#!/usr/bin/env bash
# Regenerates tests/tokenizer/data/hf_expected.json (committed) from Hugging Face tokenizers'
# Node binding. Needs node, npm and the npm registry; run by hand when the cases change.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/fetch_test_data.sh"
modules=$("$root/scripts/hf_tokenizers_node.sh")
QUIVER_GEN_NODE_MODULES="$modules" node "$root/scripts/gen_llama3_expected.mjs" \
  "$root/.cache/testdata" "$root/tests/tokenizer/data/hf_expected.json"
