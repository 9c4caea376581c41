// The word tokenizer for word-vector models (GloVe convention).
#include <locale.h>
#include <wctype.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tokenizer/blob.h"
#include "tokenizer/bpe.h"
#include "tokenizer/internal.h"
#include "tokenizer/regex.h"
#include "tokenizer/tokenizer.h"
#include "util/utf8.h"

namespace quiver {

namespace {

using nlohmann::json;

// Numbers keep inner periods and commas; words keep inner hyphens and apostrophes; any other
// non-space character stands alone.
constexpr std::string_view kWordPattern =
    R"(\p{N}+(?:[.,]\p{N}+)+|[\p{L}\p{M}\p{N}]+(?:[-'’][\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}])";

// English clitics split off the end of a word, longest first (Penn Treebank style).
constexpr std::string_view kClitics[] = {"n't", "'ll", "'re", "'ve", "'s", "'d", "'m"};

locale_t Utf8Locale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

// Lower-cases `s` (Unicode simple case mapping) and turns ’ into '.
std::string Fold(std::string_view s, bool lowercase) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = utf8::ValidSequenceLength(s, i);
    if (len == 0) len = 1;
    char32_t c = utf8::DecodeAt(s, i, len);
    if (c == U'\u2019') c = '\'';
    if (lowercase) {
      if (c < 0x80) {
        if (c >= 'A' && c <= 'Z') c += 32;
      } else if (Utf8Locale()) {
        c = static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), Utf8Locale()));
      }
    }
    utf8::Append(out, c);
    i += len;
  }
  return out;
}

// Length in bytes of the clitic ending `word` (compared after folding), or 0.
size_t CliticLength(std::string_view word) {
  // Try the original bytes with both apostrophes, ASCII case-insensitively.
  for (std::string_view clitic : kClitics) {
    for (std::string_view apostrophe : {std::string_view("'"), std::string_view("\u2019")}) {
      std::string form(clitic);
      const size_t ap = form.find('\'');
      form.replace(ap, 1, apostrophe);
      if (word.size() <= form.size()) continue;
      const std::string_view tail = word.substr(word.size() - form.size());
      bool same = true;
      for (size_t k = 0; k < form.size() && same; ++k) {
        same = std::tolower(static_cast<unsigned char>(tail[k])) ==
               static_cast<unsigned char>(form[k]);
      }
      if (same) return form.size();
    }
  }
  return 0;
}

class WordTokenizer : public Tokenizer {
 public:
  static Result<std::unique_ptr<Tokenizer>> Create(std::vector<std::string> vocab,
                                                   const WordTokenizerOptions& options) {
    auto tok = std::unique_ptr<WordTokenizer>(new WordTokenizer());
    QUIVER_ASSIGN_OR_RETURN(tok->regex_, Regex::Compile(kWordPattern));
    tok->options_ = options;
    if (options.unk_token.empty()) return Status::InvalidArgument("unk_token must not be empty");
    for (size_t i = 0; i < vocab.size(); ++i) {
      if (vocab[i].empty()) {
        return Status::InvalidArgument("vocabulary entry " + std::to_string(i) + " is empty");
      }
      if (!tok->ids_.emplace(vocab[i], static_cast<int32_t>(i)).second) {
        return Status::InvalidArgument("vocabulary entry \"" + vocab[i] + "\" appears twice");
      }
    }
    if (vocab.size() >= 0x7FFFFFFF) return Status::InvalidArgument("vocabulary too large");
    auto unk = tok->ids_.find(options.unk_token);
    if (unk == tok->ids_.end()) {
      vocab.push_back(options.unk_token);
      unk = tok->ids_.emplace(options.unk_token, static_cast<int32_t>(vocab.size() - 1)).first;
    }
    tok->unk_id_ = unk->second;
    tok->vocab_ = std::move(vocab);
    return std::unique_ptr<Tokenizer>(std::move(tok));
  }

  TokenizerKind kind() const override { return TokenizerKind::kWord; }

  Result<Encoding> Encode(std::string_view text, const EncodeOptions& options) const override {
    Encoding enc;
    QUIVER_RETURN_IF_ERROR(Run(text, [&](int32_t id, uint32_t b, uint32_t e) {
      enc.ids.push_back(id);
      enc.pieces.push_back(vocab_[id]);
      enc.offsets.push_back({b, e});
    }));
    TruncateKeepingLeading(options.max_length, 0, enc);
    return enc;
  }

  Result<std::vector<int32_t>> EncodeIds(std::string_view text,
                                         const EncodeOptions& options) const override {
    std::vector<int32_t> ids;
    QUIVER_RETURN_IF_ERROR(Run(text, [&](int32_t id, uint32_t, uint32_t) { ids.push_back(id); }));
    TruncateKeepingLeading(options.max_length, 0, ids);
    return ids;
  }

  // Words joined by single spaces: the word tokenizer drops spacing, so this is not the
  // original text.
  Result<std::string> Decode(std::span<const int32_t> ids, bool) const override {
    std::string out;
    for (int32_t id : ids) {
      if (id < 0 || id >= vocab_size()) {
        return Status::InvalidArgument("token id " + std::to_string(id) + " is outside [0, " +
                                       std::to_string(vocab_size()) + ")");
      }
      if (!out.empty()) out += ' ';
      out += vocab_[id];
    }
    return out;
  }

  int32_t vocab_size() const override { return static_cast<int32_t>(vocab_.size()); }
  Result<std::string> IdToPiece(int32_t id) const override {
    if (id < 0 || id >= vocab_size())
      return Status::NotFound("no token with id " + std::to_string(id));
    return vocab_[id];
  }
  std::optional<int32_t> PieceToId(std::string_view piece) const override {
    auto it = ids_.find(piece);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  bool IsSpecial(int32_t) const override { return false; }
  SpecialTokenIds special_tokens() const override { return {-1, -1, unk_id_, -1}; }
  bool adds_bos() const override { return false; }

  Result<std::string> Serialize() const override {
    json j;
    j["options"] = {{"lowercase", options_.lowercase},
                    {"split_contractions", options_.split_contractions},
                    {"unk_token", options_.unk_token}};
    j["vocab"] = vocab_;
    try {
      return blob::Encode(TokenizerKind::kWord, j.dump());
    } catch (const json::exception& e) {
      return Status::InvalidArgument(std::string("cannot serialize vocabulary: ") + e.what());
    }
  }

 private:
  WordTokenizer() = default;

  template <typename Emit>
  Status Run(std::string_view raw, Emit emit) const {
    std::vector<uint32_t> invalid;
    std::string clean;
    std::string_view text = raw;
    if (!utf8::IsValid(raw)) {
      clean = utf8::Sanitize(raw, &invalid);
      text = clean;
    }
    const utf8::SanitizedOffsetMap map(&invalid);
    const auto out = [&](std::string_view word, size_t b, size_t e) {
      auto it = ids_.find(Fold(word, options_.lowercase));
      const int32_t id = it == ids_.end() ? unk_id_ : it->second;
      uint32_t ob = static_cast<uint32_t>(b), oe = static_cast<uint32_t>(e);
      if (!invalid.empty()) {
        ob = map.ToOriginal(ob);
        oe = map.ToOriginal(oe);
      }
      emit(id, ob, oe);
    };
    return regex_->ForEachMatch(text, [&](size_t b, size_t e) {
      const std::string_view word = text.substr(b, e - b);
      const size_t clitic = options_.split_contractions ? CliticLength(word) : 0;
      if (clitic == 0) {
        out(word, b, e);
      } else {
        out(word.substr(0, word.size() - clitic), b, e - clitic);
        out(word.substr(word.size() - clitic), e - clitic, e);
      }
    });
  }

  std::unique_ptr<Regex> regex_;
  WordTokenizerOptions options_;
  std::vector<std::string> vocab_;
  StringIdMap ids_;
  int32_t unk_id_ = 0;
};

}  // namespace

Result<std::unique_ptr<Tokenizer>> MakeWordTokenizer(std::vector<std::string> vocab,
                                                     const WordTokenizerOptions& options) {
  return WordTokenizer::Create(std::move(vocab), options);
}

Result<std::unique_ptr<Tokenizer>> LoadWordVocabFile(const std::string& path,
                                                     const WordTokenizerOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  std::vector<std::string> vocab;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t sp = line.find(' ');
    vocab.push_back(line.substr(0, sp));
  }
  if (in.bad()) return Status::IOError("cannot read " + path);
  auto tok = MakeWordTokenizer(std::move(vocab), options);
  if (!tok.ok()) return tok.status().WithContext(path);
  return tok;
}

Result<std::unique_ptr<Tokenizer>> LoadWordTokenizerPayload(std::string_view payload) {
  try {
    const json j = json::parse(payload);
    WordTokenizerOptions options;
    const json& o = j.at("options");
    options.lowercase = o.at("lowercase").get<bool>();
    options.split_contractions = o.at("split_contractions").get<bool>();
    options.unk_token = o.at("unk_token").get<std::string>();
    return MakeWordTokenizer(j.at("vocab").get<std::vector<std::string>>(), options);
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("word tokenizer blob is malformed: ") + e.what());
  }
}

}  // namespace quiver
