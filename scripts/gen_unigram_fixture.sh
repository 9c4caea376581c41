#!/usr/bin/env bash
# Regenerates the Unigram fixtures in tests/tokenizer/data (unigram_xlmr.json and
# unigram_expected.json, both committed): trains a small sentencepiece unigram model on Debian's
# license texts and man pages and converts it into an XLM-R-style tokenizer.json
# (gen_unigram_fixture.py, Debian python3-sentencepiece), then records what Hugging Face
# tokenizers' Node binding gives for it (gen_unigram_fixture.mjs). Needs node, npm and the npm
# registry; run by hand when the cases change.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data="$root/tests/tokenizer/data"
/usr/bin/python3 "$root/scripts/gen_unigram_fixture.py" "$data"
modules=$("$root/scripts/hf_tokenizers_node.sh")
QUIVER_GEN_NODE_MODULES="$modules" node "$root/scripts/gen_unigram_fixture.mjs" "$data"
