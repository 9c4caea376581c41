// The pre-tokenizers of a tokenizer.json (normalized text → the pieces the model sees) and
// ParsePreTokenizer.
#include <cctype>
#include <nlohmann/json.hpp>

#include "tokenizer/hf_components.h"
#include "tokenizer/hf_parse.h"
#include "tokenizer/regex.h"
#include "util/utf8.h"

namespace quiver::hf {

using nlohmann::json;

namespace {

// Non-empty byte ranges [b, e) of `text` and whether each is a match of `re`, covering all of
// text in order (tokenizers' find_matches).
Result<std::vector<std::pair<std::pair<size_t, size_t>, bool>>> FindMatches(const Regex& re,
                                                                            std::string_view text) {
  std::vector<std::pair<std::pair<size_t, size_t>, bool>> out;
  size_t prev = 0;
  Status s = re.ForEachMatch(text, [&](size_t b, size_t e) {
    if (prev != b) out.push_back({{prev, b}, false});
    out.push_back({{b, e}, true});
    prev = e;
  });
  if (!s.ok()) return s;
  if (prev != text.size()) out.push_back({{prev, text.size()}, false});
  return out;
}

// A view of piece bytes [b, e).
void SubPiece(const Piece& p, size_t b, size_t e, Piece& out) {
  out.text = p.text.substr(b, e - b);
  if (p.ob) {
    out.ob = p.ob + b;
    out.oe = p.oe + b;
  }
  out.at_text_start = p.at_text_start && b == 0;
}

// Builds an owned piece from `p` by rewriting: `emit(out_bytes, src_b, src_e)` pairs.
class PieceRewriter {
 public:
  PieceRewriter(const Piece& src, Piece& dst) : src_(src), dst_(dst) {
    dst_.at_text_start = src.at_text_start;
  }
  void Add(std::string_view bytes, size_t b, size_t e) {
    dst_.owned_text.append(bytes);
    if (!src_.ob) return;
    dst_.owned_ob.insert(dst_.owned_ob.end(), bytes.size(), src_.ob[b]);
    dst_.owned_oe.insert(dst_.owned_oe.end(), bytes.size(), src_.oe[e - 1]);
  }
  void Finish() {
    dst_.text = dst_.owned_text;
    if (src_.ob) {
      dst_.ob = dst_.owned_ob.data();
      dst_.oe = dst_.owned_oe.data();
    }
  }

 private:
  const Piece& src_;
  Piece& dst_;
};

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> parts)
      : parts_(std::move(parts)) {}
  Status Apply(const Piece& piece, const PieceSink& sink) const override {
    return ApplyFrom(0, piece, sink);
  }

 private:
  Status ApplyFrom(size_t k, const Piece& piece, const PieceSink& sink) const {
    if (k == parts_.size()) return sink(piece);
    return parts_[k]->Apply(piece, [&](const Piece& p) { return ApplyFrom(k + 1, p, sink); });
  }
  std::vector<std::unique_ptr<PreTokenizer>> parts_;
};

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

Result<SplitBehavior> ParseBehavior(const std::string& s) {
  if (s == "Removed") return SplitBehavior::kRemoved;
  if (s == "Isolated") return SplitBehavior::kIsolated;
  if (s == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (s == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (s == "Contiguous") return SplitBehavior::kContiguous;
  return Status::NotSupported("Split behavior '" + s + "' is not supported");
}

using Spans = std::vector<std::pair<std::pair<size_t, size_t>, bool>>;

// tokenizers' NormalizedString::split: applies `behavior` to match/non-match spans.
Spans ApplyBehavior(Spans matches, SplitBehavior behavior) {
  Spans acc;
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::kIsolated:
      return matches;
    case SplitBehavior::kRemoved:
      for (auto& m : matches) {
        if (!m.second) acc.push_back(m);
      }
      return acc;
    case SplitBehavior::kMergedWithPrevious:
      for (auto& [off, is_match] : matches) {
        if (is_match && !previous_match && !acc.empty()) {
          acc.back().first.second = off.second;
        } else {
          acc.push_back({off, false});
        }
        previous_match = is_match;
      }
      return acc;
    case SplitBehavior::kMergedWithNext:
      for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        const auto& [off, is_match] = *it;
        if (is_match && !previous_match && !acc.empty()) {
          acc.back().first.first = off.first;
        } else {
          acc.push_back({off, false});
        }
        previous_match = is_match;
      }
      return Spans(acc.rbegin(), acc.rend());
    case SplitBehavior::kContiguous:
      for (auto& [off, is_match] : matches) {
        if (is_match == previous_match && !acc.empty()) {
          acc.back().first.second = off.second;
        } else {
          acc.push_back({off, false});
        }
        previous_match = is_match;
      }
      return acc;
  }
  return matches;
}

Status SplitPiece(const Regex& re, SplitBehavior behavior, bool invert, const Piece& piece,
                  const PieceSink& sink) {
  QUIVER_ASSIGN_OR_RETURN(Spans matches, FindMatches(re, piece.text));
  if (invert) {
    for (auto& m : matches) m.second = !m.second;
  }
  for (const auto& [off, unused] : ApplyBehavior(std::move(matches), behavior)) {
    if (off.first == off.second) continue;
    Piece sub;
    SubPiece(piece, off.first, off.second, sub);
    QUIVER_RETURN_IF_ERROR(sink(sub));
  }
  return Status::OK();
}

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(std::unique_ptr<Regex> re, SplitBehavior behavior, bool invert)
      : re_(std::move(re)), behavior_(behavior), invert_(invert) {}
  Status Apply(const Piece& piece, const PieceSink& sink) const override {
    return SplitPiece(*re_, behavior_, invert_, piece, sink);
  }

 private:
  std::unique_ptr<Regex> re_;
  SplitBehavior behavior_;
  bool invert_;
};

constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// GPT-2 byte-level: optional prefix space, optional GPT-2 regex split, then every byte becomes
// one printable character.
class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, std::unique_ptr<Regex> re)
      : add_prefix_space_(add_prefix_space), re_(std::move(re)) {}
  Status Apply(const Piece& piece, const PieceSink& sink) const override {
    const auto map_bytes = [&](const Piece& p) -> Status {
      Piece mapped;
      PieceRewriter rw(p, mapped);
      for (size_t i = 0; i < p.text.size(); ++i) {
        rw.Add(ByteToChar(static_cast<uint8_t>(p.text[i])), i, i + 1);
      }
      rw.Finish();
      return sink(mapped);
    };
    const auto split = [&](const Piece& p) -> Status {
      if (!re_) return map_bytes(p);
      return SplitPiece(*re_, SplitBehavior::kIsolated, false, p, map_bytes);
    };
    if (add_prefix_space_ && !piece.text.empty() && piece.text[0] != ' ') {
      Piece spaced;
      PieceRewriter rw(piece, spaced);
      rw.Add(" ", 0, utf8::CharLengthAt(piece.text, 0));
      for (size_t i = 0; i < piece.text.size(); ++i) rw.Add(piece.text.substr(i, 1), i, i + 1);
      rw.Finish();
      return split(spaced);
    }
    return split(piece);
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> re_;
};

enum class PrependScheme { kAlways, kFirst, kNever };

// sentencepiece-style: spaces become the replacement character (▁), which is prepended per the
// scheme; with `split`, each ▁ starts a new piece.
class MetaspacePreTokenizer : public PreTokenizer {
 public:
  MetaspacePreTokenizer(std::string replacement, PrependScheme scheme, bool split,
                        std::unique_ptr<Regex> split_re)
      : replacement_(std::move(replacement)),
        scheme_(scheme),
        split_(split),
        split_re_(std::move(split_re)) {}
  Status Apply(const Piece& piece, const PieceSink& sink) const override {
    Piece out;
    PieceRewriter rw(piece, out);
    const bool starts = piece.text.compare(0, replacement_.size(), replacement_) == 0 ||
                        (!piece.text.empty() && piece.text[0] == ' ');
    const bool prepend = !piece.text.empty() && !starts &&
                         (scheme_ == PrependScheme::kAlways ||
                          (scheme_ == PrependScheme::kFirst && piece.at_text_start));
    if (prepend) rw.Add(replacement_, 0, utf8::CharLengthAt(piece.text, 0));
    for (size_t i = 0; i < piece.text.size(); ++i) {
      if (piece.text[i] == ' ') {
        rw.Add(replacement_, i, i + 1);
      } else {
        rw.Add(piece.text.substr(i, 1), i, i + 1);
      }
    }
    rw.Finish();
    if (!split_) return sink(out);
    return SplitPiece(*split_re_, SplitBehavior::kMergedWithNext, false, out, sink);
  }

 private:
  std::string replacement_;
  PrependScheme scheme_;
  bool split_;
  std::unique_ptr<Regex> split_re_;
};

// The Metaspace pre-tokenizer's prepend scheme: "prepend_scheme" when it is a string
// ("always", "first" or "never"; NotSupported otherwise), else "never" for the legacy
// "add_prefix_space": false, else "always".
Result<PrependScheme> ParsePrependScheme(const json& j) {
  if (j.contains("prepend_scheme") && j["prepend_scheme"].is_string()) {
    const std::string s = j["prepend_scheme"].get<std::string>();
    if (s == "first") return PrependScheme::kFirst;
    if (s == "never") return PrependScheme::kNever;
    if (s != "always") {
      return Status::NotSupported("Metaspace prepend_scheme '" + s + "' is not supported");
    }
    return PrependScheme::kAlways;
  }
  if (j.contains("add_prefix_space") && !j.value("add_prefix_space", true)) {
    return PrependScheme::kNever;  // the legacy form of the option
  }
  return PrependScheme::kAlways;
}

// tokenizers' is_bert_punc: ASCII punctuation (the symbols too) or a Unicode P* character.
bool IsBertPunctuation(char32_t c) {
  if (c < 0x80) return c > 0x20 && c < 0x7F && !std::isalnum(static_cast<int>(c));
  return utf8::IsPunctuation(c);
}

// BertPreTokenizer: splits on white space (removed) and isolates each punctuation character.
class BertPreTokenizer : public PreTokenizer {
 public:
  Status Apply(const Piece& piece, const PieceSink& sink) const override {
    const std::string_view s = piece.text;
    const auto emit = [&](size_t b, size_t e) -> Status {
      if (b == e) return Status::OK();
      Piece sub;
      SubPiece(piece, b, e, sub);
      return sink(sub);
    };
    size_t word = 0;  // start of the current word
    for (size_t i = 0; i < s.size();) {
      const size_t len = utf8::CharLengthAt(s, i);
      const char32_t c = utf8::DecodeAt(s, i, len);
      if (IsWhitespace(c) || IsBertPunctuation(c)) {
        QUIVER_RETURN_IF_ERROR(emit(word, i));
        if (!IsWhitespace(c)) QUIVER_RETURN_IF_ERROR(emit(i, i + len));
        word = i + len;
      }
      i += len;
    }
    return emit(word, s.size());
  }
};

Result<std::unique_ptr<PreTokenizer>> ParsePreTokenizerObject(const json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PreTokenizer>> parts;
    for (const json& part : j.at("pretokenizers")) {
      QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<PreTokenizer> p, ParsePreTokenizer(part));
      if (p) parts.push_back(std::move(p));
    }
    return std::unique_ptr<PreTokenizer>(new SequencePreTokenizer(std::move(parts)));
  }
  if (type == "BertPreTokenizer") return std::unique_ptr<PreTokenizer>(new BertPreTokenizer());
  if (type == "Split") {
    QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<Regex> re,
                            ParsePattern(j.at("pattern"), "Split pre-tokenizer"));
    QUIVER_ASSIGN_OR_RETURN(const SplitBehavior behavior,
                            ParseBehavior(j.at("behavior").get<std::string>()));
    return std::unique_ptr<PreTokenizer>(
        new SplitPreTokenizer(std::move(re), behavior, j.value("invert", false)));
  }
  if (type == "ByteLevel") {
    std::unique_ptr<Regex> re;
    if (j.value("use_regex", true)) {
      QUIVER_ASSIGN_OR_RETURN(re, Regex::Compile(kGpt2Pattern));
    }
    return std::unique_ptr<PreTokenizer>(
        new ByteLevelPreTokenizer(j.value("add_prefix_space", true), std::move(re)));
  }
  if (type == "Metaspace") {
    const std::string replacement = j.value("replacement", std::string("\u2581"));
    QUIVER_ASSIGN_OR_RETURN(const PrependScheme scheme, ParsePrependScheme(j));
    QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<Regex> re, Regex::Literal(replacement));
    return std::unique_ptr<PreTokenizer>(
        new MetaspacePreTokenizer(replacement, scheme, j.value("split", true), std::move(re)));
  }
  return Unsupported("pre-tokenizer", j);
}

}  // namespace

Result<std::unique_ptr<PreTokenizer>> ParsePreTokenizer(const json& j) {
  return ParseGuarded<PreTokenizer>(j, "pre-tokenizer", ParsePreTokenizerObject);
}

}  // namespace quiver::hf
