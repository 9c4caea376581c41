// libFuzzer target for the tokenizer.json loader and the encoders (not part of the CMake
// build; see scripts/fuzz.sh tokenizer). The first input byte picks what the rest feeds:
//   0: LoadHuggingFaceJson(rest), then encode and decode a fixed text with what loaded;
//   1: the rest is text for a small byte-level BPE with added tokens (regex pre-tokenizer);
//   2: the rest is text for a small sentencepiece-style BPE (normalizers, byte fallback);
//   3: the rest is text for the word tokenizer;
//   4: the rest is read as token ids (4 bytes each) and decoded by the byte-level BPE.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace {

constexpr std::string_view kByteLevel = R"({
  "version": "1.0", "truncation": null, "padding": null,
  "added_tokens": [{"id": 9, "content": "<eos>", "special": true, "normalized": false,
                    "lstrip": true, "rstrip": true, "single_word": false}],
  "normalizer": {"type": "Sequence", "normalizers": [{"type": "Lowercase"},
                 {"type": "Replace", "pattern": {"Regex": "\\s{3,}"}, "content": "  "}]},
  "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
    {"type": "Split", "pattern": {"Regex": "(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
     "behavior": "Isolated", "invert": false},
    {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]},
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<eos>", "type_id": 0}}],
    "pair": [], "special_tokens": {"<eos>": {"id": "<eos>", "ids": [9], "tokens": ["<eos>"]}}},
  "decoder": {"type": "ByteLevel"},
  "model": {"type": "BPE", "unk_token": null, "ignore_merges": true,
    "vocab": {"a": 0, "b": 1, "c": 2, "Ġ": 3, "ab": 4, "abc": 5, "Ġa": 6, "bc": 7, "x": 8},
    "merges": [["a", "b"], ["ab", "c"], ["Ġ", "a"], ["b", "c"]]}
})";

constexpr std::string_view kMetaspace = R"({
  "version": "1.0", "truncation": null, "padding": null,
  "added_tokens": [{"id": 0, "content": "<unk>", "special": true, "normalized": false},
                   {"id": 1, "content": "<s>", "special": true, "normalized": false}],
  "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
                 {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
  "pre_tokenizer": null,
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
    "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
  "decoder": {"type": "Sequence", "decoders": [
    {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
    {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
  "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true,
    "vocab": {"<unk>": 0, "<s>": 1, "▁": 2, "h": 3, "i": 4, "▁h": 5, "▁hi": 6, "<0xC3>": 7,
              "<0xA9>": 8},
    "merges": ["▁ h", "▁h i"]}
})";

std::unique_ptr<quiver::Tokenizer> MustLoad(std::string_view json) {
  auto tok = quiver::LoadHuggingFaceJson(json);
  if (!tok.ok()) __builtin_trap();
  return std::move(tok.value());
}

void Exercise(const quiver::Tokenizer& tok, std::string_view text) {
  auto enc = tok.Encode(text);
  if (!enc.ok()) return;
  for (const quiver::TokenOffset& o : enc->offsets) {
    if (o.begin > o.end || o.end > text.size()) __builtin_trap();
  }
  auto ids = tok.EncodeIds(text);
  if (!ids.ok() || ids.value() != enc->ids) __builtin_trap();
  (void)tok.Decode(enc->ids);
  (void)tok.Decode(enc->ids, false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto byte_level = MustLoad(kByteLevel);
  static const auto metaspace = MustLoad(kMetaspace);
  static const auto word = std::move(quiver::MakeWordTokenizer({"the", "a", ",", "n't"}).value());
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto tok = quiver::LoadHuggingFaceJson(rest);
      if (tok.ok()) Exercise(**tok, "Hello world, naïve 🦙 <eos> \xFF end");
      break;
    }
    case 1:
      Exercise(*byte_level, rest);
      break;
    case 2:
      Exercise(*metaspace, rest);
      break;
    case 3:
      Exercise(*word, rest);
      break;
    default: {
      std::vector<int32_t> ids(rest.size() / 4);
      if (!ids.empty()) std::memcpy(ids.data(), rest.data(), ids.size() * 4);
      (void)byte_level->Decode(ids);
      break;
    }
  }
  return 0;
}
