// The Precompiled normalizer of a tokenizer.json: sentencepiece's compiled normalization rules
// (its precompiled_charsmap, e.g. nmt_nfkc), applied as tokenizers' Precompiled normalizer
// (the spm_precompiled crate) applies them. The charsmap is a little-endian u32 trie size, a
// darts-clone double-array trie of that many bytes over the UTF-8 bytes of the source text, and
// the replacement strings, each ended by a NUL, that the trie's values point at.
//
// Like tokenizers, the text is visited one extended grapheme cluster at a time: a cluster of
// fewer than 6 bytes is looked up as a whole, and the first (shortest) rule whose key is a
// prefix of it replaces the whole cluster; otherwise, and for longer clusters, each character is
// looked up on its own. The alignment to the original text follows tokenizers'
// NormalizedString::transform with the (char, change) list its Precompiled builds, including its
// quirks (a character removed at the very start shifts the alignment of the ones after it).
#include <nlohmann/json.hpp>

#include "tokenizer/hf_components.h"
#include "tokenizer/hf_parse.h"
#include "util/utf8.h"

namespace quiver::hf {

using nlohmann::json;

namespace {

// Standard base64 (with or without padding); false on any other character.
bool DecodeBase64(std::string_view in, std::string& out) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

// One character of the normalized text and how it relates to the source characters, as in
// tokenizers: 0 replaces the next source character, 1 is inserted, -n replaces the next source
// character and removes the n after it.
struct Change {
  std::string_view ch;
  int change;
};

class PrecompiledNormalizer : public Normalizer {
 public:
  static Result<std::unique_ptr<Normalizer>> Create(std::string_view charsmap);
  Status Apply(NormText& t) const override;

 private:
  // The replacement of the first rule whose key is a prefix of `chunk`, if any.
  bool Transform(std::string_view chunk, std::string_view& out) const;
  // tokenizers' `replace`: the changes that turn `old_part` into `norm`.
  static void Replace(std::vector<Change>& changes, std::string_view old_part,
                      std::string_view norm);

  std::vector<uint32_t> units_;
  std::string normalized_;
};

Result<std::unique_ptr<Normalizer>> PrecompiledNormalizer::Create(std::string_view map) {
  if (map.size() < 4) return Status::InvalidArgument("precompiled_charsmap is too short");
  const auto u32 = [&](size_t at) {
    uint32_t v = 0;
    for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(map[at + k]);
    return v;
  };
  const uint32_t trie_bytes = u32(0);
  if (trie_bytes / 4 * 4 + 4 > map.size() || trie_bytes < 4) {
    return Status::InvalidArgument("precompiled_charsmap trie size " + std::to_string(trie_bytes) +
                                   " does not fit its " + std::to_string(map.size()) + " bytes");
  }
  auto n = std::make_unique<PrecompiledNormalizer>();
  n->units_.resize(trie_bytes / 4);
  for (size_t i = 0; i < n->units_.size(); ++i) n->units_[i] = u32(4 + 4 * i);
  n->normalized_.assign(map.substr(4 + n->units_.size() * 4));
  if (!utf8::IsValid(n->normalized_)) {
    return Status::InvalidArgument("precompiled_charsmap strings are not UTF-8");
  }
  return std::unique_ptr<Normalizer>(std::move(n));
}

// darts-clone's unit layout: has_leaf bit 8, value the low 31 bits, label the low byte and bit
// 31, offset bits 10.. shifted by 8 more when bit 9 is set.
bool PrecompiledNormalizer::Transform(std::string_view chunk, std::string_view& out) const {
  const auto offset = [](uint32_t u) -> size_t { return (u >> 10) << ((u & (1u << 9)) >> 6); };
  size_t pos = offset(units_[0]);
  for (char ch : chunk) {
    const auto c = static_cast<uint8_t>(ch);
    if (c == 0) return false;
    pos ^= c;
    if (pos >= units_.size()) return false;
    const uint32_t unit = units_[pos];
    if ((unit & ((1u << 31) | 0xFF)) != c) return false;
    pos ^= offset(unit);
    if (pos >= units_.size()) return false;
    if ((unit >> 8) & 1) {
      const size_t value = units_[pos] & ((1u << 31) - 1);
      if (value > normalized_.size()) return false;
      const size_t end = normalized_.find('\0', value);
      out = std::string_view(normalized_)
                .substr(value, end == std::string::npos ? std::string::npos : end - value);
      return true;
    }
  }
  return false;
}

void PrecompiledNormalizer::Replace(std::vector<Change>& changes, std::string_view old_part,
                                    std::string_view norm) {
  const auto count = [](std::string_view s) {
    size_t n = 0;
    for (char c : s) n += !utf8::IsContinuationByte(c);
    return static_cast<int>(n);
  };
  const int diff = count(norm) - count(old_part);
  for (size_t i = 0; i < norm.size();) {
    const size_t len = utf8::CharLengthAt(norm, i);
    changes.push_back({norm.substr(i, len), 0});
    i += len;
  }
  if (diff > 0) {
    for (size_t k = 0; k < static_cast<size_t>(diff) && k < changes.size(); ++k) {
      changes[changes.size() - 1 - k].change = 1;
    }
  } else if (diff < 0 && !changes.empty()) {
    changes.back().change += diff;  // may be an earlier grapheme's character, as in tokenizers
  }
}

Status PrecompiledNormalizer::Apply(NormText& t) const {
  std::vector<Change> changes;
  changes.reserve(t.text.size());
  bool modified = false;
  const std::string_view text = t.text;
  std::string_view norm;
  utf8::ForEachGrapheme(text, [&](size_t b, size_t e) {
    const std::string_view g = text.substr(b, e - b);
    if (g.size() < 6 && Transform(g, norm)) {
      modified = true;
      return Replace(changes, g, norm);
    }
    for (size_t i = 0; i < g.size();) {
      const size_t len = utf8::CharLengthAt(g, i);
      const std::string_view part = g.substr(i, len);
      if (Transform(part, norm)) {
        modified = true;
        Replace(changes, part, norm);
      } else {
        changes.push_back({part, 0});
      }
      i += len;
    }
  });
  if (!modified) return Status::OK();
  // NormalizedString::transform: each character takes the alignment of the source character it
  // replaces (or, inserted, of the one before), then consumes its source characters.
  NormBuilder nb(t);
  size_t off = 0;
  for (const Change& c : changes) {
    if (c.change > 0) {
      if (off == 0) {
        nb.Insert(c.ch, 0, utf8::CharLengthAt(text, 0));
      } else {
        size_t start = off - 1;
        while (start > 0 && utf8::IsContinuationByte(text[start])) --start;
        nb.Insert(c.ch, start, off);
      }
      continue;
    }
    if (off >= text.size()) {  // nothing left to replace (tokenizers would stop here)
      nb.Insert(c.ch, text.size() - utf8::CharLengthAt(text, text.size() - 1), text.size());
      continue;
    }
    const size_t len = utf8::CharLengthAt(text, off);
    nb.Insert(c.ch, off, off + len);
    off += len;
    for (int k = 0; k < -c.change && off < text.size(); ++k) off += utf8::CharLengthAt(text, off);
  }
  t = nb.Finish();
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Normalizer>> ParsePrecompiled(const json& j) {
  const json& map = j.at("precompiled_charsmap");
  if (!map.is_string()) {
    return Status::InvalidArgument("Precompiled normalizer: precompiled_charsmap must be base64");
  }
  std::string bytes;
  if (!DecodeBase64(map.get_ref<const std::string&>(), bytes)) {
    return Status::InvalidArgument("Precompiled normalizer: precompiled_charsmap is not base64");
  }
  auto n = PrecompiledNormalizer::Create(bytes);
  if (!n.ok()) return n.status().WithContext("Precompiled normalizer");
  return n;
}

}  // namespace quiver::hf
