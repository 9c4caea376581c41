#!/usr/bin/env bash
# Regenerates the transformer-encoder fixtures in tests/fixtures/encoders (committed): tiny
# random sentence-transformers model directories and their expected outputs from a PyTorch
# reference (scripts/gen_encoder_fixtures.py), token ids from Hugging Face tokenizers' Node
# binding. Needs Debian's python3-torch, node, npm and the npm registry; run by hand when the
# cases change.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
modules=$("$root/scripts/hf_tokenizers_node.sh")
QUIVER_GEN_NODE_MODULES="$modules" /usr/bin/python3 "$root/scripts/gen_encoder_fixtures.py" \
  "$root/tests/fixtures/encoders" "$root/tests/tokenizer/data" \
  "$root/scripts/gen_encoder_fixtures.mjs"
