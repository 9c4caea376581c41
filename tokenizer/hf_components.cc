#include "tokenizer/hf_components.h"

#include <locale.h>
#include <utf8proc.h>
#include <wctype.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tokenizer/regex.h"
#include "tokenizer/utf8.h"

namespace quiver::hf {

using nlohmann::json;

// ---- Shared helpers -------------------------------------------------------------------------

void NormBuilder::Copy(size_t b, size_t e) {
  out_.text.append(src_.text, b, e - b);
  if (!out_.track) return;
  out_.ob.insert(out_.ob.end(), src_.ob.begin() + b, src_.ob.begin() + e);
  out_.oe.insert(out_.oe.end(), src_.oe.begin() + b, src_.oe.begin() + e);
}

void NormBuilder::Insert(std::string_view bytes, size_t b, size_t e) {
  out_.text.append(bytes);
  if (!out_.track) return;
  const uint32_t ob = src_.ob[b], oe = src_.oe[e - 1];
  out_.ob.insert(out_.ob.end(), bytes.size(), ob);
  out_.oe.insert(out_.oe.end(), bytes.size(), oe);
}

bool IsWhitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

const std::string& ByteToChar(uint8_t b) {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    int extra = 0;
    for (int i = 0; i < 256; ++i) {
      const bool printable = (i >= 33 && i <= 126) || (i >= 161 && i <= 172) || i >= 174;
      utf8::Append(t[i],
                   printable ? static_cast<char32_t>(i) : static_cast<char32_t>(256 + extra++));
    }
    return t;
  }();
  return table[b];
}

namespace {

Status Unsupported(std::string_view section, const json& j) {
  std::string type = j.is_object() && j.contains("type") && j["type"].is_string()
                         ? j["type"].get<std::string>()
                         : j.dump().substr(0, 60);
  return Status::NotSupported(std::string(section) + " '" + type + "' is not supported");
}

// Compiles a {"String": s} or {"Regex": r} pattern object.
Result<std::unique_ptr<Regex>> ParsePattern(const json& p, std::string_view where) {
  if (p.is_object() && p.contains("String") && p["String"].is_string()) {
    return Regex::Literal(p["String"].get<std::string>());
  }
  if (p.is_object() && p.contains("Regex") && p["Regex"].is_string()) {
    auto re = Regex::Compile(p["Regex"].get<std::string>());
    if (!re.ok()) return re.status().WithContext(where);
    return re;
  }
  return Status::InvalidArgument(std::string(where) + ": pattern must be {\"String\": ...} or " +
                                 "{\"Regex\": ...}, found " + p.dump().substr(0, 80));
}

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

size_t CharLen(std::string_view s, size_t i) {
  const size_t len = utf8::ValidSequenceLength(s, i);
  return len == 0 ? 1 : len;
}

// ---- Normalizers ----------------------------------------------------------------------------

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> parts)
      : parts_(std::move(parts)) {}
  Status Apply(NormText& t) const override {
    for (const auto& p : parts_) QUIVER_RETURN_IF_ERROR(p->Apply(t));
    return Status::OK();
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};

// Prepends a string to non-empty text; the new bytes belong to the first character.
class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prepend) : prepend_(std::move(prepend)) {}
  Status Apply(NormText& t) const override {
    if (t.text.empty()) return Status::OK();
    NormBuilder nb(t);
    nb.Insert(prepend_, 0, CharLen(t.text, 0));
    nb.Copy(0, t.text.size());
    t = nb.Finish();
    return Status::OK();
  }

 private:
  std::string prepend_;
};

// Replaces every match of a pattern with `content`.
class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(std::unique_ptr<Regex> re, std::string literal, std::string content)
      : re_(std::move(re)), literal_(std::move(literal)), content_(std::move(content)) {}
  Status Apply(NormText& t) const override {
    NormBuilder nb(t);
    size_t prev = 0;
    const auto replace = [&](size_t b, size_t e) {
      nb.Copy(prev, b);
      if (content_.empty()) {
        // Deleted text leaves no bytes behind.
      } else {
        nb.Insert(content_, b, e);
      }
      prev = e;
    };
    if (!literal_.empty()) {
      // Plain string patterns skip the regex engine.
      for (size_t pos = t.text.find(literal_); pos != std::string::npos;
           pos = t.text.find(literal_, pos + literal_.size())) {
        replace(pos, pos + literal_.size());
      }
    } else {
      QUIVER_RETURN_IF_ERROR(re_->ForEachMatch(t.text, replace));
    }
    nb.Copy(prev, t.text.size());
    t = nb.Finish();
    return Status::OK();
  }

 private:
  std::unique_ptr<Regex> re_;
  std::string literal_;
  std::string content_;
};

locale_t Utf8Locale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

// Unicode simple lower-casing (towlower in the C.UTF-8 locale).
class LowercaseNormalizer : public Normalizer {
 public:
  Status Apply(NormText& t) const override {
    NormBuilder nb(t);
    std::string ch;
    for (size_t i = 0; i < t.text.size();) {
      const size_t len = CharLen(t.text, i);
      const char32_t c = utf8::DecodeAt(t.text, i, len);
      const char32_t lc =
          c < 0x80 ? (c >= 'A' && c <= 'Z' ? c + 32 : c)
                   : (Utf8Locale()
                          ? static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), Utf8Locale()))
                          : c);
      if (lc == c) {
        nb.Copy(i, i + len);
      } else {
        ch.clear();
        utf8::Append(ch, lc);
        nb.Insert(ch, i, i + len);
      }
      i += len;
    }
    t = nb.Finish();
    return Status::OK();
  }
};

// Removes leading and/or trailing white space.
class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  Status Apply(NormText& t) const override {
    size_t b = 0, e = t.text.size();
    if (left_) {
      while (b < e) {
        const size_t len = CharLen(t.text, b);
        if (!IsWhitespace(utf8::DecodeAt(t.text, b, len))) break;
        b += len;
      }
    }
    if (right_) {
      while (e > b) {
        size_t s = e - 1;
        while (s > b && (static_cast<uint8_t>(t.text[s]) & 0xC0) == 0x80) --s;
        if (!IsWhitespace(utf8::DecodeAt(t.text, s, CharLen(t.text, s)))) break;
        e = s;
      }
    }
    NormBuilder nb(t);
    nb.Copy(b, e);
    t = nb.Finish();
    return Status::OK();
  }

 private:
  bool left_, right_;
};

// ---- Unicode normalization (utf8proc) -------------------------------------------------------
//
// To keep the alignment, text is normalized in groups that normalize independently. A group
// starts at a character whose full decomposition begins with a starter (combining class 0),
// unless, for the composing forms, that starter composes with the last code point of the
// previous group once normalized (Hangul jamo, some vowel signs): then the groups merge. Inside a
// group the characters are fully decomposed, each run of non-starters is put in canonical order
// and, for NFC/NFKC, the result is recomposed. The groups' concatenation equals whole-text
// normalization; a group whose bytes change is attributed as a whole to the bytes it came from.

using CodePoints = std::vector<utf8proc_int32_t>;

bool IsComposing(UnicodeForm f) { return f == UnicodeForm::kNFC || f == UnicodeForm::kNFKC; }
bool IsCompat(UnicodeForm f) { return f == UnicodeForm::kNFKC || f == UnicodeForm::kNFKD; }

// The utf8proc_map options of whole-string normalization to `f`.
utf8proc_option_t FormOptions(UnicodeForm f) {
  int options = UTF8PROC_STABLE | (IsComposing(f) ? UTF8PROC_COMPOSE : UTF8PROC_DECOMPOSE);
  if (IsCompat(f)) options |= UTF8PROC_COMPAT;
  return static_cast<utf8proc_option_t>(options);
}

constexpr utf8proc_option_t kComposeOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE);

int CombiningClass(utf8proc_int32_t cp) { return utf8proc_get_property(cp)->combining_class; }

// Appends the full canonical (or, when `compat`, compatibility) decomposition of `c`, a Unicode
// scalar value, in the order the decomposition mappings give.
void AppendDecomposition(char32_t c, bool compat, CodePoints& out) {
  if (c < 0x80) {  // ASCII never decomposes
    out.push_back(static_cast<utf8proc_int32_t>(c));
    return;
  }
  constexpr utf8proc_ssize_t kMax = 32;  // the longest full decomposition has 18 code points
  utf8proc_int32_t buf[kMax];
  const auto options =
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0));
  int boundclass = 0;
  const utf8proc_ssize_t n =
      utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, kMax, options, &boundclass);
  if (n <= 0 || n > kMax) {
    out.push_back(static_cast<utf8proc_int32_t>(c));
    return;
  }
  out.insert(out.end(), buf, buf + n);
}

// Sorts each run of non-starters by combining class, keeping equal classes in order (the
// canonical ordering algorithm, in O(n log n) even for very long runs).
void CanonicalOrder(CodePoints& cps) {
  const auto by_class = [](utf8proc_int32_t a, utf8proc_int32_t b) {
    return CombiningClass(a) < CombiningClass(b);
  };
  for (size_t i = 0; i < cps.size();) {
    size_t j = i;
    while (j < cps.size() && CombiningClass(cps[j]) != 0) ++j;
    if (j - i > 1) std::stable_sort(cps.begin() + i, cps.begin() + j, by_class);
    i = j == i ? i + 1 : j;
  }
}

// Canonical composition of decomposed, canonically ordered code points, in place.
void Compose(CodePoints& cps) {
  const utf8proc_ssize_t n = utf8proc_normalize_utf32(
      cps.data(), static_cast<utf8proc_ssize_t>(cps.size()), kComposeOptions);
  if (n >= 0) cps.resize(static_cast<size_t>(n));
}

// True when `next`, the starter that begins a group, composes with `last`, the last code point
// of the normalized group before it (so the two must be normalized together).
bool ComposesWithPrevious(utf8proc_int32_t last, utf8proc_int32_t next) {
  if (next < 0x80) return false;  // ASCII is never the second code point of a composition
  utf8proc_int32_t pair[2] = {last, next};
  return utf8proc_normalize_utf32(pair, 2, kComposeOptions) == 1;
}

// Collects source characters into groups (see above) and writes each group, normalized, to a
// NormBuilder over the same source text.
class GroupNormalizer {
 public:
  GroupNormalizer(std::string_view src, bool compose, NormBuilder& out)
      : src_(src), compose_(compose), out_(out) {}

  // Adds the source character at bytes [b, e) whose full decomposition is `d` (not empty).
  void Add(size_t b, size_t e, const CodePoints& d) {
    if (!cps_.empty() && CombiningClass(d[0]) == 0) {
      Normalize();
      if (!compose_ || !ComposesWithPrevious(norm_.back(), d[0])) Emit();
    }
    if (cps_.empty()) begin_ = b;
    cps_.insert(cps_.end(), d.begin(), d.end());
    end_ = e;
  }

  // Writes the last group.
  void Finish() {
    if (cps_.empty()) return;
    Normalize();
    Emit();
  }

 private:
  // norm_ = the current group, normalized.
  void Normalize() {
    norm_ = cps_;
    if (norm_.size() < 2) return;
    CanonicalOrder(norm_);
    if (compose_) Compose(norm_);
  }

  // Writes norm_ in place of source bytes [begin_, end_) and empties the group.
  void Emit() {
    utf8_.clear();
    for (utf8proc_int32_t cp : norm_) utf8::Append(utf8_, static_cast<char32_t>(cp));
    if (src_.substr(begin_, end_ - begin_) == utf8_) {
      out_.Copy(begin_, end_);
    } else {
      out_.Insert(utf8_, begin_, end_);
    }
    cps_.clear();
  }

  std::string_view src_;
  bool compose_;
  NormBuilder& out_;
  size_t begin_ = 0, end_ = 0;
  CodePoints cps_, norm_;
  std::string utf8_;
};

// NFC, NFD, NFKC or NFKD of the whole text. Bytes that are not well-formed UTF-8 become U+FFFD.
class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(UnicodeForm form) : form_(form) {}
  Status Apply(NormText& t) const override {
    NormBuilder nb(t);
    GroupNormalizer groups(t.text, IsComposing(form_), nb);
    CodePoints d;
    for (size_t i = 0; i < t.text.size();) {
      const size_t len = utf8::ValidSequenceLength(t.text, i);
      const char32_t c = len == 0 ? utf8::kReplacement : utf8::DecodeAt(t.text, i, len);
      const size_t e = i + (len == 0 ? 1 : len);
      d.clear();
      AppendDecomposition(c, IsCompat(form_), d);
      groups.Add(i, e, d);
      i = e;
    }
    groups.Finish();
    t = nb.Finish();
    return Status::OK();
  }

 private:
  UnicodeForm form_;
};

Result<std::unique_ptr<Normalizer>> ParseNormalizerObject(const json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Normalizer>> parts;
    for (const json& part : j.at("normalizers")) {
      auto n = ParseNormalizer(part);
      if (!n.ok()) return n.status();
      if (n.value()) parts.push_back(std::move(n.value()));
    }
    return std::unique_ptr<Normalizer>(new SequenceNormalizer(std::move(parts)));
  }
  if (type == "Prepend") {
    return std::unique_ptr<Normalizer>(new PrependNormalizer(j.at("prepend").get<std::string>()));
  }
  if (type == "Replace") {
    const json& p = j.at("pattern");
    std::string content = j.at("content").get<std::string>();
    if (p.is_object() && p.contains("String") && p["String"].is_string() &&
        !p["String"].get<std::string>().empty()) {
      return std::unique_ptr<Normalizer>(
          new ReplaceNormalizer(nullptr, p["String"].get<std::string>(), std::move(content)));
    }
    auto re = ParsePattern(p, "Replace normalizer");
    if (!re.ok()) return re.status();
    return std::unique_ptr<Normalizer>(
        new ReplaceNormalizer(std::move(re.value()), "", std::move(content)));
  }
  if (type == "NFC") return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFC));
  if (type == "NFD") return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFD));
  if (type == "NFKC") {
    return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFKC));
  }
  if (type == "NFKD") {
    return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFKD));
  }
  if (type == "Lowercase") return std::unique_ptr<Normalizer>(new LowercaseNormalizer());
  if (type == "Strip") {
    return std::unique_ptr<Normalizer>(
        new StripNormalizer(j.value("strip_left", true), j.value("strip_right", true)));
  }
  return Unsupported("normalizer", j);
}

// ---- Pre-tokenizers -------------------------------------------------------------------------

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
  auto matches = FindMatches(re, piece.text);
  if (!matches.ok()) return matches.status();
  if (invert) {
    for (auto& m : matches.value()) m.second = !m.second;
  }
  for (const auto& [off, unused] : ApplyBehavior(std::move(matches.value()), behavior)) {
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
      rw.Add(" ", 0, CharLen(piece.text, 0));
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
    if (prepend) rw.Add(replacement_, 0, CharLen(piece.text, 0));
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

Result<std::unique_ptr<PreTokenizer>> ParsePreTokenizerObject(const json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PreTokenizer>> parts;
    for (const json& part : j.at("pretokenizers")) {
      auto p = ParsePreTokenizer(part);
      if (!p.ok()) return p.status();
      if (p.value()) parts.push_back(std::move(p.value()));
    }
    return std::unique_ptr<PreTokenizer>(new SequencePreTokenizer(std::move(parts)));
  }
  if (type == "Split") {
    auto re = ParsePattern(j.at("pattern"), "Split pre-tokenizer");
    if (!re.ok()) return re.status();
    auto behavior = ParseBehavior(j.at("behavior").get<std::string>());
    if (!behavior.ok()) return behavior.status();
    return std::unique_ptr<PreTokenizer>(
        new SplitPreTokenizer(std::move(re.value()), behavior.value(), j.value("invert", false)));
  }
  if (type == "ByteLevel") {
    std::unique_ptr<Regex> re;
    if (j.value("use_regex", true)) {
      auto r = Regex::Compile(kGpt2Pattern);
      if (!r.ok()) return r.status();
      re = std::move(r.value());
    }
    return std::unique_ptr<PreTokenizer>(
        new ByteLevelPreTokenizer(j.value("add_prefix_space", true), std::move(re)));
  }
  if (type == "Metaspace") {
    const std::string replacement = j.value("replacement", std::string("\u2581"));
    PrependScheme scheme = PrependScheme::kAlways;
    if (j.contains("prepend_scheme") && j["prepend_scheme"].is_string()) {
      const std::string s = j["prepend_scheme"].get<std::string>();
      if (s == "first") {
        scheme = PrependScheme::kFirst;
      } else if (s == "never") {
        scheme = PrependScheme::kNever;
      } else if (s != "always") {
        return Status::NotSupported("Metaspace prepend_scheme '" + s + "' is not supported");
      }
    } else if (j.contains("add_prefix_space") && !j.value("add_prefix_space", true)) {
      scheme = PrependScheme::kNever;  // the legacy form of the option
    }
    auto re = Regex::Literal(replacement);
    if (!re.ok()) return re.status();
    return std::unique_ptr<PreTokenizer>(new MetaspacePreTokenizer(
        replacement, scheme, j.value("split", true), std::move(re.value())));
  }
  return Unsupported("pre-tokenizer", j);
}

// ---- Decoders -------------------------------------------------------------------------------

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> parts)
      : parts_(std::move(parts)) {}
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    for (const auto& p : parts_) tokens = p->DecodeChain(std::move(tokens));
    return tokens;
  }

 private:
  std::vector<std::unique_ptr<Decoder>> parts_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(std::unique_ptr<Regex> re, std::string content)
      : re_(std::move(re)), content_(std::move(content)) {}
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    for (std::string& t : tokens) {
      std::string out;
      size_t prev = 0;
      // The regex only fails on engine limits, which tokens this short do not reach; the
      // token is then left as it is.
      Status s = re_->ForEachMatch(t, [&](size_t b, size_t e) {
        out.append(t, prev, b - prev);
        out += content_;
        prev = e;
      });
      if (!s.ok()) continue;
      out.append(t, prev, std::string::npos);
      t = std::move(out);
    }
    return tokens;
  }

 private:
  std::unique_ptr<Regex> re_;
  std::string content_;
};

// Parses "<0xXX>"; -1 otherwise.
int ParseByteToken(std::string_view t) {
  if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return -1;
  int v = 0;
  for (char c : t.substr(3, 2)) {
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= c - '0';
    } else if (c >= 'A' && c <= 'F') {
      v |= c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      v |= c - 'a' + 10;
    } else {
      return -1;
    }
  }
  return v;
}

// Runs of <0xXX> tokens become their bytes when those form valid UTF-8, else one U+FFFD per
// byte token.
class ByteFallbackDecoder : public Decoder {
 public:
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    std::vector<std::string> out;
    std::string bytes;
    size_t count = 0;
    const auto flush = [&] {
      if (count == 0) return;
      if (utf8::IsValid(bytes)) {
        out.push_back(bytes);
      } else {
        for (size_t k = 0; k < count; ++k) out.push_back("\xEF\xBF\xBD");
      }
      bytes.clear();
      count = 0;
    };
    for (std::string& t : tokens) {
      const int b = ParseByteToken(t);
      if (b >= 0) {
        bytes.push_back(static_cast<char>(b));
        ++count;
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    return out;
  }
};

class FuseDecoder : public Decoder {
 public:
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    std::string all;
    for (const std::string& t : tokens) all += t;
    return {all};
  }
};

// Removes up to `start` leading and `stop` trailing `content` characters from each token.
class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop)
      : content_(content), start_(start), stop_(stop) {}
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    for (std::string& t : tokens) {
      std::vector<std::pair<size_t, char32_t>> chars;  // (byte position, char)
      for (size_t i = 0; i < t.size();) {
        const size_t len = CharLen(t, i);
        chars.push_back({i, utf8::DecodeAt(t, i, len)});
        i += len;
      }
      size_t start_cut = 0;
      for (size_t i = 0; i < start_ && i < chars.size() && chars[i].second == content_; ++i) {
        start_cut = i + 1;
      }
      size_t stop_cut = chars.size();
      for (size_t i = 0; i < stop_ && i < chars.size(); ++i) {
        const size_t index = chars.size() - i - 1;
        if (chars[index].second != content_) break;
        stop_cut = index;
      }
      if (stop_cut < start_cut) stop_cut = start_cut;
      const size_t b = start_cut < chars.size() ? chars[start_cut].first : t.size();
      const size_t e = stop_cut < chars.size() ? chars[stop_cut].first : t.size();
      t = t.substr(b, e - b);
    }
    return tokens;
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

// Joins the tokens, maps each character back to its byte, then reads the bytes as UTF-8
// (ill-formed parts become U+FFFD).
class ByteLevelDecoder : public Decoder {
 public:
  ByteLevelDecoder() {
    for (int b = 0; b < 256; ++b) {
      const std::string& c = ByteToChar(static_cast<uint8_t>(b));
      char_to_byte_[utf8::DecodeAt(c, 0, c.size())] = static_cast<uint8_t>(b);
    }
  }
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    std::string bytes;
    for (const std::string& t : tokens) {
      for (size_t i = 0; i < t.size();) {
        const size_t len = CharLen(t, i);
        auto it = char_to_byte_.find(utf8::DecodeAt(t, i, len));
        if (it != char_to_byte_.end()) {
          bytes.push_back(static_cast<char>(it->second));
        } else {
          bytes.append(t, i, len);
        }
        i += len;
      }
    }
    return {utf8::DecodeLossy(bytes)};
  }

 private:
  std::unordered_map<char32_t, uint8_t> char_to_byte_;
};

// ▁ becomes a space, except that the first token loses its ▁ when a prefix was prepended.
class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(char32_t replacement, bool strip_first)
      : replacement_(replacement), strip_first_(strip_first) {}
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    for (size_t k = 0; k < tokens.size(); ++k) {
      std::string out;
      const std::string& t = tokens[k];
      for (size_t i = 0; i < t.size();) {
        const size_t len = CharLen(t, i);
        if (utf8::DecodeAt(t, i, len) == replacement_) {
          if (!(k == 0 && strip_first_)) out.push_back(' ');
        } else {
          out.append(t, i, len);
        }
        i += len;
      }
      tokens[k] = std::move(out);
    }
    return tokens;
  }

 private:
  char32_t replacement_;
  bool strip_first_;
};

Result<char32_t> SingleChar(const std::string& s, std::string_view what) {
  const size_t len = s.empty() ? 0 : utf8::ValidSequenceLength(s, 0);
  if (len == 0 || len != s.size()) {
    return Status::InvalidArgument(std::string(what) + " must be one character, found \"" + s +
                                   "\"");
  }
  return utf8::DecodeAt(s, 0, len);
}

Result<std::unique_ptr<Decoder>> ParseDecoderObject(const json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Decoder>> parts;
    for (const json& part : j.at("decoders")) {
      auto d = ParseDecoder(part);
      if (!d.ok()) return d.status();
      if (d.value()) parts.push_back(std::move(d.value()));
    }
    return std::unique_ptr<Decoder>(new SequenceDecoder(std::move(parts)));
  }
  if (type == "Replace") {
    auto re = ParsePattern(j.at("pattern"), "Replace decoder");
    if (!re.ok()) return re.status();
    return std::unique_ptr<Decoder>(
        new ReplaceDecoder(std::move(re.value()), j.at("content").get<std::string>()));
  }
  if (type == "ByteFallback") return std::unique_ptr<Decoder>(new ByteFallbackDecoder());
  if (type == "Fuse") return std::unique_ptr<Decoder>(new FuseDecoder());
  if (type == "Strip") {
    auto c = SingleChar(j.at("content").get<std::string>(), "Strip decoder content");
    if (!c.ok()) return c.status();
    return std::unique_ptr<Decoder>(
        new StripDecoder(c.value(), j.value("start", size_t{0}), j.value("stop", size_t{0})));
  }
  if (type == "ByteLevel") return std::unique_ptr<Decoder>(new ByteLevelDecoder());
  if (type == "Metaspace") {
    auto c = SingleChar(j.value("replacement", std::string("\u2581")), "Metaspace replacement");
    if (!c.ok()) return c.status();
    bool strip_first = true;
    if (j.contains("prepend_scheme") && j["prepend_scheme"].is_string()) {
      strip_first = j["prepend_scheme"].get<std::string>() != "never";
    } else if (j.contains("add_prefix_space")) {
      strip_first = j.value("add_prefix_space", true);
    }
    return std::unique_ptr<Decoder>(new MetaspaceDecoder(c.value(), strip_first));
  }
  return Unsupported("decoder", j);
}

template <typename T, typename F>
Result<std::unique_ptr<T>> ParseGuarded(const json& j, std::string_view section, F parse) {
  if (j.is_null()) return std::unique_ptr<T>();
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
    return Status::InvalidArgument(std::string(section) + " must be an object with a \"type\"");
  }
  try {
    return parse(j);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string(section) + " '" + j["type"].get<std::string>() +
                                   "' is malformed: " + e.what());
  }
}

}  // namespace

std::string NormalizeUnicode(std::string_view text, UnicodeForm form) {
  const std::string clean = utf8::IsValid(text) ? std::string(text) : utf8::Sanitize(text, nullptr);
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(clean.data()),
                   static_cast<utf8proc_ssize_t>(clean.size()), &mapped, FormOptions(form));
  // utf8proc_map fails only when out of memory; the text is then returned unnormalized.
  std::string result = n >= 0 ? std::string(reinterpret_cast<const char*>(mapped), n) : clean;
  std::free(mapped);
  return result;
}

Result<std::unique_ptr<Normalizer>> ParseNormalizer(const json& j) {
  return ParseGuarded<Normalizer>(j, "normalizer", ParseNormalizerObject);
}

Result<std::unique_ptr<PreTokenizer>> ParsePreTokenizer(const json& j) {
  return ParseGuarded<PreTokenizer>(j, "pre-tokenizer", ParsePreTokenizerObject);
}

Result<std::unique_ptr<Decoder>> ParseDecoder(const json& j) {
  return ParseGuarded<Decoder>(j, "decoder", ParseDecoderObject);
}

}  // namespace quiver::hf
